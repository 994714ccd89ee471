using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using ModelDsl.Spec;

namespace ModelDsl.Generator.Diagnostics;

/// <summary>
/// Turns ModelSpec's located diagnostics into Roslyn's, with descriptors built from the catalogue (stable ID,
/// title, category, help link). The location is the model file's own path and span, so the build prints
/// <c>x.model.yaml(7,7): error MDSL030: ...</c>.
/// </summary>
internal static class DiagnosticConverter
{
    private static readonly Dictionary<string, ModelDiagnosticDescriptor> Catalogue =
        DiagnosticCatalog.All.Concat(GeneratorDiagnostics.All).ToDictionary(d => d.Id, StringComparer.Ordinal);

    private static readonly Dictionary<string, DiagnosticDescriptor> Formatted =
        Catalogue.Values.ToDictionary(d => d.Id, d => Descriptor(d, d.MessageFormat), StringComparer.Ordinal);

    private static readonly Dictionary<string, DiagnosticDescriptor> Verbatim =
        Catalogue.Values.ToDictionary(d => d.Id, d => Descriptor(d, "{0}"), StringComparer.Ordinal);

    /// <summary>Every descriptor the generator can report, for tooling and tests.</summary>
    public static IEnumerable<DiagnosticDescriptor> Descriptors => Formatted.Values;

    public static Diagnostic ToRoslyn(ModelDiagnostic diagnostic)
    {
        var location = ToLocation(diagnostic.Span);
        var severity = diagnostic.Severity switch
        {
            Severity.Error => DiagnosticSeverity.Error,
            Severity.Warning => DiagnosticSeverity.Warning,
            _ => DiagnosticSeverity.Info,
        };

        // The catalogue's format when the arguments reproduce the message exactly; otherwise the message as
        // it stands, so a diagnostic never loses its text (or throws while being formatted).
        var arguments = diagnostic.Arguments.Cast<object>().ToArray();
        if (Formatted.TryGetValue(diagnostic.Id, out var formatted) && Reproduces(diagnostic, arguments))
        {
            return Diagnostic.Create(formatted, location, severity, null, null, arguments);
        }

        var verbatim = Verbatim.TryGetValue(diagnostic.Id, out var known)
            ? known
            : new DiagnosticDescriptor(diagnostic.Id, diagnostic.Id, "{0}", "ModelDsl", severity, isEnabledByDefault: true);
        return Diagnostic.Create(verbatim, location, severity, null, null, diagnostic.Message);
    }

    /// <summary>A located span in a file that need not be part of the compilation (a .model.yaml).</summary>
    public static Location ToLocation(SourceSpan span)
    {
        if (string.IsNullOrEmpty(span.Path))
        {
            return Location.None;
        }

        // Spans come from front ends we trust but do not control; Roslyn throws on inverted ones.
        var start = Math.Max(0, span.Start);
        var textSpan = new TextSpan(start, Math.Max(0, span.Length));
        var startPosition = new LinePosition(Math.Max(0, span.StartLine), Math.Max(0, span.StartColumn));
        var endPosition = new LinePosition(Math.Max(0, span.EndLine), Math.Max(0, span.EndColumn));
        if (endPosition < startPosition)
        {
            endPosition = startPosition;
        }

        return Location.Create(span.Path, textSpan, new LinePositionSpan(startPosition, endPosition));
    }

    private static bool Reproduces(ModelDiagnostic diagnostic, object[] arguments)
    {
        try
        {
            var format = Catalogue[diagnostic.Id].MessageFormat;
            return string.Format(CultureInfo.InvariantCulture, format, arguments) == diagnostic.Message;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static DiagnosticDescriptor Descriptor(ModelDiagnosticDescriptor entry, string messageFormat) =>
        new(
            entry.Id,
            entry.Title,
            messageFormat,
            entry.Category,
            entry.DefaultSeverity switch
            {
                Severity.Error => DiagnosticSeverity.Error,
                Severity.Warning => DiagnosticSeverity.Warning,
                _ => DiagnosticSeverity.Info,
            },
            isEnabledByDefault: true,
            helpLinkUri: entry.HelpLink);
}

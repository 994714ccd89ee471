using System.Text;

namespace ModelDsl.Spec;

/// <summary>
/// The one way from a model description to a checked <see cref="ModelSpec"/>. Never throws: every problem,
/// including a bug of ours, comes back as a located diagnostic, because an exception escaping the source
/// generator would silently drop its output.
/// </summary>
public static class ModelAnalyzer
{
    /// <summary>A file with more problems lists this many, then says so: the first ones are what to fix.</summary>
    public const int MaxDiagnostics = 100;

    private const string ModelFileSuffix = ".model.yaml";

    /// <summary>Parses and analyses a model file; the default class name comes from the file name.</summary>
    public static ModelAnalysis AnalyzeYaml(string path, string text, string? defaultNamespace)
    {
        // Callers outside nullable-aware code can still pass null.
        path ??= string.Empty;
        try
        {
            var (root, parseDiagnostics) = YamlFrontEnd.Parse(path, text);
            if (root == null)
            {
                return new ModelAnalysis(null, Limit(parseDiagnostics.ToList()));
            }

            var analysis = new Binder(path, DefaultName(path), defaultNamespace).Bind(root);
            var diagnostics = Limit(parseDiagnostics.Concat(analysis.Diagnostics).ToList());
            var spec = diagnostics.Any(d => d.Severity == Severity.Error) ? null : analysis.Spec;
            return new ModelAnalysis(spec, diagnostics);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return InternalError(path, ex);
        }
    }

    /// <summary>
    /// Binds a document tree from any front end and checks it. <paramref name="defaultName"/> names the class when
    /// the tree has no <c>model</c> key; <paramref name="defaultNamespace"/> likewise for <c>namespace</c>.
    /// </summary>
    public static ModelAnalysis Analyze(Node root, string path, string defaultName, string? defaultNamespace)
    {
        try
        {
            var analysis = new Binder(path ?? string.Empty, defaultName, defaultNamespace).Bind(root);
            return analysis with { Diagnostics = Limit(analysis.Diagnostics.ToList()) };
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return InternalError(path ?? string.Empty, ex);
        }
    }

    /// <summary>The class name a model file gets without <c>model:</c> — <c>mnist-lstm.model.yaml</c> gives <c>MnistLstm</c>.</summary>
    public static string DefaultName(string path)
    {
        var file = Path.GetFileName(path ?? string.Empty);
        if (file.EndsWith(ModelFileSuffix, StringComparison.OrdinalIgnoreCase))
        {
            file = file.Substring(0, file.Length - ModelFileSuffix.Length);
        }
        else
        {
            file = Path.GetFileNameWithoutExtension(file);
        }

        var name = new StringBuilder();
        var upper = true;
        foreach (var c in file)
        {
            if (!char.IsLetterOrDigit(c))
            {
                upper = true;
                continue;
            }

            name.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return name.ToString();
    }

    /// <summary>
    /// The diagnostics in file order, at most <see cref="MaxDiagnostics"/> of them and then one saying the rest
    /// were left out, so a badly broken file cannot flood a build log.
    /// </summary>
    internal static EquatableArray<ModelDiagnostic> Limit(IReadOnlyList<ModelDiagnostic> diagnostics)
    {
        // Stable: diagnostics at one position keep the order they were found in.
        var sorted = diagnostics.Select((d, i) => (d, i)).OrderBy(x => x.d.Span.Start).ThenBy(x => x.i).Select(x => x.d).ToList();
        if (sorted.Count <= MaxDiagnostics)
        {
            return sorted.ToEquatableArray();
        }

        var rest = sorted.Skip(MaxDiagnostics).ToList();
        var note = DiagnosticCatalog.LimitExceeded.Create(rest[0].Span, $"has more than {MaxDiagnostics} problems", $"the first {MaxDiagnostics} are reported; fix those first");
        var severity = rest.Any(d => d.Severity == Severity.Error) ? Severity.Error : Severity.Warning;
        return sorted.Take(MaxDiagnostics).Concat(new[] { note with { Severity = severity } }).ToEquatableArray();
    }

    private static ModelAnalysis InternalError(string path, Exception ex) =>
        new(null, EquatableArray.Create(DiagnosticCatalog.InternalError.Create(
            new SourceSpan(path, 0, 0, 0, 0, 0, 0), ex.GetType().Name + ": " + ex.Message)));
}

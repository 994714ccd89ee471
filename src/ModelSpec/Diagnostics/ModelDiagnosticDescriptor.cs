using System.Globalization;

namespace ModelDsl.Spec;

/// <summary>
/// One entry of the catalogue: what a Roslyn <c>DiagnosticDescriptor</c> needs, without Roslyn types.
/// <paramref name="MessageFormat"/> is a composite format; <see cref="ModelDiagnostic.Message"/> is it filled in
/// with <see cref="ModelDiagnostic.Arguments"/>.
/// </summary>
public sealed record ModelDiagnosticDescriptor(
    string Id,
    string Title,
    string MessageFormat,
    Severity DefaultSeverity,
    string Category,
    string HelpLink)
{
    /// <summary>The diagnostic at <paramref name="span"/>. Missing arguments read as empty rather than throwing.</summary>
    public ModelDiagnostic Create(SourceSpan span, params object[] arguments)
    {
        var texts = arguments.Select(a => Convert.ToString(a, CultureInfo.InvariantCulture) ?? string.Empty).ToList();
        while (texts.Count < Placeholders)
        {
            texts.Add(string.Empty);
        }

        var message = string.Format(CultureInfo.InvariantCulture, MessageFormat, texts.ToArray());
        return new ModelDiagnostic(Id, DefaultSeverity, message, span) { Arguments = texts.ToEquatableArray() };
    }

    /// <summary>How many arguments <see cref="MessageFormat"/> takes: one more than its highest "{n}".</summary>
    public int Placeholders
    {
        get
        {
            var count = 0;
            for (var i = MessageFormat.IndexOf('{'); i >= 0 && i < MessageFormat.Length - 1; i = MessageFormat.IndexOf('{', i + 1))
            {
                if (MessageFormat[i + 1] == '{')
                {
                    i++;
                    continue;
                }

                var end = MessageFormat.IndexOf('}', i);
                if (end > i && int.TryParse(MessageFormat.Substring(i + 1, end - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    count = Math.Max(count, index + 1);
                }
            }

            return count;
        }
    }
}

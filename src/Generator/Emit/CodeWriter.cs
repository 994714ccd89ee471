using System.Text;

namespace ModelDsl.Generator.Emit;

/// <summary>
/// Builds C# text with four-space indentation and "\n" line endings, so the output is byte-identical
/// on every OS (snapshots and the generator cache compare it as a string).
/// </summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder builder = new();
    private int depth;

    public void Line(string text = "")
    {
        if (text.Length > 0)
        {
            builder.Append(' ', depth * 4).Append(text);
        }

        builder.Append('\n');
    }

    /// <summary>Writes one <c>///</c> comment line per line of <paramref name="xml"/>.</summary>
    public void Doc(string xml)
    {
        foreach (var line in xml.Split('\n'))
        {
            Line("/// " + line);
        }
    }

    /// <summary>Writes <paramref name="header"/> (if any) and an opening brace, and indents.</summary>
    public void Open(string? header = null)
    {
        if (header is not null)
        {
            Line(header);
        }

        Line("{");
        depth++;
    }

    public void Close(string closing = "}")
    {
        depth--;
        Line(closing);
    }

    public void Indent() => depth++;

    public void Outdent() => depth--;

    public override string ToString() => builder.ToString();
}

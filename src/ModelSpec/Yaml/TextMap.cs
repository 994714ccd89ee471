namespace ModelDsl.Spec;

/// <summary>
/// Turns character offsets into <see cref="SourceSpan"/>s. Lines break at \n, \r\n and \r, as editors and
/// MSBuild count them; offsets are clamped into the text so every span lies inside the file.
/// </summary>
internal sealed class TextMap
{
    private readonly List<int> lineStarts = new() { 0 };

    public TextMap(string path, string text)
    {
        Path = path;
        Length = text.Length;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                i++;
            }

            if (c == '\r' || c == '\n')
            {
                lineStarts.Add(i + 1);
            }
        }
    }

    public string Path { get; }

    public int Length { get; }

    /// <summary>The zero-based line holding <paramref name="offset"/>.</summary>
    public int LineOf(int offset)
    {
        var index = lineStarts.BinarySearch(Clamp(offset));
        return index >= 0 ? index : ~index - 1;
    }

    public int LineStart(int line) => lineStarts[line];

    public SourceSpan Span(long start, long end)
    {
        var s = Clamp(start);
        var e = Math.Max(s, Clamp(end));
        var startLine = LineOf(s);
        var endLine = LineOf(e);
        return new SourceSpan(Path, s, e - s, startLine, s - lineStarts[startLine], endLine, e - lineStarts[endLine]);
    }

    private int Clamp(long offset) => (int)Math.Max(0, Math.Min(Length, offset));
}

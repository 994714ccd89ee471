namespace ModelDsl.Spec;

internal static class TextFormat
{
    /// <summary>A value quoted in a message: on one line and short, whatever the file holds.</summary>
    public static string Shorten(string text)
    {
        var oneLine = text.Replace("\r", "\\r").Replace("\n", "\\n");
        return oneLine.Length <= 40 ? oneLine : oneLine.Substring(0, 37) + "...";
    }
}

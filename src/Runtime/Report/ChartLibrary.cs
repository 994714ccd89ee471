using System.Text.RegularExpressions;

namespace ModelDsl.Runtime.Report;

/// <summary>
/// Chart.js's browser bundle, which the build fetched with npm and embedded in this assembly (Report/Report.targets),
/// ready to inline into a page.
/// </summary>
internal static partial class ChartLibrary
{
    private const string ResourceName = "ModelDsl.Runtime.Report.chart.umd.min.js";

    private static readonly Lazy<string> Code = new(Load);

    /// <summary>The bundle, without its source-map comment (the map is not in the page) and safe inside a script element.</summary>
    public static string Script => Code.Value;

    /// <summary>The version in the bundle's banner ("4.6.1").</summary>
    public static string Version => VersionPattern().Match(Script) is { Success: true } match ? match.Groups[1].Value : "unknown";

    private static string Load()
    {
        using var stream = typeof(ChartLibrary).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"{ResourceName} is not embedded in {typeof(ChartLibrary).Assembly.GetName().Name}; the build embeds it from npm (src/Runtime/Report/Report.targets)");
        using var reader = new StreamReader(stream);
        var code = SourceMapComment().Replace(reader.ReadToEnd(), "");
        return ScriptEnd().Replace(code, @"<\/script");
    }

    [GeneratedRegex(@"Chart\.js v(\d+\.\d+\.\d+\S*)")]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"^//# sourceMappingURL=.*$", RegexOptions.Multiline)]
    private static partial Regex SourceMapComment();

    [GeneratedRegex("</script", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptEnd();
}

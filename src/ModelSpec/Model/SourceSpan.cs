namespace ModelDsl.Spec;

/// <summary>
/// Where a node came from: a file path, a character range and the matching zero-based line/column range.
/// It carries exactly what Roslyn's <c>Location.Create(path, textSpan, linePositionSpan)</c> needs, so
/// diagnostics from the YAML file and from C# attributes are located the same way.
/// </summary>
public readonly record struct SourceSpan(
    string Path,
    int Start,
    int Length,
    int StartLine,
    int StartColumn,
    int EndLine,
    int EndColumn)
{
    /// <summary>MSBuild's one-based "(line,col)" form, as it appears in build output.</summary>
    public override string ToString() => $"{Path}({StartLine + 1},{StartColumn + 1})";
}

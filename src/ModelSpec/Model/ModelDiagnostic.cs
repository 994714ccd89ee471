namespace ModelDsl.Spec;

public enum Severity
{
    Info,
    Warning,
    Error,
}

/// <summary>A located problem in a model description. <paramref name="Id"/> is a catalogue ID (MDSL001...).</summary>
public sealed record ModelDiagnostic(string Id, Severity Severity, string Message, SourceSpan Span)
{
    /// <summary>
    /// The values filled into the catalogue's message format, so a Roslyn descriptor built from
    /// <see cref="DiagnosticCatalog"/> can format the same message itself.
    /// </summary>
    public EquatableArray<string> Arguments { get; init; } = EquatableArray<string>.Empty;

    /// <summary>MSBuild's format: <c>path(line,col): error MDSL003: message</c>.</summary>
    public override string ToString() =>
        $"{Span}: {Severity.ToString().ToLowerInvariant()} {Id}: {Message}";
}

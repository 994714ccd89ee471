namespace ModelDsl.Spec;

/// <summary>
/// The front-end-neutral document tree. The YAML front end and the attribute front end both produce it,
/// with the source span of every node, and the binder turns it into a <see cref="ModelSpec"/>. Keys and
/// values are Keras' own names, exactly as in the model file.
/// </summary>
public abstract record Node(SourceSpan Span);

/// <summary>A scalar as written. <paramref name="IsQuoted"/> keeps "128" (a string) apart from 128.</summary>
public sealed record ScalarNode(string Value, bool IsQuoted, SourceSpan Span) : Node(Span);

public sealed record SequenceNode(EquatableArray<Node> Items, SourceSpan Span) : Node(Span);

public sealed record MappingNode(EquatableArray<MappingEntry> Entries, SourceSpan Span) : Node(Span);

public sealed record MappingEntry(ScalarNode Key, Node Value) : IEquatable<MappingEntry>;

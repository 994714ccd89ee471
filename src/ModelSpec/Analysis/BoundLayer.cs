namespace ModelDsl.Spec;

/// <summary>One entry of <c>layers</c> while the binder works on it; shapes are filled in by shape inference.</summary>
internal sealed class BoundLayer
{
    public BoundLayer(int index, LayerKind? kind, Node entry, SourceSpan keySpan, Args args)
    {
        Index = index;
        Kind = kind;
        Name = kind?.Name ?? "?";
        Entry = entry;
        KeySpan = keySpan;
        Args = args;
    }

    /// <summary>One-based, as messages say "layer 3".</summary>
    public int Index { get; }

    /// <summary>The layer's catalogue entry; null for a broken entry.</summary>
    public LayerKind? Kind { get; }

    /// <summary>The Keras name of the kind, "?" for a broken entry: what messages call it.</summary>
    public string KindName => Kind?.Name ?? "?";

    public string Name { get; set; }

    public Node Entry { get; }

    /// <summary>The layer's type key (<c>lstm</c> in <c>- lstm: {...}</c>): where diagnostics about the layer point.</summary>
    public SourceSpan KeySpan { get; }

    public Args Args { get; }

    /// <summary>An entry that names no known layer type; it has no arguments and no config.</summary>
    public bool IsBroken { get; init; }

    /// <summary>Null when the layer's own arguments had errors; shape inference stops there.</summary>
    public LayerConfig? Config { get; set; }

    public int[]? InputShape { get; set; }

    public int[]? OutputShape { get; set; }

    public long Parameters { get; set; }

    public long TrainableParameters { get; set; }

    /// <summary>How messages name it, the way DESIGN.md's examples do: layer 3 'lstm'.</summary>
    public string Label => $"layer {Index} '{KindName}'";

    public bool IsRecurrent => Kind?.IsRecurrent == true;

    public bool KeepsShape => Kind?.Role == ShapeRole.KeepsShape;

    /// <summary>The activation the layer ends in: what the loss receives when the layer is the output.</summary>
    public string? Activation => Config == null ? null : Kind!.EndActivation(Config) ?? Vocabulary.Linear;

    /// <summary>Where a complaint about the layer's activation points: the value when written, else the layer key.</summary>
    public SourceSpan ActivationSpan => Args["activation"]?.Span ?? KeySpan;
}

namespace ModelDsl.Spec;

/// <summary>A runtime constructor argument that is the layer's per-sample input shape (PReLU's alpha, LayerNormalization's axes).</summary>
public sealed record SampleShape(EquatableArray<int> Dimensions);

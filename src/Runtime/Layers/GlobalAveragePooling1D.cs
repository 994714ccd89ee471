namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' GlobalAveragePooling1D: the mean over the spatial axes of (batch, steps, channels), giving (batch, channels), or (batch, 1, channels) with keepdims.</summary>
public sealed class GlobalAveragePooling1D : Layer
{
    public GlobalAveragePooling1D(bool keepdims = false) : base(nameof(GlobalAveragePooling1D))
    {
        Keepdims = keepdims;
    }

    /// <summary>Keras' <c>keepdims</c>: keep the pooled axes with size 1.</summary>
    public bool Keepdims { get; }

    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) =>
        graph.Node("ReduceMean", [input], OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", Keepdims ? 1 : 0));

    public override Tensor forward(Tensor input)
    {
        LayerInputs.RequireRank(input, 3, "GlobalAveragePooling1D", "(batch, steps, channels)");
        return input.mean([1], keepdim: Keepdims);
    }
}

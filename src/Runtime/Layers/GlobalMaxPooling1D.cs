namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' GlobalMaxPooling1D: the maximum over the spatial axes of (batch, steps, channels), giving (batch, channels), or (batch, 1, channels) with keepdims.</summary>
public sealed class GlobalMaxPooling1D : Layer
{
    public GlobalMaxPooling1D(bool keepdims = false) : base(nameof(GlobalMaxPooling1D))
    {
        Keepdims = keepdims;
    }

    /// <summary>Keras' <c>keepdims</c>: keep the pooled axes with size 1.</summary>
    public bool Keepdims { get; }

    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) =>
        graph.Node("ReduceMax", [input], OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", Keepdims ? 1 : 0));

    public override Tensor forward(Tensor input)
    {
        LayerInputs.RequireRank(input, 3, "GlobalMaxPooling1D", "(batch, steps, channels)");
        return input.amax([1], keepdim: Keepdims);
    }
}

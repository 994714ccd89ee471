namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' GlobalMaxPooling2D: the maximum over the spatial axes of (batch, height, width, channels), giving (batch, channels), or (batch, 1, 1, channels) with keepdims.</summary>
public sealed class GlobalMaxPooling2D : Layer
{
    public GlobalMaxPooling2D(bool keepdims = false) : base(nameof(GlobalMaxPooling2D))
    {
        Keepdims = keepdims;
    }

    /// <summary>Keras' <c>keepdims</c>: keep the pooled axes with size 1.</summary>
    public bool Keepdims { get; }

    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) =>
        graph.Node("ReduceMax", [input], OnnxAttribute.Ints("axes", 1, 2), OnnxAttribute.Int("keepdims", Keepdims ? 1 : 0));

    public override Tensor forward(Tensor input)
    {
        LayerInputs.RequireRank(input, 4, "GlobalMaxPooling2D", "(batch, height, width, channels)");
        return input.amax([1, 2], keepdim: Keepdims);
    }
}

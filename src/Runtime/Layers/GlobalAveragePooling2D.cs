namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' GlobalAveragePooling2D: the mean over the spatial axes of (batch, height, width, channels), giving (batch, channels), or (batch, 1, 1, channels) with keepdims.</summary>
public sealed class GlobalAveragePooling2D : Layer
{
    public GlobalAveragePooling2D(bool keepdims = false) : base(nameof(GlobalAveragePooling2D))
    {
        Keepdims = keepdims;
    }

    /// <summary>Keras' <c>keepdims</c>: keep the pooled axes with size 1.</summary>
    public bool Keepdims { get; }

    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) =>
        graph.Node("ReduceMean", [input], OnnxAttribute.Ints("axes", 1, 2), OnnxAttribute.Int("keepdims", Keepdims ? 1 : 0));

    public override Tensor forward(Tensor input)
    {
        LayerInputs.RequireRank(input, 4, "GlobalAveragePooling2D", "(batch, height, width, channels)");
        return input.mean([1, 2], keepdim: Keepdims);
    }
}

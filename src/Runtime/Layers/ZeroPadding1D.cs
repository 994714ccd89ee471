namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' ZeroPadding1D on (batch, steps, features): zero steps added before and after.</summary>
public sealed class ZeroPadding1D : Layer
{
    /// <summary>The same number of zero steps on both sides (Keras' int form, default 1).</summary>
    public ZeroPadding1D(int padding = 1) : this((padding, padding))
    {
    }

    /// <summary>Keras' tuple form: (before, after).</summary>
    public ZeroPadding1D((int Left, int Right) padding) : base(nameof(ZeroPadding1D))
    {
        LayerInputs.NonNegative(nameof(padding), nameof(ZeroPadding1D), padding.Left, padding.Right);
        Padding = padding;
    }

    public (int Left, int Right) Padding { get; }

    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) =>
        graph.Node("Pad", [input, graph.Ints(0, Padding.Left, 0, 0, Padding.Right, 0)]);

    public override Tensor forward(Tensor input)
    {
        LayerInputs.RequireRank(input, 3, nameof(ZeroPadding1D), "(batch, steps, features)");
        // libtorch's pad lists the last axis first: features unpadded, then steps.
        return nn.functional.pad(input, [0, 0, Padding.Left, Padding.Right], PaddingModes.Constant, 0);
    }
}

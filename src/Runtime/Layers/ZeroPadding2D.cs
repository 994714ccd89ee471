namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' ZeroPadding2D on (batch, height, width, channels): zero rows above and below, zero columns left and right.</summary>
public sealed class ZeroPadding2D : Layer
{
    /// <summary>The same amount on all four sides (Keras' int form, default 1).</summary>
    public ZeroPadding2D(int padding = 1) : this(((padding, padding), (padding, padding)))
    {
    }

    /// <summary>Keras' (symmetric_height_pad, symmetric_width_pad) form.</summary>
    public ZeroPadding2D((int Height, int Width) padding) : this(((padding.Height, padding.Height), (padding.Width, padding.Width)))
    {
    }

    /// <summary>Keras' ((top, bottom), (left, right)) form.</summary>
    public ZeroPadding2D(((int Top, int Bottom) Rows, (int Left, int Right) Columns) padding) : base(nameof(ZeroPadding2D))
    {
        LayerInputs.NonNegative(nameof(padding), nameof(ZeroPadding2D),
            padding.Rows.Top, padding.Rows.Bottom, padding.Columns.Left, padding.Columns.Right);
        Padding = padding;
    }

    public ((int Top, int Bottom) Rows, (int Left, int Right) Columns) Padding { get; }

    /// <summary>ONNX Pad: every axis's start amounts, then every axis's end amounts.</summary>
    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input)
    {
        var (rows, columns) = Padding;
        return graph.Node("Pad", [input, graph.Ints(0, rows.Top, columns.Left, 0, 0, rows.Bottom, columns.Right, 0)]);
    }

    public override Tensor forward(Tensor input)
    {
        LayerInputs.RequireRank(input, 4, nameof(ZeroPadding2D), "(batch, height, width, channels)");
        var (rows, columns) = Padding;
        // libtorch's pad lists the last axis first: channels unpadded, then columns, then rows.
        return nn.functional.pad(input, [0, 0, columns.Left, columns.Right, rows.Top, rows.Bottom], PaddingModes.Constant, 0);
    }
}

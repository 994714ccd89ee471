namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' Cropping2D on (batch, height, width, channels): rows removed at the top and bottom, columns at the left and right.</summary>
public sealed class Cropping2D : Layer
{
    /// <summary>The same amount on all four sides (Keras' int form; Keras' default crops nothing).</summary>
    public Cropping2D(int cropping = 0) : this(((cropping, cropping), (cropping, cropping)))
    {
    }

    /// <summary>Keras' (symmetric_height_crop, symmetric_width_crop) form.</summary>
    public Cropping2D((int Height, int Width) cropping) : this(((cropping.Height, cropping.Height), (cropping.Width, cropping.Width)))
    {
    }

    /// <summary>Keras' ((top, bottom), (left, right)) form.</summary>
    public Cropping2D(((int Top, int Bottom) Rows, (int Left, int Right) Columns) cropping) : base(nameof(Cropping2D))
    {
        LayerInputs.NonNegative(nameof(cropping), nameof(Cropping2D),
            cropping.Rows.Top, cropping.Rows.Bottom, cropping.Columns.Left, cropping.Columns.Right);
        Cropping = cropping;
    }

    public ((int Top, int Bottom) Rows, (int Left, int Right) Columns) Cropping { get; }

    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input)
    {
        var (rows, columns) = Cropping;
        static long End(int crop) => crop == 0 ? long.MaxValue : -crop;
        return graph.Slice(input, [rows.Top, columns.Left], [End(rows.Bottom), End(columns.Right)], [1, 2]);
    }

    public override Tensor forward(Tensor input)
    {
        LayerInputs.RequireRank(input, 4, nameof(Cropping2D), "(batch, height, width, channels)");
        var (rows, columns) = Cropping;
        using var scope = NewDisposeScope();
        var cropped = Cropping1D.Crop(input, 1, rows.Top, rows.Bottom, nameof(Cropping2D));
        return Cropping1D.Crop(cropped, 2, columns.Left, columns.Right, nameof(Cropping2D)).MoveToOuterDisposeScope();
    }
}

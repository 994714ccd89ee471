namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' UpSampling2D interpolations.</summary>
public enum UpSamplingInterpolation
{
    /// <summary>Each cell repeated (Keras' default).</summary>
    Nearest,

    /// <summary>Linear in both axes between cell centres (half-pixel centres, edges held), as Keras' image resize.</summary>
    Bilinear,
}

/// <summary>
/// Keras' UpSampling2D on (batch, height, width, channels): rows and columns scaled by <see cref="Size"/> (Keras'
/// default (2, 2)), by repetition ("nearest") or bilinear interpolation ("bilinear").
/// </summary>
public sealed class UpSampling2D : Layer
{
    /// <summary>Keras' default <c>size</c>, (2, 2).</summary>
    public static readonly (int Height, int Width) DefaultSize = (2, 2);

    public UpSampling2D((int Height, int Width)? size = null, string interpolation = "nearest") : base(nameof(UpSampling2D))
    {
        var actual = size ?? DefaultSize;
        ArgumentOutOfRangeException.ThrowIfLessThan(Math.Min(actual.Height, actual.Width), 1, nameof(size));
        Size = actual;
        Interpolation = interpolation switch
        {
            "nearest" => UpSamplingInterpolation.Nearest,
            "bilinear" => UpSamplingInterpolation.Bilinear,
            _ => throw new ArgumentException($"UpSampling2D's interpolation '{interpolation}' is not supported; expected nearest or bilinear",
                nameof(interpolation)),
        };
    }

    public (int Height, int Width) Size { get; }

    public UpSamplingInterpolation Interpolation { get; }

    /// <summary>Nearest: each cell repeated; bilinear: ONNX's linear Resize with half-pixel centres, as libtorch and TensorFlow map them.</summary>
    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) => Interpolation == UpSamplingInterpolation.Nearest
        ? Resampling.Nearest(graph, input, [1, Size.Height, Size.Width, 1])
        : graph.ChannelsLast(graph.Node("Resize", [graph.ChannelsFirst(input, 4), OnnxValue.Missing, graph.Floats(1, 1, Size.Height, Size.Width)],
            OnnxAttribute.String("mode", "linear"), OnnxAttribute.String("coordinate_transformation_mode", "half_pixel")), 4);

    public override Tensor forward(Tensor input)
    {
        LayerInputs.RequireRank(input, 4, nameof(UpSampling2D), "(batch, height, width, channels)");
        using var scope = NewDisposeScope();
        Tensor result;
        if (Interpolation == UpSamplingInterpolation.Nearest)
        {
            result = input.repeat_interleave(Size.Height, 1).repeat_interleave(Size.Width, 2);
        }
        else
        {
            // libtorch's bilinear without aligned corners maps output cell centres as TensorFlow's resize does.
            var resized = nn.functional.interpolate(ChannelsLast.ToChannelsFirst(input),
                size: [input.size(1) * Size.Height, input.size(2) * Size.Width], mode: InterpolationMode.Bilinear, align_corners: false);
            result = ChannelsLast.FromChannelsFirst(resized);
        }
        return result.MoveToOuterDisposeScope();
    }
}

/// <summary>ONNX's nearest-neighbour Resize with integer scales on a channels-last input: each cell repeated, as <c>repeat_interleave</c> does.</summary>
internal static class Resampling
{
    public static OnnxValue Nearest(OnnxGraph graph, OnnxValue input, float[] scales) =>
        graph.Node("Resize", [input, OnnxValue.Missing, graph.Floats(scales)], OnnxAttribute.String("mode", "nearest"),
            OnnxAttribute.String("coordinate_transformation_mode", "asymmetric"), OnnxAttribute.String("nearest_mode", "floor"));
}

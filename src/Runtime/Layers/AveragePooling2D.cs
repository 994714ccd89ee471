using PaddingRules = ModelDsl.Runtime.Layers.Padding;

namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' AveragePooling2D on (batch, height, width, channels). <see cref="Strides"/> defaults to the pool size; with
/// "same" padding the padded cells are not counted, so an edge window averages only the cells it covers.
/// </summary>
public sealed class AveragePooling2D : Layer
{
    private readonly PaddingMode _padding;

    public AveragePooling2D((int Height, int Width) poolSize, (int Height, int Width)? strides = null, string padding = "valid")
        : base(nameof(AveragePooling2D))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Math.Min(poolSize.Height, poolSize.Width), 1, nameof(poolSize));
        if (strides is { } stride)
            ArgumentOutOfRangeException.ThrowIfLessThan(Math.Min(stride.Height, stride.Width), 1, nameof(strides));
        _padding = PaddingRules.Parse(padding, allowCausal: false);
        PoolSize = poolSize;
        Strides = strides ?? poolSize;
        Padding = padding;
    }

    public (int Height, int Width) PoolSize { get; }

    /// <summary>The strides in effect: Keras' <c>strides</c>, or the pool size when it was None.</summary>
    public (int Height, int Width) Strides { get; }

    public string Padding { get; }

    /// <summary>ONNX AveragePool, which leaves padded cells out of the count, as Keras does.</summary>
    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) =>
        Convolution.OnnxPool(graph, input, "AveragePool", _padding, Convolution.Axes(PoolSize), Convolution.Axes(Strides));

    public override Tensor forward(Tensor input)
    {
        LayerInputs.RequireRank(input, 4, nameof(AveragePooling2D), "(batch, height, width, channels)");
        using var scope = NewDisposeScope();
        long[] kernel = [PoolSize.Height, PoolSize.Width], strides = [Strides.Height, Strides.Width];
        var rows = PaddingRules.Amounts(_padding, input.size(1), PoolSize.Height, Strides.Height);
        var columns = PaddingRules.Amounts(_padding, input.size(2), PoolSize.Width, Strides.Width);
        var x = ChannelsLast.ToChannelsFirst(input);
        Tensor y;
        if (rows is (0, 0) && columns is (0, 0))
        {
            y = nn.functional.avg_pool2d(x, kernel, strides);
        }
        else
        {
            // Sum over the covered cells divided by how many there are: the same pooling of a padded mask of ones.
            var sums = nn.functional.avg_pool2d(ChannelsLast.PadSpatial(x, [rows, columns], 0), kernel, strides);
            var mask = ones([1, 1, input.size(1), input.size(2)], input.dtype, input.device);
            var counts = nn.functional.avg_pool2d(ChannelsLast.PadSpatial(mask, [rows, columns], 0), kernel, strides);
            y = sums / counts;
        }
        return ChannelsLast.FromChannelsFirst(y).MoveToOuterDisposeScope();
    }
}

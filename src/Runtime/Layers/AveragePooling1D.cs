using PaddingRules = ModelDsl.Runtime.Layers.Padding;

namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' AveragePooling1D on (batch, steps, channels). <see cref="Strides"/> defaults to the pool size; with "same"
/// padding the padded cells are not counted, so an edge window averages only the steps it covers.
/// </summary>
public sealed class AveragePooling1D : Layer
{
    private readonly PaddingMode _padding;

    public AveragePooling1D(int poolSize, int? strides = null, string padding = "valid") : base(nameof(AveragePooling1D))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(poolSize, 1);
        if (strides is { } stride)
            ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1, nameof(strides));
        _padding = PaddingRules.Parse(padding, allowCausal: false);
        PoolSize = poolSize;
        Strides = strides ?? poolSize;
        Padding = padding;
    }

    public int PoolSize { get; }

    /// <summary>The stride in effect: Keras' <c>strides</c>, or the pool size when it was None.</summary>
    public int Strides { get; }

    public string Padding { get; }

    /// <summary>ONNX AveragePool, which leaves padded cells out of the count, as Keras does.</summary>
    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) => Convolution.OnnxPool(graph, input, "AveragePool", _padding, [PoolSize], [Strides]);

    public override Tensor forward(Tensor input)
    {
        LayerInputs.RequireRank(input, 3, nameof(AveragePooling1D), "(batch, steps, channels)");
        using var scope = NewDisposeScope();
        var amounts = PaddingRules.Amounts(_padding, input.size(1), PoolSize, Strides);
        var x = ChannelsLast.ToChannelsFirst(input);
        Tensor y;
        if (amounts is (0, 0))
        {
            y = nn.functional.avg_pool1d(x, PoolSize, Strides);
        }
        else
        {
            // Sum over the covered cells divided by how many there are: the same pooling of a padded mask of ones.
            var sums = nn.functional.avg_pool1d(ChannelsLast.PadSpatial(x, [amounts], 0), PoolSize, Strides);
            var mask = ones([1, 1, input.size(1)], input.dtype, input.device);
            var counts = nn.functional.avg_pool1d(ChannelsLast.PadSpatial(mask, [amounts], 0), PoolSize, Strides);
            y = sums / counts;
        }
        return ChannelsLast.FromChannelsFirst(y).MoveToOuterDisposeScope();
    }
}

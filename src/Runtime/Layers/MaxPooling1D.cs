namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' MaxPooling1D on (batch, steps, channels); <c>strides</c> default (Keras' None) to the pool size, and "same"
/// padding never wins the max.
/// </summary>
public sealed class MaxPooling1D : Layer
{
    private readonly PaddingMode _padding;

    public MaxPooling1D(int poolSize = 2, int? strides = null, string padding = "valid") : base(nameof(MaxPooling1D))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(poolSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(strides ?? poolSize, 1, nameof(strides));
        _padding = Padding.Parse(padding, allowCausal: false);
        PoolSize = poolSize;
        Strides = strides ?? poolSize;
    }

    public int PoolSize { get; }

    public int Strides { get; }

    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) => Convolution.OnnxPool(graph, input, "MaxPool", _padding, [PoolSize], [Strides]);

    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 3)
            throw new ArgumentException($"MaxPooling1D needs a 3-D input (batch, steps, channels), got [{string.Join(", ", input.shape)}]", nameof(input));
        using var scope = NewDisposeScope();
        var amounts = Padding.Amounts(_padding, input.size(1), PoolSize, Strides);
        var padded = ChannelsLast.PadSpatial(ChannelsLast.ToChannelsFirst(input), [amounts], double.NegativeInfinity);
        var y = nn.functional.max_pool1d(padded, PoolSize, Strides);
        return ChannelsLast.FromChannelsFirst(y).MoveToOuterDisposeScope();
    }
}

namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' MaxPooling1D on (batch, steps, channels); "same" padding never wins the max.</summary>
public sealed class MaxPooling1D : Layer
{
    private readonly PaddingMode _padding;

    public MaxPooling1D(int poolSize, int strides, string padding = "valid")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(poolSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(strides, 1);
        _padding = Padding.Parse(padding, allowCausal: false);
        PoolSize = poolSize;
        Strides = strides;
    }

    public int PoolSize { get; }

    public int Strides { get; }

    public override unsafe Tensor Forward(Tensor input)
    {
        var (before, after) = Padding.Amounts(_padding, input.Size(1), PoolSize, Strides);
        long kernel = PoolSize, stride = Strides;
        return new Tensor(NativeMethods.MaxPoolChannelsLast(input.Handle, 1, &kernel, &stride, &before, &after));
    }
}

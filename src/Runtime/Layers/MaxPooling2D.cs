namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' MaxPooling2D on (batch, height, width, channels); "same" padding never wins the max.</summary>
public sealed class MaxPooling2D : Layer
{
    private readonly PaddingMode _padding;

    public MaxPooling2D(int poolHeight, int poolWidth, int strideHeight, int strideWidth, string padding = "valid")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(poolHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(poolWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(strideHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(strideWidth, 1);
        _padding = Padding.Parse(padding, allowCausal: false);
        PoolHeight = poolHeight;
        PoolWidth = poolWidth;
        StrideHeight = strideHeight;
        StrideWidth = strideWidth;
    }

    public int PoolHeight { get; }

    public int PoolWidth { get; }

    public int StrideHeight { get; }

    public int StrideWidth { get; }

    public override unsafe Tensor Forward(Tensor input)
    {
        var shape = input.Shape;
        if (shape.Length != 4)
            throw new ArgumentException($"MaxPooling2D needs a 4-D input (batch, height, width, channels), got [{string.Join(", ", shape)}]", nameof(input));
        var (top, bottom) = Padding.Amounts(_padding, shape[1], PoolHeight, StrideHeight);
        var (left, right) = Padding.Amounts(_padding, shape[2], PoolWidth, StrideWidth);
        long* kernel = stackalloc long[] { PoolHeight, PoolWidth };
        long* stride = stackalloc long[] { StrideHeight, StrideWidth };
        long* before = stackalloc long[] { top, left };
        long* after = stackalloc long[] { bottom, right };
        return new Tensor(NativeMethods.MaxPoolChannelsLast(input.Handle, 2, kernel, stride, before, after));
    }
}

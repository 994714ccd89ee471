namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' MaxPooling2D on (batch, height, width, channels); "same" padding never wins the max.</summary>
public sealed class MaxPooling2D : Layer
{
    private readonly PaddingMode _padding;

    public MaxPooling2D(int poolHeight, int poolWidth, int strideHeight, int strideWidth, string padding = "valid") : base(nameof(MaxPooling2D))
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

    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 4)
            throw new ArgumentException($"MaxPooling2D needs a 4-D input (batch, height, width, channels), got [{string.Join(", ", input.shape)}]", nameof(input));
        using var scope = NewDisposeScope();
        var rows = Padding.Amounts(_padding, input.size(1), PoolHeight, StrideHeight);
        var columns = Padding.Amounts(_padding, input.size(2), PoolWidth, StrideWidth);
        var padded = ChannelsLast.PadSpatial(ChannelsLast.ToChannelsFirst(input), [rows, columns], double.NegativeInfinity);
        var y = nn.functional.max_pool2d(padded, [PoolHeight, PoolWidth], [StrideHeight, StrideWidth]);
        return ChannelsLast.FromChannelsFirst(y).MoveToOuterDisposeScope();
    }
}

namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' MaxPooling2D on (batch, height, width, channels): <c>poolSize</c> (height, width) defaults to (2, 2) and
/// <c>strides</c> (Keras' None) to the pool size; "same" padding never wins the max.
/// </summary>
public sealed class MaxPooling2D : Layer
{
    private readonly PaddingMode _padding;

    public MaxPooling2D((int Height, int Width)? poolSize = null, (int Height, int Width)? strides = null, string padding = "valid")
        : base(nameof(MaxPooling2D))
    {
        var pool = poolSize ?? (2, 2);
        var step = strides ?? pool;
        ArgumentOutOfRangeException.ThrowIfLessThan(Math.Min(pool.Height, pool.Width), 1, nameof(poolSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(Math.Min(step.Height, step.Width), 1, nameof(strides));
        _padding = Padding.Parse(padding, allowCausal: false);
        PoolHeight = pool.Height;
        PoolWidth = pool.Width;
        StrideHeight = step.Height;
        StrideWidth = step.Width;
    }

    public int PoolHeight { get; }

    public int PoolWidth { get; }

    public int StrideHeight { get; }

    public int StrideWidth { get; }

    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) =>
        Convolution.OnnxPool(graph, input, "MaxPool", _padding, [PoolHeight, PoolWidth], [StrideHeight, StrideWidth]);

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

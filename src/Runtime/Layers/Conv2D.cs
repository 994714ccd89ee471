namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' Conv2D on channels-last input (batch, height, width, channels); kernel (kernelHeight, kernelWidth,
/// inputChannels, filters); padding "valid" or "same".
/// </summary>
public sealed class Conv2D : Layer, IActivatedLayer
{
    private readonly PaddingMode _padding;

    public Conv2D(int inputChannels, int filters, int kernelHeight, int kernelWidth, int strideHeight = 1, int strideWidth = 1,
        string padding = "valid", Activation activation = Activation.Linear, bool useBias = true,
        string kernelInitializer = "glorot_uniform", string biasInitializer = "zeros") : base(nameof(Conv2D))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(filters, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(strideHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(strideWidth, 1);
        _padding = Padding.Parse(padding, allowCausal: false);
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        StrideHeight = strideHeight;
        StrideWidth = strideWidth;
        Activation = activation;
        AddWeight("kernel", Initializers.Create(kernelInitializer, [kernelHeight, kernelWidth, inputChannels, filters]));
        if (useBias)
            AddWeight("bias", Initializers.Create(biasInitializer, [filters]));
    }

    public int KernelHeight { get; }

    public int KernelWidth { get; }

    public int StrideHeight { get; }

    public int StrideWidth { get; }

    public Activation Activation { get; }

    public Parameter Kernel => Weight("kernel");

    public Parameter? Bias => OptionalWeight("bias");

    public Tensor ForwardLinear(Tensor input)
    {
        if (input.dim() != 4)
            throw new ArgumentException($"Conv2D needs a 4-D input (batch, height, width, channels), got [{string.Join(", ", input.shape)}]", nameof(input));
        using var scope = NewDisposeScope();
        var rows = Padding.Amounts(_padding, input.size(1), KernelHeight, StrideHeight);
        var columns = Padding.Amounts(_padding, input.size(2), KernelWidth, StrideWidth);
        var padded = ChannelsLast.PadSpatial(ChannelsLast.ToChannelsFirst(input), [rows, columns], 0);
        var y = nn.functional.conv2d(padded, ChannelsLast.TorchKernel(Kernel), Bias, strides: [StrideHeight, StrideWidth]);
        return ChannelsLast.FromChannelsFirst(y).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor input)
    {
        if (Activation == Activation.Linear)
            return ForwardLinear(input);
        using var linear = ForwardLinear(input);
        return Activation.Apply(linear);
    }
}

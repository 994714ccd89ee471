namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' Conv1D on channels-last input (batch, steps, channels); kernel (kernelSize, inputChannels, filters);
/// padding "valid", "same" or "causal".
/// </summary>
public sealed class Conv1D : Layer, IActivatedLayer
{
    private readonly PaddingMode _padding;

    public Conv1D(int inputChannels, int filters, int kernelSize, int strides = 1, string padding = "valid", int dilationRate = 1,
        Activation activation = Activation.Linear, bool useBias = true, string kernelInitializer = "glorot_uniform", string biasInitializer = "zeros")
        : base(nameof(Conv1D))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(filters, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(strides, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dilationRate, 1);
        _padding = Padding.Parse(padding, allowCausal: true);
        KernelSize = kernelSize;
        Strides = strides;
        DilationRate = dilationRate;
        Activation = activation;
        AddWeight("kernel", Initializers.Create(kernelInitializer, [kernelSize, inputChannels, filters]));
        if (useBias)
            AddWeight("bias", Initializers.Create(biasInitializer, [filters]));
    }

    public int KernelSize { get; }

    public int Strides { get; }

    public int DilationRate { get; }

    public Activation Activation { get; }

    public Parameter Kernel => Weight("kernel");

    public Parameter? Bias => OptionalWeight("bias");

    public Tensor ForwardLinear(Tensor input)
    {
        if (input.dim() != 3)
            throw new ArgumentException($"Conv1D needs a 3-D input (batch, steps, channels), got [{string.Join(", ", input.shape)}]", nameof(input));
        using var scope = NewDisposeScope();
        var amounts = Padding.Amounts(_padding, input.size(1), KernelSize, Strides, DilationRate);
        var padded = ChannelsLast.PadSpatial(ChannelsLast.ToChannelsFirst(input), [amounts], 0);
        var y = nn.functional.conv1d(padded, ChannelsLast.TorchKernel(Kernel), Bias, stride: Strides, dilation: DilationRate);
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

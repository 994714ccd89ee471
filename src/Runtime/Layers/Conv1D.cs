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
        Kernel = RegisterParameter("kernel", Initializers.Create(kernelInitializer, [kernelSize, inputChannels, filters]));
        Bias = useBias ? RegisterParameter("bias", Initializers.Create(biasInitializer, [filters])) : null;
    }

    public int KernelSize { get; }

    public int Strides { get; }

    public int DilationRate { get; }

    public Activation Activation { get; }

    public Parameter Kernel { get; }

    public Parameter? Bias { get; }

    public unsafe Tensor ForwardLinear(Tensor input)
    {
        var (before, after) = Padding.Amounts(_padding, input.Size(1), KernelSize, Strides, DilationRate);
        long stride = Strides, dilation = DilationRate;
        return new Tensor(NativeMethods.ConvChannelsLast(input.Handle, Kernel.Handle, Tensor.HandleOf(Bias), 1, &stride, &dilation, &before, &after));
    }

    public override Tensor Forward(Tensor input)
    {
        if (Activation == Activation.Linear)
            return ForwardLinear(input);
        using var linear = ForwardLinear(input);
        return linear.Activate(Activation);
    }
}

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
        string kernelInitializer = "glorot_uniform", string biasInitializer = "zeros")
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
        Kernel = RegisterParameter("kernel", Initializers.Create(kernelInitializer, [kernelHeight, kernelWidth, inputChannels, filters]));
        Bias = useBias ? RegisterParameter("bias", Initializers.Create(biasInitializer, [filters])) : null;
    }

    public int KernelHeight { get; }

    public int KernelWidth { get; }

    public int StrideHeight { get; }

    public int StrideWidth { get; }

    public Activation Activation { get; }

    public Parameter Kernel { get; }

    public Parameter? Bias { get; }

    public unsafe Tensor ForwardLinear(Tensor input)
    {
        var shape = input.Shape;
        if (shape.Length != 4)
            throw new ArgumentException($"Conv2D needs a 4-D input (batch, height, width, channels), got [{string.Join(", ", shape)}]", nameof(input));
        var (top, bottom) = Padding.Amounts(_padding, shape[1], KernelHeight, StrideHeight);
        var (left, right) = Padding.Amounts(_padding, shape[2], KernelWidth, StrideWidth);
        long* stride = stackalloc long[] { StrideHeight, StrideWidth };
        long* dilation = stackalloc long[] { 1, 1 };
        long* before = stackalloc long[] { top, left };
        long* after = stackalloc long[] { bottom, right };
        return new Tensor(NativeMethods.ConvChannelsLast(input.Handle, Kernel.Handle, Tensor.HandleOf(Bias), 2, stride, dilation, before, after));
    }

    public override Tensor Forward(Tensor input)
    {
        if (Activation == Activation.Linear)
            return ForwardLinear(input);
        using var linear = ForwardLinear(input);
        return linear.Activate(Activation);
    }
}

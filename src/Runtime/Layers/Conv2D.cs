namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' Conv2D on channels-last input (batch, height, width, channels); kernel
/// (kernelHeight, kernelWidth, inputChannels / groups, filters), bias (filters); padding "valid" or "same".
/// </summary>
public sealed class Conv2D : Layer, IActivatedLayer
{
    private readonly PaddingMode _padding;

    /// <param name="inputChannels">The input's last axis.</param>
    /// <param name="filters">Output channels.</param>
    /// <param name="kernelSize">(height, width) of the window.</param>
    /// <param name="strides">(height, width) steps between windows; null is Keras' (1, 1).</param>
    /// <param name="padding">"valid" (none) or "same" (ceil(size / stride) outputs per axis).</param>
    /// <param name="dilationRate">(height, width) spacing of the taps; null is Keras' (1, 1). Above 1 only with strides 1.</param>
    /// <param name="groups">Channel groups convolved separately; divides <paramref name="inputChannels"/> and <paramref name="filters"/>.</param>
    public Conv2D(int inputChannels, int filters, (int Height, int Width) kernelSize, (int Height, int Width)? strides = null,
        string padding = "valid", (int Height, int Width)? dilationRate = null, int groups = 1, Activation activation = Activation.Linear,
        bool useBias = true, string kernelInitializer = "glorot_uniform", string biasInitializer = "zeros") : base(nameof(Conv2D))
    {
        Convolution.RequirePositive(inputChannels, nameof(inputChannels));
        Convolution.RequirePositive(filters, nameof(filters));
        Convolution.RequirePositive(kernelSize, nameof(kernelSize));
        Strides = strides ?? (1, 1);
        DilationRate = dilationRate ?? (1, 1);
        Convolution.RequirePositive(Strides, nameof(strides));
        Convolution.RequirePositive(DilationRate, nameof(dilationRate));
        Convolution.RequireGroups(inputChannels, filters, groups, nameof(Conv2D));
        Convolution.RequireStridesOrDilation(Convolution.Axes(Strides), Convolution.Axes(DilationRate), nameof(Conv2D));
        _padding = Convolution.ParsePadding(padding, allowCausal: false);
        InputChannels = inputChannels;
        Filters = filters;
        KernelSize = kernelSize;
        Groups = groups;
        Activation = activation;
        AddWeight("kernel", Initializers.Create(kernelInitializer, [kernelSize.Height, kernelSize.Width, inputChannels / groups, filters]));
        if (useBias)
            AddWeight("bias", Initializers.Create(biasInitializer, [filters]));
    }

    public int InputChannels { get; }

    public int Filters { get; }

    public (int Height, int Width) KernelSize { get; }

    public (int Height, int Width) Strides { get; }

    /// <summary>Keras' name of the padding ("valid", "same").</summary>
    public string Padding => _padding.KerasName();

    public (int Height, int Width) DilationRate { get; }

    public int Groups { get; }

    public Activation Activation { get; }

    public bool UseBias => Bias is not null;

    public Parameter Kernel => Weight("kernel");

    public Parameter? Bias => OptionalWeight("bias");

    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input)
    {
        using var scope = NewDisposeScope();
        return Convolution.OnnxCorrelate(graph, input, ChannelsLast.TorchKernel(Kernel), Bias, _padding, Convolution.Axes(KernelSize),
            Convolution.Axes(Strides), Convolution.Axes(DilationRate), Groups, Activation);
    }

    public Tensor ForwardLinear(Tensor input)
    {
        Convolution.RequireInput(input, 2, nameof(Conv2D));
        using var scope = NewDisposeScope();
        return Convolution.Correlate(input, ChannelsLast.TorchKernel(Kernel), Bias, _padding,
                Convolution.Axes(KernelSize), Convolution.Axes(Strides), Convolution.Axes(DilationRate), Groups)
            .MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor input)
    {
        if (Activation == Activation.Linear)
            return ForwardLinear(input);
        using var linear = ForwardLinear(input);
        return Activation.Apply(linear);
    }
}

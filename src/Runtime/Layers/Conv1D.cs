namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' Conv1D on channels-last input (batch, steps, channels), any number of steps; kernel
/// (kernelSize, inputChannels / groups, filters), bias (filters); padding "valid", "same" or "causal".
/// </summary>
public sealed class Conv1D : Layer, IActivatedLayer
{
    private readonly PaddingMode _padding;

    /// <param name="inputChannels">The input's last axis.</param>
    /// <param name="filters">Output channels.</param>
    /// <param name="kernelSize">Taps of the window.</param>
    /// <param name="strides">Step between windows; above 1 only with <paramref name="dilationRate"/> 1 (Keras' rule).</param>
    /// <param name="padding">"valid" (none), "same" (ceil(steps / strides) outputs) or "causal" (before only).</param>
    /// <param name="dilationRate">Spacing of the taps.</param>
    /// <param name="groups">Channel groups convolved separately; divides <paramref name="inputChannels"/> and <paramref name="filters"/>.</param>
    public Conv1D(int inputChannels, int filters, int kernelSize, int strides = 1, string padding = "valid", int dilationRate = 1, int groups = 1,
        Activation activation = Activation.Linear, bool useBias = true, string kernelInitializer = "glorot_uniform", string biasInitializer = "zeros")
        : base(nameof(Conv1D))
    {
        Convolution.RequirePositive(inputChannels, nameof(inputChannels));
        Convolution.RequirePositive(filters, nameof(filters));
        Convolution.RequirePositive(kernelSize, nameof(kernelSize));
        Convolution.RequirePositive(strides, nameof(strides));
        Convolution.RequirePositive(dilationRate, nameof(dilationRate));
        Convolution.RequireGroups(inputChannels, filters, groups, nameof(Conv1D));
        Convolution.RequireStridesOrDilation([strides], [dilationRate], nameof(Conv1D));
        _padding = Convolution.ParsePadding(padding, allowCausal: true);
        InputChannels = inputChannels;
        Filters = filters;
        KernelSize = kernelSize;
        Strides = strides;
        DilationRate = dilationRate;
        Groups = groups;
        Activation = activation;
        AddWeight("kernel", Initializers.Create(kernelInitializer, [kernelSize, inputChannels / groups, filters]));
        if (useBias)
            AddWeight("bias", Initializers.Create(biasInitializer, [filters]));
    }

    public int InputChannels { get; }

    public int Filters { get; }

    public int KernelSize { get; }

    public int Strides { get; }

    /// <summary>Keras' name of the padding ("valid", "same", "causal").</summary>
    public string Padding => _padding.KerasName();

    public int DilationRate { get; }

    public int Groups { get; }

    public Activation Activation { get; }

    public bool UseBias => Bias is not null;

    public Parameter Kernel => Weight("kernel");

    public Parameter? Bias => OptionalWeight("bias");

    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input)
    {
        using var scope = NewDisposeScope();
        return Convolution.OnnxCorrelate(graph, input, ChannelsLast.TorchKernel(Kernel), Bias, _padding, [KernelSize], [Strides], [DilationRate], Groups, Activation);
    }

    public Tensor ForwardLinear(Tensor input)
    {
        Convolution.RequireInput(input, 1, nameof(Conv1D));
        using var scope = NewDisposeScope();
        return Convolution.Correlate(input, ChannelsLast.TorchKernel(Kernel), Bias, _padding, [KernelSize], [Strides], [DilationRate], Groups)
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

namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' SeparableConv1D on channels-last input (batch, steps, channels), any number of steps: a depthwise
/// convolution (each input channel alone, <c>depthMultiplier</c> outputs each), then a pointwise one mixing them
/// into <c>filters</c>. Weights depthwise_kernel (kernelSize, inputChannels, depthMultiplier), pointwise_kernel
/// (1, inputChannels * depthMultiplier, filters), bias (filters); padding "valid" or "same".
/// </summary>
public sealed class SeparableConv1D : Layer, IActivatedLayer
{
    private readonly PaddingMode _padding;

    /// <param name="inputChannels">The input's last axis.</param>
    /// <param name="filters">Output channels of the pointwise step.</param>
    /// <param name="kernelSize">Taps of the depthwise window.</param>
    /// <param name="strides">Step between depthwise windows; above 1 only with <paramref name="dilationRate"/> 1.</param>
    /// <param name="padding">"valid" or "same", of the depthwise step.</param>
    /// <param name="dilationRate">Spacing of the depthwise taps.</param>
    /// <param name="depthMultiplier">Depthwise outputs per input channel.</param>
    public SeparableConv1D(int inputChannels, int filters, int kernelSize, int strides = 1, string padding = "valid", int dilationRate = 1,
        int depthMultiplier = 1, Activation activation = Activation.Linear, bool useBias = true, string depthwiseInitializer = "glorot_uniform",
        string pointwiseInitializer = "glorot_uniform", string biasInitializer = "zeros") : base(nameof(SeparableConv1D))
    {
        Convolution.RequirePositive(inputChannels, nameof(inputChannels));
        Convolution.RequirePositive(filters, nameof(filters));
        Convolution.RequirePositive(kernelSize, nameof(kernelSize));
        Convolution.RequirePositive(strides, nameof(strides));
        Convolution.RequirePositive(dilationRate, nameof(dilationRate));
        Convolution.RequirePositive(depthMultiplier, nameof(depthMultiplier));
        Convolution.RequireStridesOrDilation([strides], [dilationRate], nameof(SeparableConv1D));
        _padding = Convolution.ParsePadding(padding, allowCausal: false);
        InputChannels = inputChannels;
        Filters = filters;
        KernelSize = kernelSize;
        Strides = strides;
        DilationRate = dilationRate;
        DepthMultiplier = depthMultiplier;
        Activation = activation;
        AddWeight("depthwise_kernel", Initializers.Create(depthwiseInitializer, [kernelSize, inputChannels, depthMultiplier]));
        AddWeight("pointwise_kernel", Initializers.Create(pointwiseInitializer, [1, (long)inputChannels * depthMultiplier, filters]));
        if (useBias)
            AddWeight("bias", Initializers.Create(biasInitializer, [filters]));
    }

    public int InputChannels { get; }

    public int Filters { get; }

    public int KernelSize { get; }

    public int Strides { get; }

    /// <summary>Keras' name of the padding ("valid", "same").</summary>
    public string Padding => _padding.KerasName();

    public int DilationRate { get; }

    public int DepthMultiplier { get; }

    public Activation Activation { get; }

    public bool UseBias => Bias is not null;

    public Parameter DepthwiseKernel => Weight("depthwise_kernel");

    public Parameter PointwiseKernel => Weight("pointwise_kernel");

    public Parameter? Bias => OptionalWeight("bias");

    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input)
    {
        using var scope = NewDisposeScope();
        var linear = Convolution.OnnxPointwise(graph, Convolution.OnnxCorrelate(graph, input, Convolution.DepthwiseWeight(DepthwiseKernel), null, _padding,
            [KernelSize], [Strides], [DilationRate], InputChannels), PointwiseKernel, Bias);
        return graph.Activation(linear, Activation);
    }

    public Tensor ForwardLinear(Tensor input)
    {
        Convolution.RequireInput(input, 1, nameof(SeparableConv1D));
        using var scope = NewDisposeScope();
        var depthwise = Convolution.Correlate(input, Convolution.DepthwiseWeight(DepthwiseKernel), null, _padding, [KernelSize], [Strides],
            [DilationRate], InputChannels);
        return Convolution.Pointwise(depthwise, PointwiseKernel, Bias).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor input)
    {
        if (Activation == Activation.Linear)
            return ForwardLinear(input);
        using var linear = ForwardLinear(input);
        return Activation.Apply(linear);
    }
}

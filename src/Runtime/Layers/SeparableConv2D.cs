namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' SeparableConv2D on channels-last input (batch, height, width, channels): a depthwise convolution (each
/// input channel alone, <c>depthMultiplier</c> outputs each), then a pointwise (1 x 1) one mixing them into
/// <c>filters</c>. Weights depthwise_kernel (kernelHeight, kernelWidth, inputChannels, depthMultiplier),
/// pointwise_kernel (1, 1, inputChannels * depthMultiplier, filters), bias (filters); padding "valid" or "same".
/// </summary>
public sealed class SeparableConv2D : Layer, IActivatedLayer
{
    private readonly PaddingMode _padding;

    /// <param name="inputChannels">The input's last axis.</param>
    /// <param name="filters">Output channels of the pointwise step.</param>
    /// <param name="kernelSize">(height, width) of the depthwise window.</param>
    /// <param name="strides">(height, width) steps of the depthwise window; null is Keras' (1, 1).</param>
    /// <param name="padding">"valid" or "same", of the depthwise step.</param>
    /// <param name="dilationRate">(height, width) spacing of the depthwise taps; null is Keras' (1, 1). Above 1 only with strides 1.</param>
    /// <param name="depthMultiplier">Depthwise outputs per input channel.</param>
    public SeparableConv2D(int inputChannels, int filters, (int Height, int Width) kernelSize, (int Height, int Width)? strides = null,
        string padding = "valid", (int Height, int Width)? dilationRate = null, int depthMultiplier = 1, Activation activation = Activation.Linear,
        bool useBias = true, string depthwiseInitializer = "glorot_uniform", string pointwiseInitializer = "glorot_uniform",
        string biasInitializer = "zeros") : base(nameof(SeparableConv2D))
    {
        Convolution.RequirePositive(inputChannels, nameof(inputChannels));
        Convolution.RequirePositive(filters, nameof(filters));
        Convolution.RequirePositive(kernelSize, nameof(kernelSize));
        Strides = strides ?? (1, 1);
        DilationRate = dilationRate ?? (1, 1);
        Convolution.RequirePositive(Strides, nameof(strides));
        Convolution.RequirePositive(DilationRate, nameof(dilationRate));
        Convolution.RequirePositive(depthMultiplier, nameof(depthMultiplier));
        Convolution.RequireStridesOrDilation(Convolution.Axes(Strides), Convolution.Axes(DilationRate), nameof(SeparableConv2D));
        _padding = Convolution.ParsePadding(padding, allowCausal: false);
        InputChannels = inputChannels;
        Filters = filters;
        KernelSize = kernelSize;
        DepthMultiplier = depthMultiplier;
        Activation = activation;
        AddWeight("depthwise_kernel",
            Initializers.Create(depthwiseInitializer, [kernelSize.Height, kernelSize.Width, inputChannels, depthMultiplier]));
        AddWeight("pointwise_kernel", Initializers.Create(pointwiseInitializer, [1, 1, (long)inputChannels * depthMultiplier, filters]));
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
            Convolution.Axes(KernelSize), Convolution.Axes(Strides), Convolution.Axes(DilationRate), InputChannels), PointwiseKernel, Bias);
        return graph.Activation(linear, Activation);
    }

    public Tensor ForwardLinear(Tensor input)
    {
        Convolution.RequireInput(input, 2, nameof(SeparableConv2D));
        using var scope = NewDisposeScope();
        var depthwise = Convolution.Correlate(input, Convolution.DepthwiseWeight(DepthwiseKernel), null, _padding, Convolution.Axes(KernelSize),
            Convolution.Axes(Strides), Convolution.Axes(DilationRate), InputChannels);
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

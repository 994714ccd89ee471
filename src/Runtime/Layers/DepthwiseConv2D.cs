namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' DepthwiseConv2D on channels-last input (batch, height, width, channels): each input channel convolved
/// alone into <c>depthMultiplier</c> outputs, output channel c * depthMultiplier + m from input channel c. Weights
/// depthwise_kernel (kernelHeight, kernelWidth, inputChannels, depthMultiplier), bias (inputChannels * depthMultiplier);
/// padding "valid" or "same".
/// </summary>
public sealed class DepthwiseConv2D : Layer, IActivatedLayer
{
    private readonly PaddingMode _padding;

    /// <param name="inputChannels">The input's last axis.</param>
    /// <param name="kernelSize">(height, width) of the window.</param>
    /// <param name="strides">(height, width) steps between windows; null is Keras' (1, 1).</param>
    /// <param name="padding">"valid" or "same".</param>
    /// <param name="depthMultiplier">Outputs per input channel.</param>
    /// <param name="dilationRate">(height, width) spacing of the taps; null is Keras' (1, 1). Above 1 only with strides 1.</param>
    public DepthwiseConv2D(int inputChannels, (int Height, int Width) kernelSize, (int Height, int Width)? strides = null, string padding = "valid",
        int depthMultiplier = 1, (int Height, int Width)? dilationRate = null, Activation activation = Activation.Linear, bool useBias = true,
        string depthwiseInitializer = "glorot_uniform", string biasInitializer = "zeros") : base(nameof(DepthwiseConv2D))
    {
        Convolution.RequirePositive(inputChannels, nameof(inputChannels));
        Convolution.RequirePositive(kernelSize, nameof(kernelSize));
        Strides = strides ?? (1, 1);
        DilationRate = dilationRate ?? (1, 1);
        Convolution.RequirePositive(Strides, nameof(strides));
        Convolution.RequirePositive(DilationRate, nameof(dilationRate));
        Convolution.RequirePositive(depthMultiplier, nameof(depthMultiplier));
        Convolution.RequireStridesOrDilation(Convolution.Axes(Strides), Convolution.Axes(DilationRate), nameof(DepthwiseConv2D));
        _padding = Convolution.ParsePadding(padding, allowCausal: false);
        InputChannels = inputChannels;
        KernelSize = kernelSize;
        DepthMultiplier = depthMultiplier;
        Activation = activation;
        AddWeight("depthwise_kernel",
            Initializers.Create(depthwiseInitializer, [kernelSize.Height, kernelSize.Width, inputChannels, depthMultiplier]));
        if (useBias)
            AddWeight("bias", Initializers.Create(biasInitializer, [(long)inputChannels * depthMultiplier]));
    }

    public int InputChannels { get; }

    public (int Height, int Width) KernelSize { get; }

    public (int Height, int Width) Strides { get; }

    /// <summary>Keras' name of the padding ("valid", "same").</summary>
    public string Padding => _padding.KerasName();

    public int DepthMultiplier { get; }

    public (int Height, int Width) DilationRate { get; }

    public Activation Activation { get; }

    public bool UseBias => Bias is not null;

    public Parameter DepthwiseKernel => Weight("depthwise_kernel");

    public Parameter? Bias => OptionalWeight("bias");

    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input)
    {
        using var scope = NewDisposeScope();
        return Convolution.OnnxCorrelate(graph, input, Convolution.DepthwiseWeight(DepthwiseKernel), Bias, _padding, Convolution.Axes(KernelSize),
            Convolution.Axes(Strides), Convolution.Axes(DilationRate), InputChannels, Activation);
    }

    public Tensor ForwardLinear(Tensor input)
    {
        Convolution.RequireInput(input, 2, nameof(DepthwiseConv2D));
        using var scope = NewDisposeScope();
        return Convolution.Correlate(input, Convolution.DepthwiseWeight(DepthwiseKernel), Bias, _padding, Convolution.Axes(KernelSize),
                Convolution.Axes(Strides), Convolution.Axes(DilationRate), InputChannels)
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

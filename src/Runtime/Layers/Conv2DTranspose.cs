namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' Conv2DTranspose on channels-last input (batch, height, width, channels): the gradient of a Conv2D with the
/// same arguments, so it maps that convolution's output size back up. Kernel (kernelHeight, kernelWidth, filters,
/// inputChannels), bias (filters); padding "valid" or "same".
/// </summary>
public sealed class Conv2DTranspose : Layer, IActivatedLayer
{
    private readonly PaddingMode _padding;

    /// <param name="inputChannels">The input's last axis.</param>
    /// <param name="filters">Output channels.</param>
    /// <param name="kernelSize">(height, width) of the window.</param>
    /// <param name="strides">(height, width) upsampling factors; null is Keras' (1, 1).</param>
    /// <param name="padding">"valid": (size - 1) * stride + max(span, stride) outputs per axis; "same": size * stride.</param>
    /// <param name="outputPadding">
    /// Null (Keras' default) lets the padding decide the size; otherwise (height, width) cells added after, each from
    /// 0 to its stride - 1: (size - 1) * stride + span + padding ("valid") or (size - 1) * stride + span % 2 + padding ("same").
    /// </param>
    /// <param name="dilationRate">(height, width) spacing of the taps; null is Keras' (1, 1). Above 1 only with strides 1.</param>
    public Conv2DTranspose(int inputChannels, int filters, (int Height, int Width) kernelSize, (int Height, int Width)? strides = null,
        string padding = "valid", (int Height, int Width)? outputPadding = null, (int Height, int Width)? dilationRate = null,
        Activation activation = Activation.Linear, bool useBias = true, string kernelInitializer = "glorot_uniform",
        string biasInitializer = "zeros") : base(nameof(Conv2DTranspose))
    {
        Convolution.RequirePositive(inputChannels, nameof(inputChannels));
        Convolution.RequirePositive(filters, nameof(filters));
        Convolution.RequirePositive(kernelSize, nameof(kernelSize));
        Strides = strides ?? (1, 1);
        DilationRate = dilationRate ?? (1, 1);
        Convolution.RequirePositive(Strides, nameof(strides));
        Convolution.RequirePositive(DilationRate, nameof(dilationRate));
        Convolution.RequireStridesOrDilation(Convolution.Axes(Strides), Convolution.Axes(DilationRate), nameof(Conv2DTranspose));
        Convolution.RequireOutputPadding(outputPadding is { } extra ? Convolution.Axes(extra) : null, Convolution.Axes(Strides), nameof(Conv2DTranspose));
        _padding = Convolution.ParsePadding(padding, allowCausal: false);
        InputChannels = inputChannels;
        Filters = filters;
        KernelSize = kernelSize;
        OutputPadding = outputPadding;
        Activation = activation;
        AddWeight("kernel", Initializers.Create(kernelInitializer, [kernelSize.Height, kernelSize.Width, filters, inputChannels]));
        if (useBias)
            AddWeight("bias", Initializers.Create(biasInitializer, [filters]));
    }

    public int InputChannels { get; }

    public int Filters { get; }

    public (int Height, int Width) KernelSize { get; }

    public (int Height, int Width) Strides { get; }

    /// <summary>Keras' name of the padding ("valid", "same").</summary>
    public string Padding => _padding.KerasName();

    public (int Height, int Width)? OutputPadding { get; }

    public (int Height, int Width) DilationRate { get; }

    public Activation Activation { get; }

    public bool UseBias => Bias is not null;

    public Parameter Kernel => Weight("kernel");

    public Parameter? Bias => OptionalWeight("bias");

    /// <summary>Keras' output (height, width) for an input of <paramref name="height"/> by <paramref name="width"/>.</summary>
    public (long Height, long Width) OutputSize(long height, long width) =>
        (Layers.Padding.TransposedLength(_padding, height, KernelSize.Height, Strides.Height, DilationRate.Height, OutputPadding?.Height),
         Layers.Padding.TransposedLength(_padding, width, KernelSize.Width, Strides.Width, DilationRate.Width, OutputPadding?.Width));

    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input)
    {
        using var scope = NewDisposeScope();
        return Convolution.OnnxCorrelateTransposed(graph, input, ChannelsLast.TorchKernel(Kernel), Bias, _padding, Convolution.Axes(KernelSize),
            Convolution.Axes(Strides), Convolution.Axes(DilationRate), OutputPadding is { } extra ? Convolution.Axes(extra) : null, Activation);
    }

    public Tensor ForwardLinear(Tensor input)
    {
        Convolution.RequireInput(input, 2, nameof(Conv2DTranspose));
        using var scope = NewDisposeScope();
        return Convolution.CorrelateTransposed(input, ChannelsLast.TorchKernel(Kernel), Bias, _padding, Convolution.Axes(KernelSize),
                Convolution.Axes(Strides), Convolution.Axes(DilationRate), OutputPadding is { } extra ? Convolution.Axes(extra) : null,
                nameof(Conv2DTranspose))
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

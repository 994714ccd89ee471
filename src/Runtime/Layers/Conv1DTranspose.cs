namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' Conv1DTranspose on channels-last input (batch, steps, channels), any number of steps: the gradient of a
/// Conv1D with the same arguments, so it maps that convolution's output length back up. Kernel
/// (kernelSize, filters, inputChannels), bias (filters); padding "valid" or "same".
/// </summary>
public sealed class Conv1DTranspose : Layer, IActivatedLayer
{
    private readonly PaddingMode _padding;

    /// <param name="inputChannels">The input's last axis.</param>
    /// <param name="filters">Output channels.</param>
    /// <param name="kernelSize">Taps of the window.</param>
    /// <param name="strides">Upsampling factor; above 1 only with <paramref name="dilationRate"/> 1 (Keras' rule).</param>
    /// <param name="padding">"valid": (steps - 1) * strides + max(span, strides) outputs; "same": steps * strides.</param>
    /// <param name="outputPadding">
    /// Null (Keras' default) lets the padding decide the length; otherwise cells added after, from 0 to strides - 1:
    /// (steps - 1) * strides + span + outputPadding ("valid") or (steps - 1) * strides + span % 2 + outputPadding ("same").
    /// </param>
    /// <param name="dilationRate">Spacing of the taps.</param>
    public Conv1DTranspose(int inputChannels, int filters, int kernelSize, int strides = 1, string padding = "valid", int? outputPadding = null,
        int dilationRate = 1, Activation activation = Activation.Linear, bool useBias = true, string kernelInitializer = "glorot_uniform",
        string biasInitializer = "zeros") : base(nameof(Conv1DTranspose))
    {
        Convolution.RequirePositive(inputChannels, nameof(inputChannels));
        Convolution.RequirePositive(filters, nameof(filters));
        Convolution.RequirePositive(kernelSize, nameof(kernelSize));
        Convolution.RequirePositive(strides, nameof(strides));
        Convolution.RequirePositive(dilationRate, nameof(dilationRate));
        Convolution.RequireStridesOrDilation([strides], [dilationRate], nameof(Conv1DTranspose));
        Convolution.RequireOutputPadding(outputPadding is { } extra ? [extra] : null, [strides], nameof(Conv1DTranspose));
        _padding = Convolution.ParsePadding(padding, allowCausal: false);
        InputChannels = inputChannels;
        Filters = filters;
        KernelSize = kernelSize;
        Strides = strides;
        OutputPadding = outputPadding;
        DilationRate = dilationRate;
        Activation = activation;
        AddWeight("kernel", Initializers.Create(kernelInitializer, [kernelSize, filters, inputChannels]));
        if (useBias)
            AddWeight("bias", Initializers.Create(biasInitializer, [filters]));
    }

    public int InputChannels { get; }

    public int Filters { get; }

    public int KernelSize { get; }

    public int Strides { get; }

    /// <summary>Keras' name of the padding ("valid", "same").</summary>
    public string Padding => _padding.KerasName();

    public int? OutputPadding { get; }

    public int DilationRate { get; }

    public Activation Activation { get; }

    public bool UseBias => Bias is not null;

    public Parameter Kernel => Weight("kernel");

    public Parameter? Bias => OptionalWeight("bias");

    /// <summary>Keras' output length for an input of <paramref name="steps"/> steps.</summary>
    public long OutputLength(long steps) =>
        Layers.Padding.TransposedLength(_padding, steps, KernelSize, Strides, DilationRate, OutputPadding);

    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input)
    {
        using var scope = NewDisposeScope();
        return Convolution.OnnxCorrelateTransposed(graph, input, ChannelsLast.TorchKernel(Kernel), Bias, _padding, [KernelSize], [Strides],
            [DilationRate], OutputPadding is { } extra ? [extra] : null, Activation);
    }

    public Tensor ForwardLinear(Tensor input)
    {
        Convolution.RequireInput(input, 1, nameof(Conv1DTranspose));
        using var scope = NewDisposeScope();
        long[]? outputPadding = OutputPadding is { } extra ? [extra] : null;
        return Convolution.CorrelateTransposed(input, ChannelsLast.TorchKernel(Kernel), Bias, _padding, [KernelSize], [Strides], [DilationRate],
                outputPadding, nameof(Conv1DTranspose))
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

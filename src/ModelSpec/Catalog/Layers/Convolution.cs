namespace ModelDsl.Spec;

/// <summary>
/// What Keras' convolutions share, channels-last over steps (1-D) or images (2-D): a window (kernel_size), strides,
/// padding and dilation_rate per axis, the activation the output ends in, and the checks between them.
/// </summary>
public abstract class ConvolutionLayer : LayerKind
{
    protected ConvolutionLayer(int axes, bool causal)
    {
        Axes = axes;
        var oneOrTwo = axes == 1 ? string.Empty : ": one for both axes, or (height, width)";
        KernelSize = new WindowArgument("kernel_size", "The window" + oneOrTwo + ".", axes)
        {
            MissingHint = axes == 1 ? " (the window length, e.g. kernel_size: 3)" : " (the window, e.g. kernel_size: 3 or [3, 3])",
        };
        Strides = new WindowArgument("strides", "The step between windows" + oneOrTwo + ".", axes);
        Padding = causal
            ? new ChoiceArgument("padding", "valid (no padding), same (output length ceil(steps / strides)) or causal (left padding only).",
                Spec.Padding.Valid, new[] { Spec.Padding.Valid, Spec.Padding.Same, Spec.Padding.Causal })
            : new ChoiceArgument("padding", "valid (no padding) or same (output length ceil(input / strides)).", Spec.Padding.Valid, Spec.Padding.ValidOrSame)
            {
                Elsewhere = new Dictionary<string, string>
                {
                    [Spec.Padding.Causal] = axes == 1 ? string.Empty : " (causal padding is for conv1d over time steps; an image has no past and future)",
                },
            };
        DilationRate = new WindowArgument("dilation_rate", "The spacing between the window's taps" + oneOrTwo + ".", axes);
    }

    public static readonly ActivationArgument Activation = CommonArguments.Activation();
    public static readonly BoolArgument UseBias = CommonArguments.UseBias();
    public static readonly InitializerArgument KernelInitializer = CommonArguments.KernelInitializer();
    public static readonly InitializerArgument BiasInitializer = CommonArguments.BiasInitializer();
    public static readonly RegularizerArgument KernelRegularizer = CommonArguments.KernelRegularizer();
    public static readonly RegularizerArgument BiasRegularizer = CommonArguments.BiasRegularizer();

    /// <summary>1 for steps, 2 for images.</summary>
    public int Axes { get; }

    public WindowArgument KernelSize { get; }

    public WindowArgument Strides { get; }

    public ChoiceArgument Padding { get; }

    public WindowArgument DilationRate { get; }

    public override IReadOnlyList<string> Unsupported { get; } = WeightUnsupported.Concat(new[] { "data_format" }).Concat(LayerUnsupported).ToArray();

    public override string UnsupportedHint(string argument) => CommonArguments.UnsupportedHint(argument);

    public override ActivationArgument OutputActivation => Activation;

    public override bool CanStopBeforeActivation => true;

    public override IReadOnlyList<object> RuntimeSizes(LayerSpec layer) => InputFeatures(layer);

    /// <summary>Keras rejects a dilated, strided window: it skips inputs unevenly.</summary>
    internal override bool Validate(LayerBinding binding)
    {
        var dilation = binding.Get(DilationRate);
        if (dilation.Any(d => d > 1) && binding.Get(Strides).Any(s => s > 1))
        {
            binding.Report(DiagnosticCatalog.OutOfRange, binding.SpanOf(DilationRate), binding.Args.Describe(DilationRate.Name), "1 when strides is greater than 1",
                Axes == 1 ? dilation[0].ToString(System.Globalization.CultureInfo.InvariantCulture) : "[" + string.Join(", ", dilation) + "]");
        }

        return true;
    }

    /// <summary>The output's spatial sizes, or null (reported); ordinary convolutions slide the dilated window.</summary>
    internal virtual int[]? Spatial(ShapeContext shapes) =>
        shapes.SlideWindows(shapes.Get(KernelSize), shapes.Get(Strides), shapes.Get(DilationRate), shapes.Get(Padding), "kernel_size");

    /// <summary>The output channels and the parameter count, from the input channels; null (reported) when they do not fit.</summary>
    internal abstract (int Channels, long Parameters)? Weights(ShapeContext shapes, long window, int channels);

    internal override bool Infer(ShapeContext shapes)
    {
        if (!shapes.NeedsSpatial(Axes, Name.Replace("1d", "2d")))
        {
            return false;
        }

        var spatial = Spatial(shapes);
        var window = shapes.Get(KernelSize).Aggregate(1L, (p, k) => p * k);
        var weights = spatial == null ? null : Weights(shapes, window, shapes.Last);
        if (weights == null)
        {
            return false;
        }

        shapes.Output(spatial!.Concat(new[] { weights.Value.Channels }).ToArray(), weights.Value.Parameters);
        return true;
    }

    private protected long Bias(ShapeContext shapes, int count) => shapes.Get(UseBias) ? count : 0;
}

/// <summary>Keras' Conv1D and Conv2D: kernel (kernel_size..., channels / groups, filters).</summary>
public abstract class PlainConvolutionLayer : ConvolutionLayer
{
    protected PlainConvolutionLayer(int axes) : base(axes, causal: axes == 1)
    {
        Arguments = new Argument[]
        {
            Filters, KernelSize, Strides, Padding, DilationRate, Groups, Activation, UseBias, KernelInitializer, BiasInitializer,
            KernelRegularizer, BiasRegularizer, CommonArguments.ActivityRegularizer,
        };
    }

    public static readonly IntArgument Filters = CommonArguments.Filters();
    public static readonly IntArgument Groups = new("groups", "How many groups the channels split into, each convolved on its own.", 1);

    public override IReadOnlyList<Argument> Arguments { get; }

    public override IntArgument Width => Filters;

    internal override (int Channels, long Parameters)? Weights(ShapeContext shapes, long window, int channels)
    {
        var filters = shapes.Get(Filters);
        var groups = shapes.Get(Groups);
        if (channels % groups != 0 || filters % groups != 0)
        {
            shapes.Report(DiagnosticCatalog.ArgumentShapeMismatch, shapes.Layer.Index, shapes.Layer.KindName, $"splits {channels} input channels and {filters} filters into {groups} groups",
                shapes.From, ShapeContext.Format(shapes.Input), "use a groups that divides both");
            return null;
        }

        return (filters, checked((window * (channels / groups) * filters) + Bias(shapes, filters)));
    }
}

/// <summary>Keras' Conv1D on (steps, channels); padding valid, same or causal.</summary>
public sealed class Conv1DLayer() : PlainConvolutionLayer(1)
{
    public override LayerExample Example { get; } = new("[10, 3]", "- conv1d: {filters: 4, kernel_size: 3, padding: causal, dilation_rate: 2}");

    public override string Name => "conv1d";

    public override string KerasClass => "Conv1D";

    public override string Summary => "A 1-D convolution over steps (channels-last).";
}

/// <summary>Keras' Conv2D on (height, width, channels).</summary>
public sealed class Conv2DLayer() : PlainConvolutionLayer(2)
{
    public override LayerExample Example { get; } = new("[8, 8, 2]", "- conv2d: {filters: 4, kernel_size: [3, 2], strides: 2, groups: 2}");

    public override string Name => "conv2d";

    public override string KerasClass => "Conv2D";

    public override string Summary => "A 2-D convolution over images (channels-last).";
}

namespace ModelDsl.Spec;

/// <summary>Keras' Conv1D on channels-last (steps, channels): kernel (kernel_size, channels, filters); padding valid, same or causal.</summary>
public sealed class Conv1DLayer : LayerKind
{
    public static readonly IntArgument Filters = CommonArguments.Filters();
    public static readonly WindowArgument KernelSize = new("kernel_size", "The window length.", 1) { MissingHint = " (the window length, e.g. kernel_size: 3)" };
    public static readonly WindowArgument Strides = new("strides", "The step between windows.", 1);
    public static readonly ChoiceArgument Padding = new("padding", "valid (no padding), same (output length ceil(steps / strides)) or causal (left padding only).",
        Spec.Padding.Valid, new[] { Spec.Padding.Valid, Spec.Padding.Same, Spec.Padding.Causal });
    public static readonly WindowArgument DilationRate = new("dilation_rate", "The spacing between the window's taps.", 1);
    public static readonly ActivationArgument Activation = CommonArguments.Activation();
    public static readonly BoolArgument UseBias = CommonArguments.UseBias();
    public static readonly InitializerArgument KernelInitializer = CommonArguments.KernelInitializer();
    public static readonly InitializerArgument BiasInitializer = CommonArguments.BiasInitializer();

    public override string Name => "conv1d";

    public override string KerasClass => "Conv1D";

    public override string Summary => "A 1-D convolution over steps (channels-last).";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[]
    {
        Filters, KernelSize, Strides, Padding, DilationRate, Activation, UseBias, KernelInitializer, BiasInitializer,
    };

    public override IReadOnlyList<string> Unsupported { get; } = WeightUnsupported.Concat(new[] { "groups", "data_format" }).Concat(LayerUnsupported).ToArray();

    public override string UnsupportedHint(string argument) => CommonArguments.UnsupportedHint(argument);

    public override ActivationArgument OutputActivation => Activation;

    public override bool CanStopBeforeActivation => true;

    public override IntArgument Width => Filters;

    public override IReadOnlyList<int> RuntimeSizes(LayerSpec layer) => new[] { layer.InputShape[layer.InputShape.Count - 1] };

    /// <summary>Keras rejects a dilated, strided window too: it skips inputs unevenly.</summary>
    internal override bool Validate(LayerBinding binding)
    {
        var dilation = binding.Get(DilationRate)[0];
        if (dilation > 1 && binding.Get(Strides)[0] > 1)
        {
            binding.Report(DiagnosticCatalog.OutOfRange, binding.SpanOf(DilationRate), binding.Args.Describe(DilationRate.Name), "1 when strides is greater than 1", dilation);
        }

        return true;
    }

    internal override bool Infer(ShapeContext shapes)
    {
        if (!shapes.NeedsRank(2, "a 3-D input (batch, steps, channels)", "conv2d"))
        {
            return false;
        }

        var kernel = shapes.Get(KernelSize)[0];
        var dilation = shapes.Get(DilationRate)[0];
        var span = ((long)dilation * (kernel - 1)) + 1;
        var what = dilation > 1 ? $"kernel span (kernel_size {kernel} with dilation_rate {dilation})" : "kernel_size";
        var length = shapes.Slide(0, "steps", span, shapes.Get(Strides)[0], shapes.Get(Padding), what, "kernel_size");
        if (length == null)
        {
            return false;
        }

        var filters = shapes.Get(Filters);
        shapes.Output(new[] { length.Value, filters }, checked(((long)kernel * shapes.Input[1] * filters) + (shapes.Get(UseBias) ? filters : 0)));
        return true;
    }
}

/// <summary>Keras' Conv2D on channels-last (height, width, channels): kernel (kh, kw, channels, filters).</summary>
public sealed class Conv2DLayer : LayerKind
{
    public static readonly IntArgument Filters = CommonArguments.Filters();
    public static readonly WindowArgument KernelSize = new("kernel_size", "The window: one size for both axes, or (height, width).", 2)
    {
        MissingHint = " (the window, e.g. kernel_size: 3 or [3, 3])",
    };
    public static readonly WindowArgument Strides = new("strides", "The step between windows: one for both axes, or (height, width).", 2);
    public static readonly ChoiceArgument Padding = CommonArguments.Padding();
    public static readonly ActivationArgument Activation = CommonArguments.Activation();
    public static readonly BoolArgument UseBias = CommonArguments.UseBias();
    public static readonly InitializerArgument KernelInitializer = CommonArguments.KernelInitializer();
    public static readonly InitializerArgument BiasInitializer = CommonArguments.BiasInitializer();

    public override string Name => "conv2d";

    public override string KerasClass => "Conv2D";

    public override string Summary => "A 2-D convolution over images (channels-last).";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[]
    {
        Filters, KernelSize, Strides, Padding, Activation, UseBias, KernelInitializer, BiasInitializer,
    };

    public override IReadOnlyList<string> Unsupported { get; } = WeightUnsupported.Concat(new[] { "dilation_rate", "groups", "data_format" }).Concat(LayerUnsupported).ToArray();

    public override string UnsupportedHint(string argument) => CommonArguments.UnsupportedHint(argument);

    public override ActivationArgument OutputActivation => Activation;

    public override bool CanStopBeforeActivation => true;

    public override IntArgument Width => Filters;

    public override IReadOnlyList<int> RuntimeSizes(LayerSpec layer) => new[] { layer.InputShape[layer.InputShape.Count - 1] };

    internal override bool Infer(ShapeContext shapes)
    {
        if (!shapes.NeedsImage())
        {
            return false;
        }

        var kernel = shapes.Get(KernelSize);
        var strides = shapes.Get(Strides);
        var padding = shapes.Get(Padding);
        var height = shapes.Slide(0, "height", kernel[0], strides[0], padding, "kernel_size", "kernel_size");
        var width = height == null ? null : shapes.Slide(1, "width", kernel[1], strides[1], padding, "kernel_size", "kernel_size");
        if (width == null)
        {
            return false;
        }

        var filters = shapes.Get(Filters);
        var parameters = checked(((long)kernel[0] * kernel[1] * shapes.Input[2] * filters) + (shapes.Get(UseBias) ? filters : 0));
        shapes.Output(new[] { height!.Value, width.Value, filters }, parameters);
        return true;
    }
}

namespace ModelDsl.Spec;

/// <summary>
/// Keras' Conv1DTranspose and Conv2DTranspose: kernel (kernel_size..., filters, channels), each output length by
/// Keras' formula (valid: n · stride + max(k - stride, 0); same: n · stride; with output_padding:
/// (n - 1) · stride + k - 2 · pad + output_padding, pad = k // 2 for same), k the dilated window.
/// </summary>
public abstract class ConvolutionTransposeLayer : ConvolutionLayer
{
    protected ConvolutionTransposeLayer(int axes) : base(axes, causal: false)
    {
        OutputPadding = new WindowArgument("output_padding", "Extra length added at the end of each axis; Keras' formula when null.", axes, 0, min: 0)
        {
            NoneByDefault = true,
        };
        Arguments = new Argument[]
        {
            Filters, KernelSize, Strides, Padding, OutputPadding, DilationRate, Activation, UseBias, KernelInitializer, BiasInitializer,
            KernelRegularizer, BiasRegularizer, CommonArguments.ActivityRegularizer,
        };
    }

    public static readonly IntArgument Filters = CommonArguments.Filters();

    public WindowArgument OutputPadding { get; }

    public override IReadOnlyList<Argument> Arguments { get; }

    public override IntArgument Width => Filters;

    /// <summary>Keras' rule: each output_padding must be less than its stride.</summary>
    internal override bool Validate(LayerBinding binding)
    {
        if (binding.GetOptional(OutputPadding) is { } padding && padding.Zip(binding.Get(Strides), (p, s) => p >= s).Any(tooLarge => tooLarge))
        {
            binding.Report(DiagnosticCatalog.OutOfRange, binding.SpanOf(OutputPadding), binding.Args.Describe(OutputPadding.Name), "less than strides on each axis",
                "[" + string.Join(", ", padding) + "]");
            return false;
        }

        return base.Validate(binding);
    }

    internal override int[]? Spatial(ShapeContext shapes)
    {
        var kernel = shapes.Get(KernelSize);
        var strides = shapes.Get(Strides);
        var dilation = shapes.Get(DilationRate);
        var same = shapes.Get(Padding) == Spec.Padding.Same;
        var outputPadding = shapes.GetOptional(OutputPadding);
        var output = new int[Axes];
        for (var axis = 0; axis < Axes; axis++)
        {
            if (shapes.Input[axis] == Axis.Variable)
            {
                output[axis] = Axis.Variable;
                continue;
            }

            long n = shapes.Input[axis];
            long k = kernel[axis] + ((kernel[axis] - 1L) * (dilation[axis] - 1));
            long stride = strides[axis];
            var length = outputPadding == null
                ? (same ? n * stride : (n * stride) + Math.Max(k - stride, 0))
                : ((n - 1) * stride) + k - (2 * (same ? k / 2 : 0)) + outputPadding.Value[axis];
            if (length < 1 || length > int.MaxValue)
            {
                shapes.Report(DiagnosticCatalog.ArgumentShapeMismatch, shapes.Layer.Index, shapes.Layer.KindName, $"would give an output {length} long along axis {axis + 1}",
                    shapes.From, ShapeContext.Format(shapes.Input), "use a larger input or a smaller kernel_size");
                return null;
            }

            output[axis] = (int)length;
        }

        return output;
    }

    internal override (int Channels, long Parameters)? Weights(ShapeContext shapes, long window, int channels)
    {
        var filters = shapes.Get(Filters);
        return (filters, checked((window * filters * channels) + Bias(shapes, filters)));
    }
}

/// <summary>Keras' Conv1DTranspose on (steps, channels).</summary>
public sealed class Conv1DTransposeLayer() : ConvolutionTransposeLayer(1)
{
    public override LayerExample Example { get; } = new("[5, 3]", "- conv1d_transpose: {filters: 2, kernel_size: 3, strides: 2, padding: same}");

    public override string Name => "conv1d_transpose";

    public override string KerasClass => "Conv1DTranspose";

    public override string Summary => "A transposed 1-D convolution (channels-last), which lengthens the steps by its strides.";
}

/// <summary>Keras' Conv2DTranspose on (height, width, channels).</summary>
public sealed class Conv2DTransposeLayer() : ConvolutionTransposeLayer(2)
{
    public override LayerExample Example { get; } = new("[4, 4, 3]", "- conv2d_transpose: {filters: 2, kernel_size: 3, strides: 2, output_padding: 1}");

    public override string Name => "conv2d_transpose";

    public override string KerasClass => "Conv2DTranspose";

    public override string Summary => "A transposed 2-D convolution (channels-last), which enlarges images by its strides.";
}

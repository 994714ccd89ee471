namespace ModelDsl.Spec;

/// <summary>
/// Keras' SeparableConv1D and SeparableConv2D: a depthwise kernel (kernel_size..., channels, depth_multiplier), then
/// a pointwise one (1..., channels · depth_multiplier, filters) and a bias (filters).
/// </summary>
public abstract class SeparableConvolutionLayer : ConvolutionLayer
{
    protected SeparableConvolutionLayer(int axes) : base(axes, causal: axes == 1)
    {
        Arguments = new Argument[]
        {
            Filters, KernelSize, Strides, Padding, DilationRate, DepthMultiplier, Activation, UseBias, DepthwiseInitializer, PointwiseInitializer, BiasInitializer,
        };
    }

    public static readonly IntArgument Filters = CommonArguments.Filters();
    public static readonly IntArgument DepthMultiplier = new("depth_multiplier", "How many depthwise outputs each input channel gives.", 1);
    public static readonly InitializerArgument DepthwiseInitializer = new("depthwise_initializer", "How the depthwise kernel is initialised.", CommonArguments.GlorotUniform);
    public static readonly InitializerArgument PointwiseInitializer = new("pointwise_initializer", "How the pointwise kernel is initialised.", CommonArguments.GlorotUniform);

    public override IReadOnlyList<Argument> Arguments { get; }

    public override IReadOnlyList<string> Unsupported { get; } = new[]
    {
        "depthwise_regularizer", "pointwise_regularizer", "bias_regularizer", "activity_regularizer", "depthwise_constraint", "pointwise_constraint", "bias_constraint", "data_format",
    }.Concat(LayerUnsupported).ToArray();

    public override IntArgument Width => Filters;

    internal override (int Channels, long Parameters)? Weights(ShapeContext shapes, long window, int channels)
    {
        var filters = shapes.Get(Filters);
        var depth = (long)channels * shapes.Get(DepthMultiplier);
        return (filters, checked((window * depth) + (depth * filters) + Bias(shapes, filters)));
    }
}

public sealed class SeparableConv1DLayer() : SeparableConvolutionLayer(1)
{
    public override LayerExample Example { get; } = new("[10, 3]", "- separable_conv1d: {filters: 4, kernel_size: 3, depth_multiplier: 2}");

    public override string Name => "separable_conv1d";

    public override string KerasClass => "SeparableConv1D";

    public override string Summary => "A depthwise separable 1-D convolution (channels-last).";
}

public sealed class SeparableConv2DLayer() : SeparableConvolutionLayer(2)
{
    public override LayerExample Example { get; } = new("[8, 8, 3]", "- separable_conv2d: {filters: 4, kernel_size: 3, padding: same}");

    public override string Name => "separable_conv2d";

    public override string KerasClass => "SeparableConv2D";

    public override string Summary => "A depthwise separable 2-D convolution (channels-last).";
}

/// <summary>Keras' DepthwiseConv2D: each channel convolved on its own, depthwise_kernel (kh, kw, channels, depth_multiplier).</summary>
public sealed class DepthwiseConv2DLayer : ConvolutionLayer
{
    public override LayerExample Example { get; } = new("[8, 8, 3]", "- depthwise_conv2d: {kernel_size: 3, depth_multiplier: 2}");

    public DepthwiseConv2DLayer() : base(2, causal: false)
    {
        Arguments = new Argument[] { KernelSize, Strides, Padding, DepthMultiplier, DilationRate, Activation, UseBias, DepthwiseInitializer, BiasInitializer };
    }

    public static readonly IntArgument DepthMultiplier = SeparableConvolutionLayer.DepthMultiplier;
    public static readonly InitializerArgument DepthwiseInitializer = SeparableConvolutionLayer.DepthwiseInitializer;

    public override string Name => "depthwise_conv2d";

    public override string KerasClass => "DepthwiseConv2D";

    public override string Summary => "A depthwise 2-D convolution: each channel convolved on its own (channels-last).";

    public override IReadOnlyList<Argument> Arguments { get; }

    public override IReadOnlyList<string> Unsupported { get; } = new[]
    {
        "depthwise_regularizer", "bias_regularizer", "activity_regularizer", "depthwise_constraint", "bias_constraint", "data_format",
    }.Concat(LayerUnsupported).ToArray();

    internal override (int Channels, long Parameters)? Weights(ShapeContext shapes, long window, int channels)
    {
        var depth = checked(channels * shapes.Get(DepthMultiplier));
        return (depth, checked((window * depth) + Bias(shapes, depth)));
    }
}

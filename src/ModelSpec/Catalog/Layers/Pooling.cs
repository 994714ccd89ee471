namespace ModelDsl.Spec;

/// <summary>
/// Keras' max and average pooling over windows of steps (1-D) or of an image (2-D), channels-last; <c>strides</c>
/// default (None) to the pool size: windows side by side.
/// </summary>
public abstract class WindowPoolingLayer : LayerKind
{
    protected WindowPoolingLayer(int axes, bool poolSizeRequired)
    {
        Axes = axes;
        PoolSize = new WindowArgument("pool_size", axes == 1 ? "The window length." : "The window: one size for both axes, or (height, width).", axes, 2)
        {
            MissingHint = poolSizeRequired ? (axes == 1 ? " (the window length, e.g. pool_size: 2)" : " (the window, e.g. pool_size: 2 or [2, 2])") : null,
        };
        Strides = new WindowArgument("strides", "The step between windows; the pool size when null.", axes) { Follows = PoolSize };
        Arguments = new Argument[] { PoolSize, Strides, Padding };
    }

    public static readonly ChoiceArgument Padding = CommonArguments.Padding();

    /// <summary>1 for steps, 2 for images.</summary>
    public int Axes { get; }

    public WindowArgument PoolSize { get; }

    public WindowArgument Strides { get; }

    public override IReadOnlyList<Argument> Arguments { get; }

    public override Argument Shorthand => PoolSize;

    public override IReadOnlyList<string> Unsupported { get; } = new[] { "data_format" }.Concat(LayerUnsupported).ToArray();

    public override string UnsupportedHint(string argument) => CommonArguments.UnsupportedHint(argument);

    internal override bool Infer(ShapeContext shapes)
    {
        if (!shapes.NeedsSpatial(Axes, Name.Replace("1d", "2d")))
        {
            return false;
        }

        var spatial = shapes.SlideWindows(shapes.Get(PoolSize), shapes.Get(Strides), null, shapes.Get(Padding), "pool_size");
        if (spatial == null)
        {
            return false;
        }

        shapes.Output(spatial.Concat(new[] { shapes.Last }).ToArray(), 0);
        return true;
    }
}

/// <summary>Keras' MaxPooling1D on (steps, channels).</summary>
public sealed class MaxPooling1DLayer() : WindowPoolingLayer(1, poolSizeRequired: false)
{
    public override LayerExample Example { get; } = new("[10, 3]", "- max_pooling1d: {pool_size: 3, strides: 2, padding: same}");

    public override string Name => "max_pooling1d";

    public override string KerasClass => "MaxPooling1D";

    public override string Summary => "The maximum over each window of steps.";

}

/// <summary>Keras' MaxPooling2D on (height, width, channels).</summary>
public sealed class MaxPooling2DLayer() : WindowPoolingLayer(2, poolSizeRequired: false)
{
    public override LayerExample Example { get; } = new("[8, 8, 2]", "- max_pooling2d: 2");

    public override string Name => "max_pooling2d";

    public override string KerasClass => "MaxPooling2D";

    public override string Summary => "The maximum over each window of an image.";

}

/// <summary>Keras' AveragePooling1D on (steps, channels); with same padding the padded cells are not counted.</summary>
public sealed class AveragePooling1DLayer() : WindowPoolingLayer(1, poolSizeRequired: true)
{
    public override LayerExample Example { get; } = new("[10, 3]", "- average_pooling1d: {pool_size: 3, padding: same}");

    public override string Name => "average_pooling1d";

    public override string KerasClass => "AveragePooling1D";

    public override string Summary => "The mean over each window of steps.";

}

/// <summary>Keras' AveragePooling2D on (height, width, channels); with same padding the padded cells are not counted.</summary>
public sealed class AveragePooling2DLayer() : WindowPoolingLayer(2, poolSizeRequired: true)
{
    public override LayerExample Example { get; } = new("[8, 8, 2]", "- average_pooling2d: {pool_size: [2, 3]}");

    public override string Name => "average_pooling2d";

    public override string KerasClass => "AveragePooling2D";

    public override string Summary => "The mean over each window of an image.";

}

/// <summary>Keras' global pooling: the maximum or mean over every step (1-D) or every pixel (2-D), per channel.</summary>
public abstract class GlobalPoolingLayer(int axes) : LayerKind
{
    public static readonly BoolArgument Keepdims = new("keepdims", "Whether to keep the pooled axes, with length 1.", false);

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { Keepdims };

    public override IReadOnlyList<string> Unsupported { get; } = new[] { "data_format" }.Concat(LayerUnsupported).ToArray();

    public override string UnsupportedHint(string argument) => CommonArguments.UnsupportedHint(argument);

    internal override bool Infer(ShapeContext shapes)
    {
        if (!shapes.NeedsSpatial(axes, Name.Replace("1d", "2d")))
        {
            return false;
        }

        var channels = shapes.Last;
        shapes.Output(shapes.Get(Keepdims) ? Enumerable.Repeat(1, axes).Concat(new[] { channels }).ToArray() : new[] { channels }, 0);
        return true;
    }
}

public sealed class GlobalMaxPooling1DLayer() : GlobalPoolingLayer(1)
{
    public override LayerExample Example { get; } = new("[6, 3]", "- global_max_pooling1d");

    public override string Name => "global_max_pooling1d";

    public override string KerasClass => "GlobalMaxPooling1D";

    public override string Summary => "The maximum over every step, per channel.";
}

public sealed class GlobalMaxPooling2DLayer() : GlobalPoolingLayer(2)
{
    public override LayerExample Example { get; } = new("[4, 4, 3]", "- global_max_pooling2d: {keepdims: true}");

    public override string Name => "global_max_pooling2d";

    public override string KerasClass => "GlobalMaxPooling2D";

    public override string Summary => "The maximum over every pixel, per channel.";
}

public sealed class GlobalAveragePooling1DLayer() : GlobalPoolingLayer(1)
{
    public override LayerExample Example { get; } = new("[6, 3]", "- global_average_pooling1d: {keepdims: true}");

    public override string Name => "global_average_pooling1d";

    public override string KerasClass => "GlobalAveragePooling1D";

    public override string Summary => "The mean over every step, per channel.";
}

public sealed class GlobalAveragePooling2DLayer() : GlobalPoolingLayer(2)
{
    public override LayerExample Example { get; } = new("[4, 4, 3]", "- global_average_pooling2d");

    public override string Name => "global_average_pooling2d";

    public override string KerasClass => "GlobalAveragePooling2D";

    public override string Summary => "The mean over every pixel, per channel.";
}

namespace ModelDsl.Spec;

/// <summary>Keras' MaxPooling1D on (steps, channels); strides default (None) to the pool size: windows side by side.</summary>
public sealed class MaxPooling1DLayer : LayerKind
{
    public static readonly WindowArgument PoolSize = new("pool_size", "The window length.", 1, 2);
    public static readonly WindowArgument Strides = new("strides", "The step between windows; the pool size when null.", 1) { Follows = PoolSize };
    public static readonly ChoiceArgument Padding = CommonArguments.Padding();

    public override string Name => "max_pooling1d";

    public override string KerasClass => "MaxPooling1D";


    public override string Summary => "The maximum over each window of steps.";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { PoolSize, Strides, Padding };

    public override Argument Shorthand => PoolSize;

    public override IReadOnlyList<string> Unsupported { get; } = new[] { "data_format" }.Concat(LayerUnsupported).ToArray();

    public override string UnsupportedHint(string argument) => CommonArguments.UnsupportedHint(argument);

    internal override bool Infer(ShapeContext shapes)
    {
        if (!shapes.NeedsRank(2, "a 3-D input (batch, steps, channels)", "max_pooling2d"))
        {
            return false;
        }

        var length = shapes.Slide(0, "steps", shapes.Get(PoolSize)[0], shapes.Get(Strides)[0], shapes.Get(Padding), "pool_size", "pool_size");
        if (length == null)
        {
            return false;
        }

        shapes.Output(new[] { length.Value, shapes.Input[1] }, 0);
        return true;
    }
}

/// <summary>Keras' MaxPooling2D on (height, width, channels); strides default (None) to the pool size.</summary>
public sealed class MaxPooling2DLayer : LayerKind
{
    public static readonly WindowArgument PoolSize = new("pool_size", "The window: one size for both axes, or (height, width).", 2, 2);
    public static readonly WindowArgument Strides = new("strides", "The step between windows; the pool size when null.", 2) { Follows = PoolSize };
    public static readonly ChoiceArgument Padding = CommonArguments.Padding();

    public override string Name => "max_pooling2d";

    public override string KerasClass => "MaxPooling2D";


    public override string Summary => "The maximum over each window of an image.";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { PoolSize, Strides, Padding };

    public override Argument Shorthand => PoolSize;

    public override IReadOnlyList<string> Unsupported { get; } = new[] { "data_format" }.Concat(LayerUnsupported).ToArray();

    public override string UnsupportedHint(string argument) => CommonArguments.UnsupportedHint(argument);

    internal override bool Infer(ShapeContext shapes)
    {
        if (!shapes.NeedsImage())
        {
            return false;
        }

        var pool = shapes.Get(PoolSize);
        var strides = shapes.Get(Strides);
        var padding = shapes.Get(Padding);
        var height = shapes.Slide(0, "height", pool[0], strides[0], padding, "pool_size", "pool_size");
        var width = height == null ? null : shapes.Slide(1, "width", pool[1], strides[1], padding, "pool_size", "pool_size");
        if (width == null)
        {
            return false;
        }

        shapes.Output(new[] { height!.Value, width.Value, shapes.Input[2] }, 0);
        return true;
    }
}

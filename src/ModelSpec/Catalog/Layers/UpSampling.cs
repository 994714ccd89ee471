namespace ModelDsl.Spec;

/// <summary>Keras' UpSampling1D: each step repeated <c>size</c> times.</summary>
public sealed class UpSampling1DLayer : LayerKind
{
    public override LayerExample Example { get; } = new("[5, 3]", "- up_sampling1d: 3");

    public static readonly WindowArgument Size = new("size", "How many times each step is repeated.", 1, 2);

    public override string Name => "up_sampling1d";

    public override string KerasClass => "UpSampling1D";

    public override string Summary => "Repeats each step.";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { Size };

    public override Argument Shorthand => Size;

    internal override bool Infer(ShapeContext shapes)
    {
        if (!shapes.NeedsSpatial(1, "up_sampling2d"))
        {
            return false;
        }

        shapes.Output(new[] { ShapeContext.Resize(shapes.Input[0], n => n * shapes.Get(Size)[0]), shapes.Input[1] }, 0);
        return true;
    }
}

/// <summary>Keras' UpSampling2D: rows and columns repeated (nearest) or interpolated (bilinear).</summary>
public sealed class UpSampling2DLayer : LayerKind
{
    public override LayerExample Example { get; } = new("[4, 4, 2]", "- up_sampling2d: {size: [2, 3], interpolation: bilinear}");

    public static readonly WindowArgument Size = new("size", "The factors for rows and columns: one for both, or (height, width).", 2, 2);
    public static readonly ChoiceArgument Interpolation = new("interpolation", "nearest or bilinear.", "nearest", new[] { "nearest", "bilinear" });

    public override string Name => "up_sampling2d";

    public override string KerasClass => "UpSampling2D";

    public override string Summary => "Enlarges images by whole factors.";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { Size, Interpolation };

    public override Argument Shorthand => Size;

    public override IReadOnlyList<string> Unsupported { get; } = new[] { "data_format" }.Concat(LayerUnsupported).ToArray();

    public override string UnsupportedHint(string argument) => CommonArguments.UnsupportedHint(argument);

    internal override bool Infer(ShapeContext shapes)
    {
        if (!shapes.NeedsImage())
        {
            return false;
        }

        var size = shapes.Get(Size);
        shapes.Output(new[] { ShapeContext.Resize(shapes.Input[0], n => n * size[0]), ShapeContext.Resize(shapes.Input[1], n => n * size[1]), shapes.Input[2] }, 0);
        return true;
    }
}

namespace ModelDsl.Spec;

/// <summary>Keras' LeakyReLU: x for x ≥ 0, negative_slope · x below (Keras 2: alpha, and the name leaky_re_lu).</summary>
public sealed class LeakyReluLayer : LayerKind
{
    public override LayerExample Example { get; } = new("[8]", "- leaky_relu: {negative_slope: 0.2}");

    public static readonly DoubleArgument NegativeSlope = new("negative_slope", "The slope below zero.", 0.3, v => v >= 0, "a number of at least 0")
    {
        OldName = "alpha",
    };

    public override string Name => "leaky_relu";

    public override string KerasClass => "LeakyReLU";

    public override IReadOnlyList<string> OtherNames { get; } = new[] { "leaky_re_lu" };

    public override string Summary => "A leaky rectified linear unit.";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { NegativeSlope };

    public override Argument Shorthand => NegativeSlope;

    public override ShapeRole Role => ShapeRole.KeepsShape;

    internal override bool Infer(ShapeContext shapes)
    {
        shapes.Output(shapes.Input, 0);
        return true;
    }
}

namespace ModelDsl.Spec;

/// <summary>Keras' ELU layer: x for x > 0, alpha · (e^x - 1) below.</summary>
public sealed class EluLayer : LayerKind
{
    public override LayerExample Example { get; } = new("[8]", "- elu: 0.5");

    public static readonly DoubleArgument Alpha = new("alpha", "The scale of the negative part.", 1.0, v => true, "a number");

    public override string Name => "elu";

    public override string KerasClass => "ELU";

    public override string Summary => "An exponential linear unit.";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { Alpha };

    public override Argument Shorthand => Alpha;

    public override ShapeRole Role => ShapeRole.KeepsShape;

    internal override bool Infer(ShapeContext shapes)
    {
        shapes.Output(shapes.Input, 0);
        return true;
    }
}

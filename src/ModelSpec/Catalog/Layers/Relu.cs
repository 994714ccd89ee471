namespace ModelDsl.Spec;

/// <summary>Keras' ReLU layer: max(x, 0) capped at max_value, with negative_slope · (x - threshold) below the threshold.</summary>
public sealed class ReluLayer : LayerKind
{
    public override LayerExample Example { get; } = new("[8]", "- relu: {max_value: 6, negative_slope: 0.1}");

    public static readonly OptionalDoubleArgument MaxValue = new("max_value", "The cap on the output; none when null.", v => v >= 0, "a number of at least 0");
    public static readonly DoubleArgument NegativeSlope = new("negative_slope", "The slope below the threshold.", 0, v => v >= 0, "a number of at least 0");
    public static readonly DoubleArgument Threshold = new("threshold", "Below this value the output is negative_slope · (x - threshold).", 0, v => true, "a number");

    public override string Name => "relu";

    public override string KerasClass => "ReLU";

    public override IReadOnlyList<string> OtherNames { get; } = new[] { "re_lu" };

    public override string Summary => "A rectified linear unit, optionally capped and leaky.";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { MaxValue, NegativeSlope, Threshold };

    public override ShapeRole Role => ShapeRole.KeepsShape;

    internal override bool Infer(ShapeContext shapes)
    {
        shapes.Output(shapes.Input, 0);
        return true;
    }
}

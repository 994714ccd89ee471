namespace ModelDsl.Spec;

/// <summary>Keras' Dropout: while training, zeroes a fraction of its inputs and scales the rest.</summary>
public sealed class DropoutLayer : LayerKind
{
    public override LayerExample Example { get; } = new("[8]", "- dropout: 0.5");

    public static readonly DoubleArgument Rate = new("rate", "The fraction of inputs to drop while training.", 0, r => r >= 0 && r < 1, "a number at least 0 and less than 1")
    {
        MissingHint = " (the fraction of inputs to drop, e.g. dropout: 0.2)",
    };

    public override string Name => "dropout";

    public override string KerasClass => "Dropout";

    public override string Summary => "Drops a fraction of the inputs while training (identity at inference).";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { Rate };

    public override Argument Shorthand => Rate;

    public override IReadOnlyList<string> Unsupported { get; } = new[] { "noise_shape", "seed" }.Concat(LayerUnsupported).ToArray();

    public override ShapeRole Role => ShapeRole.KeepsShape;

    public override bool OnlyInTraining => true;

    internal override bool Infer(ShapeContext shapes)
    {
        shapes.Output(shapes.Input, 0);
        return true;
    }
}

namespace ModelDsl.Spec;

/// <summary>Keras' Activation layer: one activation function, element by element.</summary>
public sealed class ActivationLayer : LayerKind
{
    public override LayerExample Example { get; } = new("[8]", "- activation: tanh");

    public static readonly ActivationArgument Activation = new("activation", "The activation function.", Vocabulary.Linear)
    {
        MissingHint = " (e.g. - activation: relu)",
    };

    public override string Name => "activation";

    public override string KerasClass => "Activation";

    public override string Summary => "Applies an activation function.";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { Activation };

    public override Argument Shorthand => Activation;

    public override ShapeRole Role => ShapeRole.KeepsShape;

    public override ActivationArgument OutputActivation => Activation;

    public override bool CanStopBeforeActivation => true;

    public override string RuntimeType => "ActivationLayer";

    public override string AttributeName => "ActivationAttribute";

    internal override bool Infer(ShapeContext shapes)
    {
        shapes.Output(shapes.Input, 0);
        return true;
    }
}

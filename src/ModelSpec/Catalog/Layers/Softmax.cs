namespace ModelDsl.Spec;

/// <summary>Keras' Softmax layer over <c>axis</c>; over the last axis (the default) the loss can take its logits.</summary>
public sealed class SoftmaxLayer : LayerKind
{
    public override LayerExample Example { get; } = new("[4, 3]", "- softmax: {axis: 1}");

    public static readonly IntArgument Axis = new("axis", "The axis the probabilities sum to 1 over; -1 is the last.", -1, int.MinValue);

    public override string Name => "softmax";

    public override string KerasClass => "Softmax";

    public override string Summary => "Softmax over one axis.";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { Axis };

    public override Argument Shorthand => Axis;

    public override ShapeRole Role => ShapeRole.KeepsShape;

    public override bool CanStopBeforeActivation => true;

    public override string EndActivation(LayerConfig config) => Axis.Of(config) == -1 ? "softmax" : Vocabulary.Linear;

    internal override bool Infer(ShapeContext shapes)
    {
        var axis = shapes.Get(Axis);
        if (axis == 0 || axis > shapes.Input.Length || axis < -shapes.Input.Length)
        {
            shapes.Report(DiagnosticCatalog.ArgumentShapeMismatch, shapes.Layer.Index, shapes.Layer.KindName, $"takes the softmax over axis {axis}", shapes.From,
                ShapeContext.Format(shapes.Input), $"use an axis from 1 to {shapes.Input.Length}, or -1 for the last (axis 0 is the batch)");
            return false;
        }

        shapes.Output(shapes.Input, 0);
        return true;
    }
}

namespace ModelDsl.Spec;

/// <summary>Keras' PReLU: a learnt slope below zero per input value, shared along <c>shared_axes</c> (1-based).</summary>
public sealed class PReluLayer : LayerKind
{
    public override LayerExample Example { get; } = new("[4, 3]", "- prelu: {shared_axes: [1]}");

    public static readonly InitializerArgument AlphaInitializer = new("alpha_initializer", "How the slopes are initialised.", CommonArguments.Zeros);
    public static readonly IntListArgument SharedAxes = new("shared_axes", "The axes (1-based, after the batch) that share one slope.", 1,
        "a list of axes such as [1, 2]", "an axis number, 1 for the first after the batch");

    public override string Name => "prelu";

    public override string KerasClass => "PReLU";

    public override string Summary => "A rectified linear unit with a learnt slope below zero.";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { AlphaInitializer, SharedAxes };

    public override IReadOnlyList<string> Unsupported { get; } = new[] { "alpha_regularizer", "alpha_constraint" }.Concat(LayerUnsupported).ToArray();

    public override ShapeRole Role => ShapeRole.KeepsShape;

    public override string RuntimeType => "PRelu";

    public override IReadOnlyList<object> RuntimeSizes(LayerSpec layer) => new object[] { new SampleShape(layer.InputShape) };

    internal override bool Infer(ShapeContext shapes)
    {
        var alpha = (int[])shapes.Input.Clone();
        foreach (var axis in shapes.Get(SharedAxes))
        {
            if (axis > alpha.Length)
            {
                shapes.Report(DiagnosticCatalog.ArgumentShapeMismatch, shapes.Layer.Index, shapes.Layer.KindName, $"shares its slope along axis {axis}", shapes.From,
                    ShapeContext.Format(shapes.Input), $"shared_axes count from 1 to {alpha.Length}");
                return false;
            }

            alpha[axis - 1] = 1;
        }

        if (!shapes.Fixed(Enumerable.Range(0, alpha.Length).Where(a => alpha[a] == Axis.Variable),
            "learns a slope per value of every axis not in shared_axes", "add the variable axis to shared_axes"))
        {
            return false;
        }

        shapes.Output(shapes.Input, ShapeContext.Elements(alpha));
        return true;
    }
}

namespace ModelDsl.Spec;

/// <summary>Keras' LayerNormalization over <c>axis</c> of each sample: gamma and beta (one per value of that axis) train.</summary>
public sealed class LayerNormalizationLayer : LayerKind
{
    public override LayerExample Example { get; } = new("[4, 3]", "- layer_normalization: {epsilon: 0.00001}");

    public static readonly IntArgument Axis = new("axis", "The axis normalised; -1 is the last.", -1, int.MinValue);
    public static readonly DoubleArgument Epsilon = new("epsilon", "Added to the variance before its square root.", 0.001, e => e > 0, "a positive number");
    public static readonly BoolArgument Center = new("center", "Whether to add the learnt offset beta.", true);
    public static readonly BoolArgument Scale = new("scale", "Whether to multiply by the learnt scale gamma.", true);
    public static readonly InitializerArgument BetaInitializer = new("beta_initializer", "How beta is initialised.", CommonArguments.Zeros);
    public static readonly InitializerArgument GammaInitializer = new("gamma_initializer", "How gamma is initialised.", "ones");

    public override string Name => "layer_normalization";

    public override string KerasClass => "LayerNormalization";

    public override string Summary => "Normalises each sample over one axis.";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { Axis, Epsilon, Center, Scale, BetaInitializer, GammaInitializer };

    public override IReadOnlyList<string> Unsupported { get; } = new[] { "rms_scaling", "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint" }
        .Concat(LayerUnsupported).ToArray();

    public override ShapeRole Role => ShapeRole.KeepsShape;

    public override IReadOnlyList<object> RuntimeSizes(LayerSpec layer) => new object[] { new SampleShape(layer.InputShape) };

    internal override bool Infer(ShapeContext shapes)
    {
        var axis = shapes.Get(Axis);
        if (axis == 0 || axis > shapes.Input.Length || axis < -shapes.Input.Length)
        {
            shapes.Report(DiagnosticCatalog.ArgumentShapeMismatch, shapes.Layer.Index, shapes.Layer.KindName, $"normalises axis {axis}", shapes.From,
                ShapeContext.Format(shapes.Input), $"use an axis from 1 to {shapes.Input.Length}, or -1 for the last (axis 0 is the batch)");
            return false;
        }

        var index = axis < 0 ? shapes.Input.Length + axis : axis - 1;
        if (!shapes.Fixed(new[] { index }, "learns gamma and beta per value of the axis it normalises", "normalise a fixed axis"))
        {
            return false;
        }

        var features = shapes.Input[index];
        shapes.Output(shapes.Input, (long)features * ((shapes.Get(Center) ? 1 : 0) + (shapes.Get(Scale) ? 1 : 0)));
        return true;
    }
}

namespace ModelDsl.Spec;

/// <summary>Keras' BatchNormalization over the last axis: gamma and beta train, the moving mean and variance do not.</summary>
public sealed class BatchNormalizationLayer : LayerKind
{
    public override LayerExample Example { get; } = new("[8]", "- batch_normalization: {momentum: 0.9}");

    public static readonly DoubleArgument Momentum = new("momentum", "How much of the moving statistics each batch keeps.", 0.99, m => m >= 0 && m <= 1, "a number from 0 to 1");
    public static readonly DoubleArgument Epsilon = new("epsilon", "Added to the variance before its square root.", 0.001, e => e > 0, "a positive number");
    public static readonly BoolArgument Center = new("center", "Whether to add the learnt offset beta.", true);
    public static readonly BoolArgument Scale = new("scale", "Whether to multiply by the learnt scale gamma.", true);

    public override string Name => "batch_normalization";

    public override string KerasClass => "BatchNormalization";


    public override string Summary => "Normalises the last axis with the batch's statistics while training and moving ones at inference.";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { Momentum, Epsilon, Center, Scale };

    public override IReadOnlyList<string> Unsupported { get; } = new[]
    {
        "axis", "beta_initializer", "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer",
        "gamma_regularizer", "beta_constraint", "gamma_constraint", "synchronized",
    }.Concat(LayerUnsupported).ToArray();

    public override string UnsupportedHint(string argument) =>
        argument == "axis" ? "; it always normalises the last axis (Keras' default, axis: -1)" : string.Empty;

    public override ShapeRole Role => ShapeRole.KeepsShape;

    public override IReadOnlyList<object> RuntimeSizes(LayerSpec layer) => InputFeatures(layer);

    internal override bool Infer(ShapeContext shapes)
    {
        var features = shapes.Last;
        shapes.Output(shapes.Input, 4L * features, (shapes.Get(Scale) ? features : 0L) + (shapes.Get(Center) ? features : 0L));
        return true;
    }
}

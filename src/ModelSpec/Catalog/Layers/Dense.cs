namespace ModelDsl.Spec;

/// <summary>Keras' Dense: a kernel (features, units) on the last axis, every leading axis kept.</summary>
public sealed class DenseLayer : LayerKind
{
    public override LayerExample Example { get; } = new("[8]", "- dense: {units: 4, activation: relu}");

    public static readonly IntArgument Units = CommonArguments.Units();
    public static readonly ActivationArgument Activation = CommonArguments.Activation();
    public static readonly BoolArgument UseBias = CommonArguments.UseBias();
    public static readonly InitializerArgument KernelInitializer = CommonArguments.KernelInitializer();
    public static readonly InitializerArgument BiasInitializer = CommonArguments.BiasInitializer();
    public static readonly RegularizerArgument KernelRegularizer = CommonArguments.KernelRegularizer();
    public static readonly RegularizerArgument BiasRegularizer = CommonArguments.BiasRegularizer();

    public override string Name => "dense";

    public override string KerasClass => "Dense";

    public override string Summary => "A densely connected layer on the last axis.";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[]
    {
        Units, Activation, UseBias, KernelInitializer, BiasInitializer, KernelRegularizer, BiasRegularizer, CommonArguments.ActivityRegularizer,
    };

    public override Argument Shorthand => Units;

    public override IReadOnlyList<string> Unsupported { get; } = WeightUnsupported.Concat(LayerUnsupported).ToArray();

    public override ActivationArgument OutputActivation => Activation;

    public override bool CanStopBeforeActivation => true;

    public override IntArgument Width => Units;

    public override bool KeepsLeadingAxes => true;

    public override IReadOnlyList<object> RuntimeSizes(LayerSpec layer) => InputFeatures(layer);

    internal override bool Infer(ShapeContext shapes)
    {
        var units = shapes.Get(Units);
        shapes.Output(ShapeContext.Replace(shapes.Input, shapes.Input.Length - 1, units), checked(((long)shapes.Last * units) + (shapes.Get(UseBias) ? units : 0)));
        return true;
    }
}

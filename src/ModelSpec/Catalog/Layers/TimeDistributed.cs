namespace ModelDsl.Spec;

/// <summary>Keras' TimeDistributed: the wrapped layer applied to every time step (the axis after the batch) with the same weights.</summary>
public sealed class TimeDistributedLayer : LayerKind
{
    public static readonly LayerArgument Layer = new("layer", "The layer to apply at every time step, e.g. {dense: 10}.")
    {
        MissingHint = " (the layer to apply at every time step, e.g. layer: {dense: 10})",
    };

    public override LayerExample Example { get; } = new("[5, 4, 4, 1]", "- time_distributed: {layer: {conv2d: {filters: 2, kernel_size: 3}}}");

    public override string Name => "time_distributed";

    public override string KerasClass => "TimeDistributed";

    public override string Summary => "Applies a layer to every time step.";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { Layer };

    public override bool CanStopBeforeActivation => true;

    /// <summary>The wrapped layer's activation when it can stop before it (the runtime wrapper hands on its logits); else none.</summary>
    public override string? EndActivation(LayerConfig config)
    {
        var inner = Layer.Of(config)!;
        return inner.Entry.CanStopBeforeActivation ? inner.Entry.EndActivation(inner) : Vocabulary.Linear;
    }

    public override IEnumerable<OnnxProblem> OnnxProblems(LayerConfig config) => WrappedOnnxProblems(Layer, config);

    public override string? OnnxCudaDifference(LayerConfig config) => WrappedOnnxCudaDifference(Layer, config);

    public override IReadOnlyList<object> RuntimeSizes(LayerSpec layer)
    {
        var inner = Layer.Of(layer.Config)!;
        var perStep = layer.InputShape.Skip(1).ToEquatableArray();
        return new object[] { layer with { Config = inner, InputShape = perStep, OutputShape = layer.OutputShape.Skip(1).ToEquatableArray() } };
    }

    internal override bool Validate(LayerBinding binding)
    {
        var inner = binding.Get(Layer)!;
        if (inner.Entry.IsRecurrent || inner.Entry.TakesIndices)
        {
            binding.Report(DiagnosticCatalog.OutOfRange, binding.SpanOf(Layer), binding.Args.Describe(Layer.Name), "a layer with a per-sample shape rule",
                inner.Entry.IsRecurrent ? $"{inner.Kind}, which already runs over the time steps; use it without time_distributed" : $"{inner.Kind}, which must be the first layer");
            return false;
        }

        return true;
    }

    internal override bool Infer(ShapeContext shapes)
    {
        if (shapes.Input.Length < 2)
        {
            shapes.Report(DiagnosticCatalog.RankMismatch, shapes.Layer.Index, shapes.Layer.KindName, "a 3-D or larger input (batch, time, ...)", shapes.From,
                ShapeContext.Format(shapes.Input), shapes.SequenceHint("time, features"));
            return false;
        }

        if (shapes.Nested(Layer.Of(shapes.Config)!, shapes.Input.Skip(1).ToArray()) is not { } inner)
        {
            return false;
        }

        shapes.Output(new[] { shapes.Input[0] }.Concat(inner.Output).ToArray(), inner.Parameters, inner.Trainable);
        return true;
    }
}

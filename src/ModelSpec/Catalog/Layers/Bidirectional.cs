namespace ModelDsl.Spec;

/// <summary>
/// Keras' Bidirectional around an LSTM, GRU or SimpleRNN: the layer and a copy that reads the sequence backwards
/// (its outputs flipped back in time), merged by <c>merge_mode</c>; twice the wrapped layer's parameters.
/// </summary>
public sealed class BidirectionalLayer : LayerKind
{
    public static readonly LayerArgument Layer = new("layer", "The recurrent layer to run both ways, e.g. {lstm: {units: 64}}.")
    {
        MissingHint = " (the recurrent layer to run both ways, e.g. layer: {lstm: {units: 64}})",
    };

    public static readonly ChoiceArgument MergeMode = new("merge_mode", "How the two directions combine: concat, sum, mul or ave.", "concat",
        new[] { "concat", "sum", "mul", "ave" })
    {
        Elsewhere = new Dictionary<string, string>
        {
            ["cat"] = " (did you mean 'concat'?)",
            ["add"] = " (did you mean 'sum'?)",
            ["mean"] = " (did you mean 'ave'?)",
            ["avg"] = " (did you mean 'ave'?)",
            ["average"] = " (did you mean 'ave'?)",
            ["multiply"] = " (did you mean 'mul'?)",
        },
    };

    public override LayerExample Example { get; } = new("[6, 3]", "- bidirectional: {layer: {lstm: 4}, merge_mode: sum}");

    public override string Name => "bidirectional";

    public override string KerasClass => "Bidirectional";

    public override string Summary => "Runs a recurrent layer forwards and backwards and merges the two.";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { Layer, MergeMode };

    public override IReadOnlyList<string> Unsupported { get; } = new[] { "backward_layer", "weights" }.Concat(LayerUnsupported).ToArray();

    public override bool IsRecurrent => true;

    public override string? EndActivation(LayerConfig config) => Layer.Of(config)!.Entry.EndActivation(Layer.Of(config)!);

    public override IEnumerable<OnnxProblem> OnnxProblems(LayerConfig config) => WrappedOnnxProblems(Layer, config);

    public override string? OnnxCudaDifference(LayerConfig config) => WrappedOnnxCudaDifference(Layer, config);

    /// <summary>The forward layer, then its backward copy.</summary>
    public override IReadOnlyList<object> RuntimeSizes(LayerSpec layer)
    {
        var inner = Layer.Of(layer.Config)!;
        var forward = layer with { Config = inner };
        var backward = layer with { Config = inner.With(RecurrentLayer.GoBackwards.Name, !RecurrentLayer.GoBackwards.Of(inner)) };
        return new object[] { forward, backward };
    }

    internal override bool Validate(LayerBinding binding)
    {
        var inner = binding.Get(Layer)!;
        if (!inner.Entry.IsRecurrent || inner.Entry is BidirectionalLayer)
        {
            var fix = inner.Entry.IsRecurrent ? "wrap the recurrent layer itself" : $"for a {inner.Kind} applied at every time step use time_distributed: {{layer: {{{inner.Kind}: ...}}}}";
            binding.Report(DiagnosticCatalog.OutOfRange, binding.SpanOf(Layer), binding.Args.Describe(Layer.Name), "an lstm, gru or simple_rnn layer", $"{inner.Kind}; {fix}");
            return false;
        }

        return true;
    }

    internal override bool Infer(ShapeContext shapes)
    {
        if (shapes.Nested(Layer.Of(shapes.Config)!, shapes.Input) is not { } inner)
        {
            return false;
        }

        var output = inner.Output;
        if (shapes.Get(MergeMode) == "concat")
        {
            output = ShapeContext.Replace(output, output.Length - 1, checked(output[output.Length - 1] * 2));
        }

        shapes.Output(output, checked(2 * inner.Parameters), checked(2 * inner.Trainable));
        return true;
    }
}

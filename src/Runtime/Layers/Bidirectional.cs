namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' Bidirectional around a recurrent layer: a forward layer and a backward one (its <c>go_backwards</c> the
/// other way) read the same (batch, time, features) input; with <c>return_sequences</c> the backward layer's outputs
/// are flipped back into input order, so step t of both describes input step t. Their outputs merge by
/// <see cref="MergeMode"/>: "concat" (forward, then backward, on the last axis), "sum", "mul" or "ave". The layers
/// are submodules named "forward_&lt;name&gt;" and "backward_&lt;name&gt;" after the wrapped layer's Keras name, and
/// their weights (forward's, then backward's) are this layer's: twice the wrapped layer's parameters.
/// </summary>
public sealed class Bidirectional : Layer
{
    /// <summary>Keras' <c>merge_mode</c> names, in Keras' order.</summary>
    public static readonly IReadOnlyList<string> MergeModes = ["sum", "mul", "ave", "concat"];

    private const string ForwardPrefix = "forward_";

    private const string BackwardPrefix = "backward_";

    /// <param name="layer">The forward layer (Keras' <c>layer</c>).</param>
    /// <param name="backwardLayer">
    /// The backward layer: Keras' copy of <paramref name="layer"/> with <c>go_backwards</c> set, created here by the
    /// caller (<c>new Lstm(..., goBackwards: true)</c>) so that its weights are drawn after the forward layer's, as in Keras.
    /// </param>
    /// <param name="mergeMode">Keras' <c>merge_mode</c>: "concat", "sum", "mul" or "ave".</param>
    /// <param name="layerName">The wrapped layer's Keras name ("lstm_1"); null: the Keras name of its type ("lstm").</param>
    public Bidirectional(RecurrentLayer layer, RecurrentLayer backwardLayer, string mergeMode = "concat", string? layerName = null)
        : base(nameof(Bidirectional))
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(backwardLayer);
        if (!MergeModes.Contains(mergeMode))
            throw new ArgumentException($"merge_mode must be one of {string.Join(", ", MergeModes)}, got '{mergeMode}'", nameof(mergeMode));
        if (layer.GoBackwards == backwardLayer.GoBackwards)
            throw new ArgumentException(
                $"the forward and backward layers need different go_backwards, both have {layer.GoBackwards}", nameof(backwardLayer));
        if (layer.ReturnSequences != backwardLayer.ReturnSequences)
            throw new ArgumentException(
                $"the forward and backward layers need the same return_sequences, got {layer.ReturnSequences} and {backwardLayer.ReturnSequences}",
                nameof(backwardLayer));
        if (layer.InputFeatures != backwardLayer.InputFeatures)
            throw new ArgumentException(
                $"the forward and backward layers read the same input, but take {layer.InputFeatures} and {backwardLayer.InputFeatures} features",
                nameof(backwardLayer));
        if (mergeMode != "concat" && layer.Units != backwardLayer.Units)
            throw new ArgumentException(
                $"merge_mode '{mergeMode}' needs as many backward units as forward ones, got {layer.Units} and {backwardLayer.Units}", nameof(backwardLayer));
        MergeMode = mergeMode;
        LayerName = layerName ?? KerasNames.Of(layer);
        if (string.IsNullOrWhiteSpace(LayerName))
            throw new ArgumentException("the wrapped layer's name must not be empty", nameof(layerName));
        register_module(ForwardPrefix + LayerName, layer);
        register_module(BackwardPrefix + LayerName, backwardLayer);
    }

    /// <summary>
    /// The forward layer, looked up (as <see cref="BackwardLayer"/> is): TorchSharp's RegisterComponents, which runs for
    /// a model's modules, would register a field's layer a second time under the field's name.
    /// </summary>
    public RecurrentLayer ForwardLayer => Child(ForwardPrefix + LayerName);

    public RecurrentLayer BackwardLayer => Child(BackwardPrefix + LayerName);

    public string MergeMode { get; }

    /// <summary>The wrapped layer's Keras name, after which the two submodules are named.</summary>
    public string LayerName { get; }

    public bool ReturnSequences => ForwardLayer.ReturnSequences;

    /// <summary>The last axis of the output: both layers' units with "concat", else the forward layer's.</summary>
    public int Units => MergeMode == "concat" ? ForwardLayer.Units + BackwardLayer.Units : ForwardLayer.Units;

    private RecurrentLayer Child(string name) => (RecurrentLayer)named_children().First(child => child.name == name).module;

    /// <summary>(batch, time, <see cref="Units"/>) with <see cref="ReturnSequences"/>, else (batch, <see cref="Units"/>).</summary>
    /// <summary>The two layers as two ONNX recurrent ops on the same input, the backward sequence put back in time order, then merged.</summary>
    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input)
    {
        var forward = graph.Within(ForwardPrefix + LayerName, () => ForwardLayer.ToOnnx(graph, input));
        var backward = graph.Within(BackwardPrefix + LayerName, () => BackwardLayer.ToOnnx(graph, input));
        if (ReturnSequences)
            backward = graph.Reverse(backward, 1);
        return MergeMode switch
        {
            "concat" => graph.Node("Concat", [forward, backward], OnnxAttribute.Int("axis", -1)),
            "sum" => graph.Add(forward, backward),
            "mul" => graph.Mul(forward, backward),
            _ => graph.Mul(graph.Add(forward, backward), graph.Scalar(0.5)),
        };
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var forward = ForwardLayer.forward(input);
        var backward = BackwardLayer.forward(input);
        if (ReturnSequences)
            backward = backward.flip(1);
        var merged = MergeMode switch
        {
            "concat" => cat([forward, backward], -1),
            "sum" => forward + backward,
            "mul" => forward * backward,
            _ => (forward + backward) / 2,
        };
        return merged.MoveToOuterDisposeScope();
    }
}

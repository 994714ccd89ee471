namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' TimeDistributed: applies one layer, with one set of weights, to every step of a (batch, time, ...) input,
/// giving (batch, time, ...the layer's output per sample). The steps fold into the batch, (batch * time, ...), so
/// the layer runs once. A layer whose training output depends on the rest of the batch (BatchNormalization) runs once
/// per step instead, as Keras calls it: each step is normalized over the batch and moves the moving averages.
/// The wrapped layer is the submodule named after its Keras name, so its weights are "&lt;name&gt;.kernel".
/// </summary>
public sealed class TimeDistributed : Layer, IActivatedLayer
{
    /// <param name="layer">The layer applied at every step (Keras' <c>layer</c>).</param>
    /// <param name="layerName">The wrapped layer's Keras name ("dense_1"); null: the Keras name of its type ("dense").</param>
    public TimeDistributed(Layer layer, string? layerName = null) : base(nameof(TimeDistributed))
    {
        ArgumentNullException.ThrowIfNull(layer);
        LayerName = layerName ?? KerasNames.Of(layer);
        if (string.IsNullOrWhiteSpace(LayerName))
            throw new ArgumentException("the wrapped layer's name must not be empty", nameof(layerName));
        register_module(LayerName, layer);
    }

    /// <summary>
    /// The wrapped layer, looked up: TorchSharp's RegisterComponents, which runs for a model's modules, would register a
    /// field's layer a second time under the field's name.
    /// </summary>
    public Layer Layer => (Layer)named_children().First(child => child.name == LayerName).module;

    /// <summary>The wrapped layer's Keras name: the name of its submodule.</summary>
    public string LayerName { get; }

    /// <summary>The wrapped layer's trailing activation (Linear if it has none), applied per step.</summary>
    public Activation Activation => Layer is IActivatedLayer activated ? activated.Activation : Activation.Linear;

    /// <summary>
    /// As <c>forward</c> in inference: batch and time folded into one axis, the layer applied, and the two axes unfolded,
    /// with shapes read at run time so that a variable time axis stays variable.
    /// </summary>
    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input)
    {
        var shape = graph.Node("Shape", [input]);
        var folded = graph.Node("Reshape", [input, graph.Node("Concat", [graph.Ints(-1), graph.Slice(shape, [2], [long.MaxValue], [0])],
            OnnxAttribute.Int("axis", 0))]);
        var output = graph.Within(LayerName, () => Layer.ToOnnx(graph, folded));
        var unfolded = graph.Node("Concat", [graph.Slice(shape, [0], [2], [0]), graph.Slice(graph.Node("Shape", [output]), [1], [long.MaxValue], [0])],
            OnnxAttribute.Int("axis", 0));
        return graph.Node("Reshape", [output, unfolded]);
    }

    public override Tensor forward(Tensor input) => Distribute(input, linear: false);

    /// <summary>The wrapped layer's <see cref="IActivatedLayer.ForwardLinear"/> at every step (its forward if it has no activation).</summary>
    public Tensor ForwardLinear(Tensor input) => Distribute(input, linear: true);

    private Tensor Distribute(Tensor input, bool linear)
    {
        if (input.dim() < 3)
            throw new ArgumentException(
                $"TimeDistributed needs a (batch, time, ...) input of at least 3 axes, got ({string.Join(", ", input.shape)})", nameof(input));
        using var scope = NewDisposeScope();
        Tensor output;
        if (training && Layer is BatchNormalization)
        {
            output = stack(input.unbind(1).Select(step => Apply(step, linear)).ToArray(), 1);
        }
        else
        {
            long batch = input.shape[0], time = input.shape[1];
            var folded = Apply(input.reshape([batch * time, .. input.shape[2..]]), linear);
            output = folded.reshape([batch, time, .. folded.shape[1..]]);
        }
        return output.MoveToOuterDisposeScope();
    }

    private Tensor Apply(Tensor samples, bool linear) =>
        linear && Layer is IActivatedLayer activated ? activated.ForwardLinear(samples) : Layer.forward(samples);
}

/// <summary>The default Keras name of a wrapped runtime layer, for the wrappers' submodule names.</summary>
internal static class KerasNames
{
    /// <summary>
    /// Keras' snake_case of the layer's class name, which is the runtime type's name without a "Layer" suffix
    /// (Lstm: "lstm", SimpleRnn: "simple_rnn", MaxPooling2D: "max_pooling2d", ActivationLayer: "activation").
    /// </summary>
    public static string Of(Layer layer)
    {
        const string Suffix = "Layer";
        var name = layer.GetType().Name;
        if (name.Length > Suffix.Length && name.EndsWith(Suffix, StringComparison.Ordinal))
            name = name[..^Suffix.Length];
        var snake = new System.Text.StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            // A capital starts a word after a lower-case letter, or before one (Keras' two rules).
            bool wordStart = i > 0 && char.IsUpper(name[i])
                && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && name[i - 1] != '_'));
            if (wordStart)
                snake.Append('_');
            snake.Append(char.ToLowerInvariant(name[i]));
        }
        return snake.ToString();
    }
}

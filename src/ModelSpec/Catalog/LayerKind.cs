namespace ModelDsl.Spec;

/// <summary>A layer kind's smallest model: <c>input: [28, 28]</c> and <c>- lstm: 8</c>.</summary>
public sealed record LayerExample(string Input, string Layer);

/// <summary>What a layer does to the shape, as the checks between layers need to know it.</summary>
public enum ShapeRole
{
    /// <summary>Computes a new shape (dense, lstm, conv2d, flatten, ...).</summary>
    Transforms,

    /// <summary>
    /// Keeps its input's shape (dropout, activation, batch normalization): messages name the layer before it as
    /// where a shape came from, and the output checks look past it.
    /// </summary>
    KeepsShape,
}

/// <summary>
/// One layer kind of the catalogue: everything about it in one place. Its Keras names, its arguments with types and
/// defaults and the shorthand a model file may use, its shape rule and parameter count, and the runtime class and
/// constructor the emitter writes. The binder, shape inference, the summary, the attribute form and the emitter
/// all read it; <see cref="LayerCatalog"/> lists every kind.
/// </summary>
public abstract class LayerKind
{
    /// <summary>Arguments every Keras layer takes that ModelDsl does not.</summary>
    protected static readonly string[] LayerUnsupported = { "trainable", "dtype" };

    /// <summary>The constraints of layers with a kernel and a bias.</summary>
    protected static readonly string[] WeightUnsupported = { "kernel_constraint", "bias_constraint" };

    /// <summary>Keras' name in model files: dense, lstm, max_pooling2d.</summary>
    public abstract string Name { get; }

    /// <summary>Keras' class, the summary's "(type)" column: Dense, LSTM, MaxPooling2D.</summary>
    public abstract string KerasClass { get; }

    /// <summary>Other names Keras gives the same layer (Keras 2's <c>leaky_re_lu</c> for <c>leaky_relu</c>).</summary>
    public virtual IReadOnlyList<string> OtherNames => Array.Empty<string>();

    /// <summary>What the layer does, for the attribute form's documentation.</summary>
    public abstract string Summary { get; }

    /// <summary>
    /// A smallest model that uses the layer: a per-sample input shape and the layer's entry, as a model file writes
    /// them. Tests build, compile and run one model per kind from it.
    /// </summary>
    public abstract LayerExample Example { get; }

    /// <summary>Keras' arguments in Keras' order; also the "did you mean" candidates for a misspelt key.</summary>
    public abstract IReadOnlyList<Argument> Arguments { get; }

    /// <summary>The argument a bare value after the layer type stands for (<c>- dense: 10</c>), like Keras' first positional one.</summary>
    public virtual Argument? Shorthand => null;

    /// <summary>Keras arguments ModelDsl does not implement: named as such rather than as unknown keys.</summary>
    public virtual IReadOnlyList<string> Unsupported => LayerUnsupported;

    /// <summary>Why an unsupported argument is not needed, or what to do instead, by argument name.</summary>
    public virtual string UnsupportedHint(string argument) => string.Empty;

    public virtual ShapeRole Role => ShapeRole.Transforms;

    /// <summary>
    /// Whether the layer only acts while training (dropout, noise) and is the identity at inference: the output
    /// layer is the last one that is not such a layer.
    /// </summary>
    public virtual bool OnlyInTraining => false;

    /// <summary>Whether the layer keeps every axis but the last (dense) or all of them: the output checks look past it.</summary>
    public virtual bool KeepsLeadingAxes => Role == ShapeRole.KeepsShape;

    /// <summary>Whether the layer takes integer indices (an embedding), so the model's input is int64.</summary>
    public virtual bool TakesIndices => false;

    /// <summary>Whether the layer is recurrent: it takes (time, features) and can return its whole sequence.</summary>
    public virtual bool IsRecurrent => false;

    /// <summary>The activation argument the layer's output ends in (what the loss receives from an output layer).</summary>
    public virtual ActivationArgument? OutputActivation => null;

    /// <summary>
    /// Whether the runtime layer can stop before <see cref="OutputActivation"/> (its <c>ForwardLinear</c>), so that
    /// the loss can take logits. A recurrent layer's activation is inside its cell: it cannot.
    /// </summary>
    public virtual bool CanStopBeforeActivation => false;

    /// <summary>The argument that sets the size of the output's last axis (units, filters), when there is one.</summary>
    public virtual IntArgument? Width => null;

    /// <summary>The runtime class in <c>ModelDsl.Runtime.Layers</c>.</summary>
    public virtual string RuntimeType => CaseNames.Pascal(Name);

    /// <summary>The attribute of the C# front end, named after the runtime class: <c>[Dense(10)]</c> for <c>DenseAttribute</c>.</summary>
    public virtual string AttributeName => RuntimeType + "Attribute";

    /// <summary>
    /// The runtime constructor's leading arguments that shape inference computes, in order: an <c>int</c> (input
    /// features, channels), a <see cref="SampleShape"/> (the input's per-sample shape) or a <see cref="LayerSpec"/>
    /// (a wrapped layer, constructed as it would be on its own). Keras' arguments follow.
    /// </summary>
    public virtual IReadOnlyList<object> RuntimeSizes(LayerSpec layer) => Array.Empty<object>();

    /// <summary>The size of the input's last axis, the commonest runtime size.</summary>
    protected static object[] InputFeatures(LayerSpec layer) => new object[] { layer.InputShape[layer.InputShape.Count - 1] };

    /// <summary>The activation the layer's output ends in, for this configuration.</summary>
    public virtual string? EndActivation(LayerConfig config) => OutputActivation?.Of(config);

    /// <summary>
    /// Why this configuration has no ONNX form: empty for every layer but a recurrent one with an activation ONNX's
    /// recurrent operators lack (<see cref="OnnxForms.RecurrentActivations"/>). Checked only when the model asks for
    /// ONNX export, as errors; the runtime's exporter refuses the same configurations.
    /// </summary>
    public virtual IEnumerable<OnnxProblem> OnnxProblems(LayerConfig config) => Array.Empty<OnnxProblem>();

    /// <summary>
    /// What ONNX Runtime's CUDA execution provider does differently from Keras with this configuration, said as it
    /// follows "the CUDA execution provider" (cuDNN's fixed recurrent kernels ignore some attributes), or null when it
    /// computes it as written. A warning when the model asks for ONNX export.
    /// </summary>
    public virtual string? OnnxCudaDifference(LayerConfig config) => null;

    /// <summary>A wrapper's <see cref="OnnxProblems"/>: those of the layer its argument <paramref name="layer"/> wraps.</summary>
    protected static IEnumerable<OnnxProblem> WrappedOnnxProblems(LayerArgument layer, LayerConfig config) =>
        layer.Of(config) is { } inner ? inner.Entry.OnnxProblems(inner).Select(p => p.Inside(layer.Name, inner.Kind)) : Array.Empty<OnnxProblem>();

    /// <summary>A wrapper's <see cref="OnnxCudaDifference"/>: that of the layer its argument <paramref name="layer"/> wraps.</summary>
    protected static string? WrappedOnnxCudaDifference(LayerArgument layer, LayerConfig config) =>
        layer.Of(config) is { } inner ? inner.Entry.OnnxCudaDifference(inner) : null;

    /// <summary>The argument named <paramref name="name"/> (or by its Keras 2 name), or null.</summary>
    public Argument? Find(string name) => Arguments.FirstOrDefault(a => a.Name == name || a.OldName == name);

    /// <summary>Checks between arguments once each has been read (Keras rejects a dilated, strided window).</summary>
    internal virtual bool Validate(LayerBinding binding) => true;

    /// <summary>Keras' shape rule and parameter count: sets the output through <paramref name="shapes"/>, or reports why not.</summary>
    internal abstract bool Infer(ShapeContext shapes);
}

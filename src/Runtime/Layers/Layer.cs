using ModelDsl.Runtime.Onnx;

namespace ModelDsl.Runtime.Layers;

/// <summary>
/// A Keras layer: a TorchSharp module over a batch (the first axis). Its weights are registered parameters and
/// buffers under Keras' names ("kernel", "recurrent_kernel", "moving_mean"), in Keras' order, so
/// <c>named_parameters()</c>, <c>state_dict()</c>, <c>to(device)</c> and <c>save</c> behave as in any TorchSharp module.
/// </summary>
public abstract partial class Layer : nn.Module<Tensor, Tensor>
{
    private readonly List<string> _weightNames = [];

    protected Layer(string name) : base(name)
    {
    }

    /// <summary>Registers <paramref name="value"/> (which it takes over) as the parameter <paramref name="name"/>.</summary>
    protected void AddWeight(string name, Tensor value, bool trainable = true)
    {
        var parameter = new Parameter(value.DetachFromDisposeScope(), trainable);
        parameter.DetachFromDisposeScope();
        register_parameter(name, parameter);
        _weightNames.Add(name);
    }

    /// <summary>Registers <paramref name="value"/> as non-trainable state (Keras counts it as a non-trainable weight).</summary>
    protected void AddState(string name, Tensor value)
    {
        register_buffer(name, value.DetachFromDisposeScope());
        _weightNames.Add(name);
    }

    /// <summary>The parameter registered as <paramref name="name"/>: looked up each time, since <c>to(device)</c> replaces it.</summary>
    protected Parameter Weight(string name) =>
        get_parameter(name) ?? throw new InvalidOperationException($"{GetName()} has no parameter '{name}'");

    protected Parameter? OptionalWeight(string name) => get_parameter(name);

    protected Tensor State(string name) =>
        get_buffer(name) ?? throw new InvalidOperationException($"{GetName()} has no state '{name}'");

    /// <summary>
    /// Appends this layer's inference pass (dropout and noise off, as in <c>eval()</c>) to <paramref name="graph"/>, its
    /// weights as they are now, and returns its output. Every layer of the catalogue has one; a layer of your own
    /// overrides this to be exported, and otherwise the export stops with this exception, naming the layer.
    /// </summary>
    public virtual OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) =>
        throw new NotSupportedException($"{GetType().Name} has no ONNX form (a layer of your own exports by overriding Layer.ToOnnx)");

    /// <summary>Keras' parameter count of this layer: every weight's element count, state included.</summary>
    public long WeightCount => Weights().Sum(w => w.Tensor.numel());

    /// <summary>
    /// Keras' <c>weights</c>: parameters and state in the order they were added (what a checkpoint holds), then those of
    /// each wrapped layer (a registered child layer, in registration order) under "child.weight", as
    /// <c>named_parameters()</c> names them.
    /// </summary>
    public IEnumerable<(string Name, Tensor Tensor, bool Trainable)> Weights()
    {
        foreach (var name in _weightNames)
        {
            if (get_parameter(name) is { } parameter)
                yield return (name, parameter, parameter.requires_grad);
            else
                yield return (name, State(name), false);
        }
        foreach (var (childName, child) in named_children())
        {
            if (child is Layer layer)
            {
                foreach (var (name, tensor, trainable) in layer.Weights())
                    yield return ($"{childName}.{name}", tensor, trainable);
            }
        }
    }
}

/// <summary>A layer that ends in an activation, so a model can hand the logits before it to the loss.</summary>
public interface IActivatedLayer
{
    Activation Activation { get; }

    /// <summary>The forward pass without the final activation.</summary>
    Tensor ForwardLinear(Tensor input);
}

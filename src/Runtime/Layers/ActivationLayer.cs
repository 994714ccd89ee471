namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' Activation layer.</summary>
public sealed class ActivationLayer(Activation activation) : Layer(nameof(ActivationLayer)), IActivatedLayer
{
    public Activation Activation { get; } = activation;

    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) => graph.Activation(input, Activation);

    public override Tensor forward(Tensor input) => Activation.Apply(input);

    /// <summary>The input itself (as an alias).</summary>
    public Tensor ForwardLinear(Tensor input) => input.alias();
}

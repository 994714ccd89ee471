namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' Activation layer.</summary>
public sealed class ActivationLayer(Activation activation) : Layer, IActivatedLayer
{
    public Activation Activation { get; } = activation;

    public override Tensor Forward(Tensor input) => input.Activate(Activation);

    /// <summary>The input itself (as an alias).</summary>
    public Tensor ForwardLinear(Tensor input) => input.Alias();
}

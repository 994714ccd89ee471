namespace ModelDsl.Runtime.Layers;

/// <summary>A Keras layer: a module with a forward pass over a batch (the first axis).</summary>
public abstract class Layer : Module
{
    public abstract Tensor Forward(Tensor input);
}

/// <summary>A layer that ends in an activation, so a model can hand the logits before it to the loss.</summary>
public interface IActivatedLayer
{
    Activation Activation { get; }

    /// <summary>The forward pass without the final activation.</summary>
    Tensor ForwardLinear(Tensor input);
}

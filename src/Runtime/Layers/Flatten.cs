namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' Flatten: (batch, d1, d2, ...) -> (batch, d1 * d2 * ...), row-major like channels-last Keras.</summary>
public sealed class Flatten : Layer
{
    public override Tensor Forward(Tensor input) => input.Dim == 1 ? input.Unsqueeze(1) : input.Flatten(1);
}

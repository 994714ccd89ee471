namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' Flatten: (batch, d1, d2, ...) -> (batch, d1 * d2 * ...), row-major like channels-last Keras.</summary>
public sealed class Flatten() : Layer(nameof(Flatten))
{
    /// <summary>Reshape to (batch, everything else): channels-last order, as the model flattens.</summary>
    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) => graph.Reshape(input, 0, -1);

    public override Tensor forward(Tensor input) => input.dim() == 1 ? input.unsqueeze(1) : input.flatten(1);
}

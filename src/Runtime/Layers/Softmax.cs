namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' Softmax layer over <see cref="Axis"/> (negative counts from the last axis). Over the last axis it is the
/// softmax activation, so a model can hand the logits before it to the loss.
/// </summary>
public sealed class Softmax : Layer, IActivatedLayer
{
    public Softmax(int axis = -1) : base(nameof(Softmax))
    {
        Axis = axis;
    }

    public int Axis { get; }

    /// <summary>Softmax over the last axis; over another axis the whole layer is its linear part.</summary>
    public Activation Activation => Axis == -1 ? Activation.Softmax : Activation.Linear;

    public Tensor ForwardLinear(Tensor input) => Axis == -1 ? input.alias() : forward(input);

    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) => graph.Node("Softmax", [input], OnnxAttribute.Int("axis", Axis));

    public override Tensor forward(Tensor input)
    {
        if (Axis < -input.dim() || Axis >= input.dim())
            throw new ArgumentException($"Softmax's axis {Axis} is outside the {input.dim()}-D input [{string.Join(", ", input.shape)}]", nameof(input));
        return input.softmax(Axis);
    }
}

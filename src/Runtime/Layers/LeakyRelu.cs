namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' LeakyReLU layer: x where x >= 0, <see cref="NegativeSlope"/> * x below. Keras 2 calls the slope <c>alpha</c>;
/// the layer's default (0.3) differs from the <c>leaky_relu</c> activation's (0.2).
/// </summary>
public sealed class LeakyRelu : Layer
{
    /// <summary>Keras' default <c>negative_slope</c> of the layer.</summary>
    public const double DefaultNegativeSlope = 0.3;

    public LeakyRelu(double negativeSlope = DefaultNegativeSlope) : base(nameof(LeakyRelu))
    {
        NegativeSlope = LayerInputs.AtLeast(negativeSlope, 0, nameof(negativeSlope), "LeakyReLU");
    }

    public double NegativeSlope { get; }

    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) =>
        graph.Node("LeakyRelu", [input], OnnxAttribute.Float("alpha", NegativeSlope));

    public override Tensor forward(Tensor input) => nn.functional.leaky_relu(input, NegativeSlope);
}

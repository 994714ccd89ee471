namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' ELU layer: x where x > 0, <see cref="Alpha"/> * (exp(x) - 1) otherwise.</summary>
public sealed class Elu : Layer
{
    public Elu(double alpha = 1.0) : base(nameof(Elu))
    {
        Alpha = LayerInputs.Finite(alpha, nameof(alpha), "ELU");
    }

    public double Alpha { get; }

    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) => graph.Node("Elu", [input], OnnxAttribute.Float("alpha", Alpha));

    public override Tensor forward(Tensor input) => nn.functional.elu(input, Alpha, inplace: false);
}

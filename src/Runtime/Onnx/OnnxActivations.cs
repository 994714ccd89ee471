namespace ModelDsl.Runtime.Onnx;

/// <summary>Keras' activations in ONNX: as nodes of their own, and as the names ONNX's LSTM, GRU and RNN ops take.</summary>
internal static class OnnxActivations
{
    /// <summary>The activation as ONNX nodes; gelu and swish are composed, since operator set 17 has neither.</summary>
    public static OnnxValue Apply(OnnxGraph graph, OnnxValue x, Activation activation) => activation switch
    {
        Activation.Linear => x,
        Activation.Relu => graph.Node("Relu", [x]),
        Activation.Sigmoid => graph.Node("Sigmoid", [x]),
        Activation.Tanh => graph.Node("Tanh", [x]),
        Activation.Softmax => graph.Node("Softmax", [x], OnnxAttribute.Int("axis", -1)),
        Activation.Elu => graph.Node("Elu", [x], OnnxAttribute.Float("alpha", 1.0)),
        // ONNX's Selu defaults are Keras' constants.
        Activation.Selu => graph.Node("Selu", [x]),
        Activation.Softplus => graph.Node("Softplus", [x]),
        Activation.Softsign => graph.Node("Softsign", [x]),
        // Keras' exact gelu: x * (1 + erf(x / sqrt 2)) / 2.
        Activation.Gelu => graph.Mul(graph.Mul(x, graph.Add(graph.Node("Erf", [graph.Mul(x, graph.Scalar(1 / Math.Sqrt(2)))]), graph.Scalar(1))),
            graph.Scalar(0.5)),
        Activation.Swish => graph.Mul(x, graph.Node("Sigmoid", [x])),
        Activation.HardSigmoid => graph.Node("HardSigmoid", [x],
            OnnxAttribute.Float("alpha", Activations.HardSigmoidSlope), OnnxAttribute.Float("beta", Activations.HardSigmoidOffset)),
        Activation.Exponential => graph.Node("Exp", [x]),
        Activation.LeakyRelu => graph.Node("LeakyRelu", [x], OnnxAttribute.Float("alpha", Activations.LeakyReluSlope)),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };

    /// <summary>
    /// ONNX's name of <paramref name="activation"/> in a recurrent op's <c>activations</c>, with the alpha and beta it
    /// takes (null where it takes none), or null where the ops have no such activation (softmax, selu, gelu, swish,
    /// exponential). ONNX Runtime reads <c>activation_alpha</c> and <c>activation_beta</c> in order, one value for each
    /// activation that takes one, so those lists must leave out the activations that do not.
    /// </summary>
    public static (string Name, float? Alpha, float? Beta)? Recurrent(Activation activation) => activation switch
    {
        Activation.Linear => ("Affine", 1, 0),
        Activation.Relu => ("Relu", null, null),
        Activation.Sigmoid => ("Sigmoid", null, null),
        Activation.Tanh => ("Tanh", null, null),
        Activation.Elu => ("Elu", 1, null),
        Activation.Softplus => ("Softplus", null, null),
        Activation.Softsign => ("Softsign", null, null),
        Activation.HardSigmoid => ("HardSigmoid", (float)Activations.HardSigmoidSlope, (float)Activations.HardSigmoidOffset),
        Activation.LeakyRelu => ("LeakyRelu", (float)Activations.LeakyReluSlope, null),
        _ => null,
    };

    /// <summary>The Keras names of the activations ONNX's recurrent ops take.</summary>
    public static IEnumerable<string> RecurrentNames =>
        Enum.GetValues<Activation>().Where(a => Recurrent(a) is not null).Select(a => a.KerasName());
}

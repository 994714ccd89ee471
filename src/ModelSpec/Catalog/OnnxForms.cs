namespace ModelDsl.Spec;

/// <summary>
/// What ONNX can express of the catalogue, in one place: the compile-time checks of the layer entries
/// (<see cref="LayerKind.OnnxProblems"/>), the runtime's exporter and the docs read the same list.
/// </summary>
public static class OnnxForms
{
    /// <summary>ONNX's recurrent operators, named as the ONNX operator set names them.</summary>
    public const string LstmOp = "LSTM";

    public const string GruOp = "GRU";

    public const string RnnOp = "RNN";

    /// <summary>
    /// Keras' activations that ONNX's LSTM, GRU and RNN operators take in their <c>activations</c> attribute, each with
    /// ONNX's name for it. linear is ONNX's Affine with alpha 1 and beta 0; Keras 2's hard_sigmoid, clamp(0.2 x + 0.5),
    /// is ONNX's HardSigmoid with its default alpha 0.2 and beta 0.5; Keras' leaky_relu activation has slope 0.2,
    /// where ONNX's LeakyRelu defaults to 0.01, so it needs its <c>activation_alpha</c>. softmax, selu, gelu, swish and
    /// exponential have no form there (other layers compose them from ONNX's element-wise operators).
    /// </summary>
    private static readonly (string Keras, string Onnx)[] Recurrent =
    {
        ("linear", "Affine"),
        ("relu", "Relu"),
        ("sigmoid", "Sigmoid"),
        ("tanh", "Tanh"),
        ("elu", "Elu"),
        ("softplus", "Softplus"),
        ("softsign", "Softsign"),
        ("hard_sigmoid", "HardSigmoid"),
        ("leaky_relu", "LeakyRelu"),
    };

    /// <summary>The Keras names of the activations ONNX's recurrent operators take, in the order messages list them.</summary>
    public static IReadOnlyList<string> RecurrentActivations { get; } = Recurrent.Select(a => a.Keras).ToArray();

    /// <summary>ONNX's name (<c>Affine</c>, <c>HardSigmoid</c>) of the Keras activation <paramref name="kerasName"/> in a recurrent operator, or null when it has none.</summary>
    public static string? RecurrentActivationOp(string kerasName)
    {
        foreach (var (keras, onnx) in Recurrent)
        {
            if (keras == kerasName)
            {
                return onnx;
            }
        }

        return null;
    }
}

/// <summary>
/// Why a layer has no ONNX form: its argument <see cref="Argument"/> is <see cref="Value"/>, which ONNX's
/// <see cref="Op"/> operator does not take; it takes <see cref="Accepted"/>. For a wrapper (bidirectional) the
/// argument belongs to the wrapped layer, <see cref="Wrapped"/>, reached through the wrapper's <see cref="Through"/>.
/// </summary>
public sealed record OnnxProblem(string Argument, string Value, string Op, EquatableArray<string> Accepted)
{
    /// <summary>The wrapper arguments that lead to the layer holding <see cref="Argument"/>, outermost first; empty for the layer's own argument.</summary>
    public EquatableArray<string> Through { get; init; } = EquatableArray<string>.Empty;

    /// <summary>The Keras name of the wrapped layer holding <see cref="Argument"/> (lstm); null for the layer's own argument.</summary>
    public string? Wrapped { get; init; }

    /// <summary>The same problem seen from a wrapper whose argument <paramref name="wrapperArgument"/> holds a <paramref name="wrappedKind"/>.</summary>
    public OnnxProblem Inside(string wrapperArgument, string wrappedKind) =>
        this with { Through = new[] { wrapperArgument }.Concat(Through).ToEquatableArray(), Wrapped = Wrapped ?? wrappedKind };
}

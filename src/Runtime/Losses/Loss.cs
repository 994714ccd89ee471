namespace ModelDsl.Runtime.Losses;

public enum LossKind
{
    SparseCategoricalCrossentropy,
    CategoricalCrossentropy,
    BinaryCrossentropy,
    MeanSquaredError,
    MeanAbsoluteError,
}

/// <summary>
/// A Keras loss, averaged over the batch (Keras' sum-over-batch-size). Given the output before the model's last
/// activation, softmax + cross-entropy becomes log-softmax + NLL and sigmoid + binary cross-entropy the logits form,
/// as Keras does internally; probabilities that arrive otherwise are clipped to [1e-7, 1 - 1e-7] like Keras.
/// </summary>
public sealed class Loss
{
    /// <summary>Keras' <c>backend.epsilon()</c>.</summary>
    public const double Epsilon = 1e-7;

    private Loss(LossKind kind, bool fromLogits, string name)
    {
        Kind = kind;
        FromLogits = fromLogits;
        Name = name;
    }

    public static Loss SparseCategoricalCrossentropy(bool fromLogits = false) =>
        new(LossKind.SparseCategoricalCrossentropy, fromLogits, "sparse_categorical_crossentropy");

    public static Loss CategoricalCrossentropy(bool fromLogits = false) =>
        new(LossKind.CategoricalCrossentropy, fromLogits, "categorical_crossentropy");

    public static Loss BinaryCrossentropy(bool fromLogits = false) => new(LossKind.BinaryCrossentropy, fromLogits, "binary_crossentropy");

    public static Loss MeanSquaredError() => new(LossKind.MeanSquaredError, false, "mean_squared_error");

    public static Loss MeanAbsoluteError() => new(LossKind.MeanAbsoluteError, false, "mean_absolute_error");

    public LossKind Kind { get; }

    /// <summary>True when the model's output is logits rather than probabilities.</summary>
    public bool FromLogits { get; }

    /// <summary>Keras' name ("sparse_categorical_crossentropy").</summary>
    public string Name { get; }

    public override string ToString() => FromLogits ? $"{Name}(from_logits)" : Name;

    /// <summary>The mean loss of a batch from the model's final output.</summary>
    public Tensor Compute(Tensor output, Tensor targets) => Compute(output, Activation.Linear, targets);

    /// <summary>
    /// The mean loss of a batch from the output before the model's last activation <paramref name="outputActivation"/>
    /// (what <c>ForwardLogits</c> returns), so the stable fused forms apply.
    /// </summary>
    public Tensor Compute(Tensor preActivation, Activation outputActivation, Tensor targets) => Kind switch
    {
        LossKind.SparseCategoricalCrossentropy => SparseCrossentropy(preActivation, outputActivation, targets),
        LossKind.CategoricalCrossentropy => CategoricalCrossentropyOf(preActivation, outputActivation, targets),
        LossKind.BinaryCrossentropy => BinaryCrossentropyOf(preActivation, outputActivation, targets),
        LossKind.MeanSquaredError => Pointwise(preActivation, outputActivation, targets, squared: true),
        _ => Pointwise(preActivation, outputActivation, targets, squared: false),
    };

    // Log-probabilities over the last axis.
    private Tensor LogProbabilities(Tensor preActivation, Activation activation)
    {
        if (FromLogits || activation == Activation.Softmax)
        {
            if (activation == Activation.Softmax || activation == Activation.Linear)
                return preActivation.LogSoftmax(-1);
            using var logits = preActivation.Activate(activation);
            return logits.LogSoftmax(-1);
        }
        // Probabilities: Keras clips them; renormalizing is what its log-softmax of log(p) amounts to.
        using var probabilities = preActivation.Activate(activation);
        using var clipped = probabilities.Clamp(Epsilon, 1 - Epsilon);
        using var logs = clipped.Log();
        return logs.LogSoftmax(-1);
    }

    private Tensor SparseCrossentropy(Tensor preActivation, Activation activation, Tensor targets)
    {
        using var logProbabilities = LogProbabilities(preActivation, activation);
        var classes = logProbabilities.Size(-1);
        // (batch, [time,] classes) against (batch, [time]) or (batch, 1) labels: every position is a sample.
        using var flat = logProbabilities.Reshape(-1, classes);
        using var labels = targets.Reshape(-1);
        return flat.NllLoss(labels);
    }

    private Tensor CategoricalCrossentropyOf(Tensor preActivation, Activation activation, Tensor targets)
    {
        using var logProbabilities = LogProbabilities(preActivation, activation);
        using var typed = targets.To(logProbabilities.DType);
        using var product = typed * logProbabilities;
        using var perSample = product.Sum(-1);
        using var mean = perSample.Mean();
        return -mean;
    }

    private Tensor BinaryCrossentropyOf(Tensor preActivation, Activation activation, Tensor targets)
    {
        using var aligned = Align(targets, preActivation);
        if (FromLogits || activation == Activation.Sigmoid)
        {
            if (activation == Activation.Sigmoid || activation == Activation.Linear)
                return preActivation.BinaryCrossEntropyWithLogits(aligned);
            using var logits = preActivation.Activate(activation);
            return logits.BinaryCrossEntropyWithLogits(aligned);
        }
        // Keras: p clipped to [eps, 1 - eps], then -(t log(p + eps) + (1 - t) log(1 - p + eps)).
        using var probabilities = preActivation.Activate(activation);
        using var p = probabilities.Clamp(Epsilon, 1 - Epsilon);
        using var t = aligned.To(p.DType);
        using var pEps = p + Epsilon;
        using var logP = pEps.Log();
        using var oneMinusP = (1 + Epsilon) - p;
        using var logOneMinusP = oneMinusP.Log();
        using var oneMinusT = 1 - t;
        using var positive = t * logP;
        using var negative = oneMinusT * logOneMinusP;
        using var sum = positive + negative;
        using var mean = sum.Mean();
        return -mean;
    }

    private static Tensor Pointwise(Tensor preActivation, Activation activation, Tensor targets, bool squared)
    {
        using var output = preActivation.Activate(activation);
        using var aligned = Align(targets, output);
        return squared ? output.MseLoss(aligned) : output.L1Loss(aligned);
    }

    /// <summary>Keras' squeeze-or-expand: (batch,) targets against a (batch, 1) output get the trailing axis.</summary>
    internal static Tensor Align(Tensor targets, Tensor output)
    {
        var outputShape = output.Shape;
        var targetDim = targets.Dim;
        return targetDim == outputShape.Length - 1 && outputShape[^1] == 1 ? targets.Unsqueeze(-1) : targets.Alias();
    }
}

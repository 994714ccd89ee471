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
                return preActivation.log_softmax(-1);
            using var logits = activation.Apply(preActivation);
            return logits.log_softmax(-1);
        }
        // Probabilities: Keras clips them; renormalizing is what its log-softmax of log(p) amounts to.
        using var probabilities = activation.Apply(preActivation);
        using var logs = probabilities.clamp(Epsilon, 1 - Epsilon).log_();
        return logs.log_softmax(-1);
    }

    private Tensor SparseCrossentropy(Tensor preActivation, Activation activation, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var logProbabilities = LogProbabilities(preActivation, activation);
        var classes = logProbabilities.size(-1);
        // (batch, [time,] classes) against (batch, [time]) or (batch, 1) labels: every position is a sample.
        var flat = logProbabilities.reshape(-1, classes);
        var labels = targets.reshape(-1).to(ScalarType.Int64);
        return nn.functional.nll_loss(flat, labels).MoveToOuterDisposeScope();
    }

    private Tensor CategoricalCrossentropyOf(Tensor preActivation, Activation activation, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var logProbabilities = LogProbabilities(preActivation, activation);
        var perSample = (targets.to(logProbabilities.dtype) * logProbabilities).sum(-1);
        return perSample.mean().neg().MoveToOuterDisposeScope();
    }

    private Tensor BinaryCrossentropyOf(Tensor preActivation, Activation activation, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var aligned = Align(targets, preActivation);
        if (FromLogits || activation == Activation.Sigmoid)
        {
            var logits = activation is Activation.Sigmoid or Activation.Linear ? preActivation : activation.Apply(preActivation);
            return nn.functional.binary_cross_entropy_with_logits(logits, aligned.to(logits.dtype)).MoveToOuterDisposeScope();
        }
        // Keras: p clipped to [eps, 1 - eps], then -(t log(p + eps) + (1 - t) log(1 - p + eps)).
        var p = activation.Apply(preActivation).clamp(Epsilon, 1 - Epsilon);
        var t = aligned.to(p.dtype);
        var positive = t * (p + Epsilon).log();
        var negative = (1 - t) * ((1 + Epsilon) - p).log();
        return (positive + negative).mean().neg().MoveToOuterDisposeScope();
    }

    private static Tensor Pointwise(Tensor preActivation, Activation activation, Tensor targets, bool squared)
    {
        using var scope = NewDisposeScope();
        var output = activation.Apply(preActivation);
        var aligned = Align(targets, output).to(output.dtype);
        var loss = squared ? nn.functional.mse_loss(output, aligned) : nn.functional.l1_loss(output, aligned);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>Keras' squeeze-or-expand: (batch,) targets against a (batch, 1) output get the trailing axis.</summary>
    internal static Tensor Align(Tensor targets, Tensor output) =>
        targets.dim() == output.dim() - 1 && output.size(-1) == 1 ? targets.unsqueeze(-1) : targets.alias();
}

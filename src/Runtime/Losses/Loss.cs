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
/// Outputs with more axes than (batch, classes), such as per-timestep (batch, time, classes) predictions, are losses
/// at every position, averaged over all of them as Keras averages its (batch, time) losses: sparse labels are
/// (batch, time) (or (batch, time, 1)), one-hot labels and regression targets have the output's shape.
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
        CheckSparseLabels(Name, targets, preActivation);
        // (batch, [time,] classes) against (batch, [time]) or (batch, [time,] 1) labels: every position is a sample.
        var flat = logProbabilities.reshape(-1, classes);
        var labels = targets.reshape(-1).to(ScalarType.Int64);
        return nn.functional.nll_loss(flat, labels).MoveToOuterDisposeScope();
    }

    private Tensor CategoricalCrossentropyOf(Tensor preActivation, Activation activation, Tensor targets)
    {
        using var scope = NewDisposeScope();
        CheckSameShape(Name, targets, preActivation, targets);
        var logProbabilities = LogProbabilities(preActivation, activation);
        var perSample = (targets.to(logProbabilities.dtype) * logProbabilities).sum(-1);
        return perSample.mean().neg().MoveToOuterDisposeScope();
    }

    private Tensor BinaryCrossentropyOf(Tensor preActivation, Activation activation, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var aligned = Align(targets, preActivation);
        CheckSameShape(Name, aligned, preActivation, targets);
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

    private Tensor Pointwise(Tensor preActivation, Activation activation, Tensor targets, bool squared)
    {
        using var scope = NewDisposeScope();
        var output = activation.Apply(preActivation);
        var aligned = Align(targets, output);
        CheckSameShape(Name, aligned, output, targets);
        aligned = aligned.to(output.dtype);
        var loss = squared ? nn.functional.mse_loss(output, aligned) : nn.functional.l1_loss(output, aligned);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Keras' squeeze-or-expand to the same rank: targets one axis short of an output whose last axis is 1 get that
    /// axis ((batch,) or (batch, time) against (batch, [time,] 1)), and targets with an extra trailing 1 lose it.
    /// </summary>
    internal static Tensor Align(Tensor targets, Tensor output)
    {
        if (targets.dim() == output.dim() - 1 && output.size(-1) == 1)
            return targets.unsqueeze(-1);
        if (targets.dim() == output.dim() + 1 && targets.size(-1) == 1)
            return targets.squeeze(-1);
        return targets.alias();
    }

    /// <summary>
    /// Rejects <paramref name="aligned"/> targets whose shape is not the output's: libtorch would broadcast them
    /// silently or fail in its own terms. <paramref name="written"/> is what the caller passed, for the message.
    /// </summary>
    internal static void CheckSameShape(string name, Tensor aligned, Tensor output, Tensor written)
    {
        if (!aligned.shape.AsSpan().SequenceEqual(output.shape))
            throw new ArgumentException($"{name}: targets {Text(written.shape)} do not fit the predictions {Text(output.shape)}; they need the same shape", "targets");
    }

    /// <summary>Sparse labels: one class index per position of the output's leading axes, (batch, [time]) or with a trailing 1.</summary>
    internal static void CheckSparseLabels(string name, Tensor labels, Tensor output)
    {
        var positions = output.shape[..^1];
        var shape = labels.shape;
        if (shape.AsSpan().SequenceEqual(positions) || shape.Length == positions.Length + 1 && shape[^1] == 1 && shape.AsSpan(0, positions.Length).SequenceEqual(positions))
            return;
        throw new ArgumentException(
            $"{name}: labels {Text(shape)} do not fit the predictions {Text(output.shape)}; sparse labels are one class index per " +
            $"position, {Text(positions)} or {Text([.. positions, 1])}", "targets");
    }

    private static string Text(long[] shape) => "(" + string.Join(", ", shape) + ")";
}

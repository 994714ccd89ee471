using ModelDsl.Runtime.Losses;

namespace ModelDsl.Runtime.Metrics;

public enum MetricKind
{
    SparseCategoricalAccuracy,
    CategoricalAccuracy,
    BinaryAccuracy,
    MeanAbsoluteError,
    MeanSquaredError,
}

/// <summary>
/// A Keras metric, reported as per-batch sums so the training loop can average over an epoch (Keras' running mean
/// over samples): <see cref="Compute(Tensor, Tensor)"/> gives the sum of the per-sample values on the device (no
/// sync) and how many samples it covers. On per-timestep outputs (batch, time, ...) every position counts as a
/// sample; Keras averages over time within a sample and then over samples, which is the same mean since every sample
/// of a batch has the same number of timesteps.
/// </summary>
public sealed class Metric
{
    private Metric(MetricKind kind, string name, double threshold = 0.5)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Kind = kind;
        Name = name;
        Threshold = threshold;
    }

    public static Metric SparseCategoricalAccuracy(string name) => new(MetricKind.SparseCategoricalAccuracy, name);

    public static Metric CategoricalAccuracy(string name) => new(MetricKind.CategoricalAccuracy, name);

    /// <summary>Output above <paramref name="threshold"/> counts as 1.</summary>
    public static Metric BinaryAccuracy(string name, double threshold = 0.5) => new(MetricKind.BinaryAccuracy, name, threshold);

    public static Metric MeanAbsoluteError(string name) => new(MetricKind.MeanAbsoluteError, name);

    public static Metric MeanSquaredError(string name) => new(MetricKind.MeanSquaredError, name);

    public MetricKind Kind { get; }

    /// <summary>The History key ("accuracy"; "val_accuracy" for validation).</summary>
    public string Name { get; }

    public double Threshold { get; }

    public override string ToString() => Name;

    /// <summary>The sum of the per-sample values (0-D float64, on the output's device, no grad) and the sample count.</summary>
    public (Tensor Sum, long Count) Compute(Tensor output, Tensor targets) => Compute(output, Activation.Linear, targets);

    /// <summary>As <see cref="Compute(Tensor, Tensor)"/>, from the output before the model's last activation.</summary>
    public (Tensor Sum, long Count) Compute(Tensor preActivation, Activation outputActivation, Tensor targets)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        // Softmax keeps the arg-max, so the accuracies skip it.
        var argMaxOnly = Kind is MetricKind.SparseCategoricalAccuracy or MetricKind.CategoricalAccuracy && outputActivation == Activation.Softmax;
        var output = argMaxOnly ? preActivation : outputActivation.Apply(preActivation);
        var (sum, count) = Kind switch
        {
            MetricKind.SparseCategoricalAccuracy => SparseCorrect(output, targets),
            MetricKind.CategoricalAccuracy => Correct(output.argmax(-1).eq(Aligned(output, targets).argmax(-1))),
            MetricKind.BinaryAccuracy => Correct(output.gt(Threshold).eq(Aligned(output, targets).gt(BinaryTargetThreshold))),
            _ => Error(output, Aligned(output, targets), squared: Kind == MetricKind.MeanSquaredError),
        };
        return (sum.MoveToOuterDisposeScope(), count);
    }

    /// <summary>The batch's sum read back to .NET (one sync).</summary>
    public (double Sum, long Count) Evaluate(Tensor output, Tensor targets)
    {
        var (sum, count) = Compute(output, targets);
        using (sum)
            return (sum.item<double>(), count);
    }

    // Keras compares binary targets with 0.5, whatever the prediction threshold.
    private const double BinaryTargetThreshold = 0.5;

    private static (Tensor, long) Correct(Tensor matches) => (matches.sum().to(ScalarType.Float64), matches.numel());

    private (Tensor, long) SparseCorrect(Tensor output, Tensor labels)
    {
        Loss.CheckSparseLabels(Name, labels, output);
        return Correct(output.argmax(-1).eq(labels.reshape(output.shape[..^1]).to(ScalarType.Int64)));
    }

    // Targets of the output's shape, after Keras' squeeze-or-expand.
    private Tensor Aligned(Tensor output, Tensor targets)
    {
        var aligned = Loss.Align(targets, output);
        Loss.CheckSameShape(Name, aligned, output, targets);
        return aligned;
    }

    // Keras: the mean over the last axis is the per-sample value.
    private static (Tensor, long) Error(Tensor output, Tensor targets, bool squared)
    {
        var difference = output - targets.to(output.dtype);
        var error = squared ? difference.square() : difference.abs();
        var perSampleWidth = error.dim() > 1 ? error.size(-1) : 1;
        return ((error.sum() / perSampleWidth).to(ScalarType.Float64), error.numel() / perSampleWidth);
    }
}

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
/// sync) and how many samples it covers.
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
        using var noGrad = new NoGradScope();
        // Softmax keeps the arg-max, so the accuracies skip it.
        var argMaxOnly = Kind is MetricKind.SparseCategoricalAccuracy or MetricKind.CategoricalAccuracy && outputActivation == Activation.Softmax;
        using var output = preActivation.Activate(argMaxOnly ? Activation.Linear : outputActivation);
        return Kind switch
        {
            MetricKind.SparseCategoricalAccuracy => SparseAccuracy(output, targets),
            MetricKind.CategoricalAccuracy => CategoricalAccuracyOf(output, targets),
            MetricKind.BinaryAccuracy => BinaryAccuracyOf(output, targets),
            _ => Error(output, targets, squared: Kind == MetricKind.MeanSquaredError),
        };
    }

    /// <summary>The batch's sum read back to .NET (one sync).</summary>
    public (double Sum, long Count) Evaluate(Tensor output, Tensor targets)
    {
        var (sum, count) = Compute(output, targets);
        using (sum)
            return (sum.ToDouble(), count);
    }

    private static (Tensor, long) Correct(Tensor matches)
    {
        using var sum = matches.Sum();
        return (sum.To(DType.Float64), matches.NumElements);
    }

    private static (Tensor, long) SparseAccuracy(Tensor output, Tensor targets)
    {
        using var predicted = output.ArgMax(-1);
        using var labels = targets.Reshape(predicted.Shape);
        using var typed = labels.To(DType.Int64);
        using var matches = predicted.Eq(typed);
        return Correct(matches);
    }

    private static (Tensor, long) CategoricalAccuracyOf(Tensor output, Tensor targets)
    {
        using var predicted = output.ArgMax(-1);
        using var expected = targets.ArgMax(-1);
        using var matches = predicted.Eq(expected);
        return Correct(matches);
    }

    private (Tensor, long) BinaryAccuracyOf(Tensor output, Tensor targets)
    {
        using var aligned = Loss.Align(targets, output);
        using var predicted = output.Gt(Threshold);
        using var expected = aligned.Gt(0.5);
        using var matches = predicted.Eq(expected);
        return Correct(matches);
    }

    // Keras: the mean over the last axis is the per-sample value.
    private static (Tensor, long) Error(Tensor output, Tensor targets, bool squared)
    {
        using var aligned = Loss.Align(targets, output);
        using var typed = aligned.To(output.DType);
        using var difference = output - typed;
        using var error = squared ? difference.Square() : difference.Abs();
        var shape = error.Shape;
        var perSampleWidth = shape.Length > 1 ? shape[^1] : 1;
        using var sum = error.Sum();
        using var scaled = sum / perSampleWidth;
        return (scaled.To(DType.Float64), error.NumElements / perSampleWidth);
    }
}

using ModelDsl.Runtime.Metrics;

namespace ModelDsl.Runtime.Training;

/// <summary>
/// The loss and metrics averaged over the samples seen so far in an epoch (Keras' running means, weighted by
/// batch size). The sums stay on the model's device, so adding a batch costs no sync; <see cref="Read"/> syncs.
/// </summary>
internal sealed class RunningAverages : IDisposable
{
    private readonly IReadOnlyList<Metric> _metrics;
    private readonly Tensor _lossSum;
    private readonly Tensor[] _metricSums;
    private readonly long[] _metricCounts;
    private long _samples;

    public RunningAverages(IReadOnlyList<Metric> metrics, Device device)
    {
        _metrics = metrics;
        _lossSum = zeros([], ScalarType.Float64, device).DetachFromDisposeScope();
        _metricSums = metrics.Select(_ => zeros([], ScalarType.Float64, device).DetachFromDisposeScope()).ToArray();
        _metricCounts = new long[metrics.Count];
    }

    /// <summary>Adds a batch: its mean loss (any grad is ignored) over <paramref name="samples"/>, and its metrics.</summary>
    public void Add(Tensor meanLoss, long samples, Tensor preActivation, Activation outputActivation, Tensor targets)
    {
        using var noGrad = no_grad();
        _lossSum.add_(meanLoss.detach(), alpha: samples);
        _samples += samples;
        for (var i = 0; i < _metrics.Count; i++)
        {
            var (sum, count) = _metrics[i].Compute(preActivation, outputActivation, targets);
            using (sum)
                _metricSums[i].add_(sum);
            _metricCounts[i] += count;
        }
    }

    /// <summary>loss, then each metric, under their names (with <paramref name="prefix"/>, e.g. "val_").</summary>
    public List<KeyValuePair<string, double>> Read(string prefix = "")
    {
        var values = new List<KeyValuePair<string, double>>(1 + _metrics.Count)
        {
            new(prefix + "loss", _samples > 0 ? _lossSum.item<double>() / _samples : double.NaN),
        };
        for (var i = 0; i < _metrics.Count; i++)
            values.Add(new(prefix + _metrics[i].Name, _metricCounts[i] > 0 ? _metricSums[i].item<double>() / _metricCounts[i] : double.NaN));
        return values;
    }

    public void Dispose()
    {
        _lossSum.Dispose();
        foreach (var sum in _metricSums)
            sum.Dispose();
    }
}

using ModelDsl.Runtime.Losses;
using ModelDsl.Runtime.Metrics;
using ModelDsl.Runtime.Optimizers;

namespace ModelDsl.Runtime.Training;

/// <summary>The compile section of a model file, plus its preprocessing and per-sample input shape.</summary>
public sealed record ModelConfig(
    string Name,
    Loss Loss,
    Func<Optimizer> Optimizer,
    IReadOnlyList<Metric> Metrics,
    double? Rescale,
    IReadOnlyList<int> InputShape);

using System.Globalization;

namespace ModelDsl.Runtime.Training;

/// <summary>The loss and metrics over a whole dataset, under Keras' names (<c>loss</c>, <c>accuracy</c>).</summary>
public sealed class EvaluationResult(IReadOnlyDictionary<string, double> values)
{
    public IReadOnlyDictionary<string, double> Values { get; } = values;
    public double Loss => Values["loss"];
    public double this[string name] => Values.TryGetValue(name, out var value) ? value
        : throw new KeyNotFoundException($"no '{name}' in this evaluation; it has {string.Join(", ", Values.Keys)}");

    public override string ToString() =>
        string.Join(" - ", Values.Select(v => $"{v.Key}: {v.Value.ToString("0.0000", CultureInfo.InvariantCulture)}"));
}

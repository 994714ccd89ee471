using ModelDsl.Runtime.Training;

namespace ModelDsl.Runtime.Report;

/// <summary>
/// One chart of the report: a History key per epoch (<c>loss</c>) beside its validation twin (<c>val_loss</c>).
/// Either series is null when the History lacks it; NaN marks an epoch without a value.
/// </summary>
public sealed record MetricCurve(string Name, IReadOnlyList<int> Epochs, IReadOnlyList<double>? Train, IReadOnlyList<double>? Validation)
{
    private const string ValidationPrefix = "val_";

    /// <summary>A curve per key of <paramref name="history"/>, in its key order; a val_ key joins its training twin.</summary>
    public static IReadOnlyList<MetricCurve> FromHistory(History history)
    {
        // Keras counts epochs from 1 in its log; the History's own Epoch list is 0-based.
        var epochs = history.Epoch.Select(e => e + 1).ToArray();
        var curves = new List<MetricCurve>();
        foreach (var key in history.Keys)
        {
            if (key.StartsWith(ValidationPrefix, StringComparison.Ordinal))
            {
                var trainKey = key[ValidationPrefix.Length..];
                if (!history.ContainsKey(trainKey))
                    curves.Add(new MetricCurve(trainKey, epochs, null, history[key]));
                continue;
            }
            var validationKey = ValidationPrefix + key;
            curves.Add(new MetricCurve(key, epochs, history[key], history.ContainsKey(validationKey) ? history[validationKey] : null));
        }
        return curves;
    }
}

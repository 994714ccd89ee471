using System.Globalization;
using System.Text.RegularExpressions;

namespace ModelDsl.Runtime.Training;

/// <summary>
/// Keras' ModelCheckpoint: saves after each epoch to <see cref="FilePath"/>, which may name the 1-based epoch and any
/// log value the Python way (<c>weights.{epoch:02d}-{val_loss:.2f}.ckpt</c>). With <see cref="SaveBestOnly"/>
/// it saves only when <see cref="Monitor"/> improves; unless <see cref="SaveWeightsOnly"/> it also saves the
/// optimizer state and position, so <see cref="SequentialModel.LoadCheckpoint"/> can continue training from it.
/// </summary>
public sealed partial class ModelCheckpoint(
    string filePath, string monitor = "val_loss", bool saveBestOnly = false, bool saveWeightsOnly = false) : Callback
{
    public string FilePath { get; } = filePath;
    public string Monitor { get; } = monitor;
    public bool SaveBestOnly { get; } = saveBestOnly;
    public bool SaveWeightsOnly { get; } = saveWeightsOnly;
    /// <summary>The files written so far, oldest first.</summary>
    public IReadOnlyList<string> Saved => _saved;

    private readonly List<string> _saved = [];
    private double _best;

    public override void OnTrainBegin(TrainingContext context) =>
        _best = HigherIsBetter(Monitor) ? double.NegativeInfinity : double.PositiveInfinity;

    public override void OnEpochEnd(TrainingContext context, int epoch, IDictionary<string, double> logs)
    {
        if (SaveBestOnly)
        {
            if (!TryGet(logs, Monitor, context, out var current))
                return;
            bool improved = HigherIsBetter(Monitor) ? current > _best : current < _best;
            if (!improved)
                return;
            _best = current;
        }
        var path = Format(FilePath, epoch + 1, logs);
        context.SaveCheckpoint(path, includeTrainingState: !SaveWeightsOnly, completedEpochs: epoch + 1);
        _saved.Add(path);
    }

    /// <summary>Fills <c>{epoch}</c>, <c>{epoch:02d}</c>, <c>{val_loss:.4f}</c>, ... from the epoch and the logs.</summary>
    internal static string Format(string pattern, int epoch, IDictionary<string, double> logs) =>
        Placeholder().Replace(pattern, match =>
        {
            var key = match.Groups["key"].Value;
            var spec = match.Groups["spec"].Value;
            double value = key == "epoch" ? epoch
                : logs.TryGetValue(key, out var logged) ? logged
                : throw new ArgumentException($"ModelCheckpoint path '{pattern}' names '{key}', which the logs lack " +
                                              $"(they have epoch, {string.Join(", ", logs.Keys)})");
            var digits = match.Groups["digits"].Value;
            return spec switch
            {
                "" => key == "epoch" ? epoch.ToString(CultureInfo.InvariantCulture) : value.ToString("R", CultureInfo.InvariantCulture),
                _ when match.Groups["kind"].Value == "d" =>
                    ((long)value).ToString(new string('0', digits.Length > 0 ? int.Parse(digits, CultureInfo.InvariantCulture) : 1), CultureInfo.InvariantCulture),
                _ => value.ToString("F" + (digits.Length > 0 ? digits : "6"), CultureInfo.InvariantCulture),
            };
        });

    [GeneratedRegex(@"\{(?<key>[A-Za-z_][A-Za-z0-9_]*)(?<spec>:0?\.?(?<digits>\d*)(?<kind>[df]))?\}")]
    private static partial Regex Placeholder();
}

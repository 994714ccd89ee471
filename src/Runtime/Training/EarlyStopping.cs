namespace ModelDsl.Runtime.Training;

/// <summary>
/// Keras' EarlyStopping: stops once <see cref="Monitor"/> has not improved by more than <see cref="MinDelta"/> for
/// <see cref="Patience"/> epochs; with <see cref="RestoreBestWeights"/> the model ends with the best epoch's weights.
/// </summary>
public sealed class EarlyStopping(
    string monitor = "val_loss", double minDelta = 0, int patience = 0, bool restoreBestWeights = false) : Callback
{
    public string Monitor { get; } = monitor;
    public double MinDelta { get; } = Math.Abs(minDelta);
    public int Patience { get; } = patience;
    public bool RestoreBestWeights { get; } = restoreBestWeights;
    /// <summary>The 0-based epoch training stopped after, or null if it ran to the end.</summary>
    public int? StoppedEpoch { get; private set; }
    public int? BestEpoch { get; private set; }
    public double Best { get; private set; }

    private int _wait;
    private ModelWeights? _bestWeights;

    public override void OnTrainBegin(TrainingContext context)
    {
        _wait = 0;
        StoppedEpoch = null;
        BestEpoch = null;
        _bestWeights = null;
        Best = HigherIsBetter(Monitor) ? double.NegativeInfinity : double.PositiveInfinity;
    }

    public override void OnEpochEnd(TrainingContext context, int epoch, IDictionary<string, double> logs)
    {
        if (!TryGet(logs, Monitor, context, out var current))
            return;
        bool improved = HigherIsBetter(Monitor) ? current - MinDelta > Best : current + MinDelta < Best;
        if (improved)
        {
            Best = current;
            BestEpoch = epoch;
            _wait = 0;
            if (RestoreBestWeights)
                _bestWeights = context.Model.GetWeights();
            return;
        }
        _wait++;
        if (_wait < Patience)
            return;
        StoppedEpoch = epoch;
        context.Stop($"EarlyStopping: {Monitor} did not improve for {_wait} epoch(s) after epoch {BestEpoch + 1} ({Best:0.0000})");
    }

    public override void OnTrainEnd(TrainingContext context)
    {
        if (StoppedEpoch is not null)
            context.Info($"Epoch {StoppedEpoch + 1}: early stopping");
        if (RestoreBestWeights && _bestWeights is not null && BestEpoch != context.LastEpoch)
        {
            context.Info($"Restoring model weights from the end of the best epoch: {BestEpoch + 1}.");
            context.Model.SetWeights(_bestWeights);
        }
    }
}

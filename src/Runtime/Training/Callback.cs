namespace ModelDsl.Runtime.Training;

/// <summary>
/// Hooks into <see cref="SequentialModel.Fit"/>, like Keras' callbacks. Epochs and batches are 0-based;
/// <c>logs</c> hold the running epoch averages under Keras' keys (<c>loss</c>, <c>accuracy</c>, and at epoch end
/// <c>val_loss</c>, <c>val_accuracy</c>).
/// </summary>
public abstract class Callback
{
    public virtual void OnTrainBegin(TrainingContext context) { }
    public virtual void OnEpochBegin(TrainingContext context, int epoch) { }
    public virtual void OnBatchEnd(TrainingContext context, int batch, IReadOnlyDictionary<string, double> logs) { }
    /// <summary>The logs may be added to (Keras' ReduceLROnPlateau adds learning_rate); what is there goes to the history.</summary>
    public virtual void OnEpochEnd(TrainingContext context, int epoch, IDictionary<string, double> logs) { }
    public virtual void OnTrainEnd(TrainingContext context) { }

    /// <summary>Keras' mode "auto": figures named like accuracy grow, everything else (losses, errors) shrinks.</summary>
    protected static bool HigherIsBetter(string monitor) =>
        monitor.Contains("acc", StringComparison.OrdinalIgnoreCase) || monitor.Contains("auc", StringComparison.OrdinalIgnoreCase);

    protected static bool TryGet(IDictionary<string, double> logs, string monitor, TrainingContext context, out double value)
    {
        if (logs.TryGetValue(monitor, out value))
            return true;
        context.Warn($"{monitor} is not available (the logs have {string.Join(", ", logs.Keys)}); nothing to monitor");
        return false;
    }
}

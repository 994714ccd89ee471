namespace ModelDsl.Runtime.Training;

/// <summary>
/// Keras' TerminateOnNaN: stops training at the first step whose loss is NaN or infinite, and says which step
/// and what loss (a diverging run, e.g. a relu LSTM fed unscaled inputs, otherwise trains on garbage for hours).
/// </summary>
public sealed class TerminateOnNaN : Callback
{
    /// <summary>The 0-based epoch and step (batch within the epoch) whose loss went bad, or null.</summary>
    public (int Epoch, int Step)? BadStep { get; private set; }
    public double? BadLoss { get; private set; }

    public override void OnTrainBegin(TrainingContext context)
    {
        BadStep = null;
        BadLoss = null;
    }

    public override void OnBatchEnd(TrainingContext context, int batch, IReadOnlyDictionary<string, double> logs)
    {
        var loss = context.BatchLoss;
        if (double.IsFinite(loss))
            return;
        BadStep = (context.Epoch, batch);
        BadLoss = loss;
        var text = ProgressBar.FormatValue(loss);
        context.Info($"Epoch {context.Epoch + 1}, batch {batch + 1}: invalid loss {text}, terminating training");
        context.Stop($"TerminateOnNaN: loss {text} at epoch {context.Epoch + 1}, batch {batch + 1} (global step {context.GlobalStep})");
    }
}

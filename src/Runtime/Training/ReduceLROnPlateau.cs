namespace ModelDsl.Runtime.Training;

/// <summary>
/// Keras' ReduceLROnPlateau: multiplies the optimizer's base learning rate by <see cref="Factor"/> once
/// <see cref="Monitor"/> has stalled for <see cref="Patience"/> epochs, then waits <see cref="Cooldown"/> epochs.
/// A legacy <c>decay</c> keeps applying on top of the reduced rate, as in Keras. Adds <c>learning_rate</c> to the logs.
/// </summary>
public sealed class ReduceLROnPlateau(
    string monitor = "val_loss", double factor = 0.1, int patience = 10, double minDelta = 1e-4, int cooldown = 0,
    double minLearningRate = 0) : Callback
{
    public string Monitor { get; } = monitor;
    public double Factor { get; } = factor is > 0 and < 1 ? factor
        : throw new ArgumentOutOfRangeException(nameof(factor), factor, "ReduceLROnPlateau needs a factor between 0 and 1");
    public int Patience { get; } = patience;
    public double MinDelta { get; } = Math.Abs(minDelta);
    public int Cooldown { get; } = cooldown;
    public double MinLearningRate { get; } = minLearningRate;

    private double _best;
    private int _wait;
    private int _cooldownLeft;

    public override void OnTrainBegin(TrainingContext context)
    {
        _best = HigherIsBetter(Monitor) ? double.NegativeInfinity : double.PositiveInfinity;
        _wait = 0;
        _cooldownLeft = 0;
    }

    public override void OnEpochEnd(TrainingContext context, int epoch, IDictionary<string, double> logs)
    {
        logs["learning_rate"] = context.LearningRate;
        if (!TryGet(logs, Monitor, context, out var current))
            return;
        if (_cooldownLeft > 0)
        {
            _cooldownLeft--;
            _wait = 0;
        }
        bool improved = HigherIsBetter(Monitor) ? current > _best + MinDelta : current < _best - MinDelta;
        if (improved)
        {
            _best = current;
            _wait = 0;
            return;
        }
        if (_cooldownLeft > 0 || ++_wait < Patience)
            return;
        var old = context.LearningRate;
        if (old > MinLearningRate)
        {
            var reduced = Math.Max(old * Factor, MinLearningRate);
            context.LearningRate = reduced;
            context.Info($"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {reduced:G6}.");
            _cooldownLeft = Cooldown;
            _wait = 0;
        }
    }
}

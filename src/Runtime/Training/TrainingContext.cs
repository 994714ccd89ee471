using ModelDsl.Runtime.Optimizers;

namespace ModelDsl.Runtime.Training;

/// <summary>What callbacks see of a running <see cref="SequentialModel.Fit"/>, and how they steer it.</summary>
public sealed class TrainingContext
{
    private readonly HashSet<string> _warned = [];
    private readonly Func<string, bool, int, string> _saveCheckpoint;

    private readonly bool _quiet;

    internal TrainingContext(SequentialModel model, Optimizer optimizer, int epochs, int stepsPerEpoch, long seed, TextWriter log,
        bool quiet, Func<string, bool, int, string> saveCheckpoint)
    {
        _quiet = quiet;
        Model = model;
        Optimizer = optimizer;
        Epochs = epochs;
        StepsPerEpoch = stepsPerEpoch;
        Seed = seed;
        Log = log;
        _saveCheckpoint = saveCheckpoint;
    }

    public SequentialModel Model { get; }
    public Optimizer Optimizer { get; }
    public int Epochs { get; }
    public int StepsPerEpoch { get; }
    /// <summary>The seed shuffling and dropout derive from, epoch by epoch.</summary>
    public long Seed { get; }
    /// <summary>The 0-based epoch under way.</summary>
    public int Epoch { get; internal set; }
    /// <summary>The last epoch that completed (0-based), or -1.</summary>
    public int LastEpoch { get; internal set; } = -1;
    /// <summary>Optimizer steps taken since the very start (resumed runs included).</summary>
    public long GlobalStep => Optimizer.Iterations;
    /// <summary>The loss of the step that just ended (not the epoch average).</summary>
    public double BatchLoss { get; internal set; }
    public TextWriter Log { get; }

    /// <summary>The live bar of the epoch under way, if any: messages first end its half-drawn line.</summary>
    internal ProgressBar? Bar { get; set; }

    /// <summary>The optimizer's base learning rate (before legacy decay).</summary>
    public double LearningRate
    {
        get => Optimizer.LearningRate;
        set => Optimizer.LearningRate = value;
    }

    public bool StopRequested { get; private set; }
    public string? StopReason { get; private set; }

    /// <summary>Ends training after the current step (Keras' <c>model.stop_training = True</c>); the first reason is kept.</summary>
    public void Stop(string reason)
    {
        StopRequested = true;
        StopReason ??= reason;
    }

    /// <summary>Writes <paramref name="path"/> (atomically) and returns it.</summary>
    public string SaveCheckpoint(string path, bool includeTrainingState, int completedEpochs) =>
        _saveCheckpoint(path, includeTrainingState, completedEpochs);

    /// <summary>A line in the training log (none with <see cref="Verbosity.Silent"/>), clear of a half-drawn live bar.</summary>
    public void Info(string message)
    {
        if (!_quiet)
            WriteLine(message);
    }

    /// <summary>A warning, written once per fit however often it recurs, even when silent: it flags a mistake.</summary>
    public void Warn(string message)
    {
        if (_warned.Add(message))
            WriteLine("warning: " + message);
    }

    private void WriteLine(string line)
    {
        Bar?.BreakLine();
        Log.WriteLine(line);
    }
}

using System.Globalization;
using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Layers;
using ModelDsl.Runtime.Metrics;
using ModelDsl.Runtime.Optimizers;

namespace ModelDsl.Runtime.Training;

public abstract partial class SequentialModel
{
    private const string CheckpointPrefix = "epoch-";

    /// <summary>
    /// Keras' <c>fit</c>: <see cref="FitOptions.Epochs"/> passes over <paramref name="train"/> in batches of
    /// <see cref="FitOptions.BatchSize"/> (the last, partial batch is trained too), shuffled per epoch, with dropout on;
    /// then validation with dropout off. Leaves the mode it found; returns the per-epoch history under Keras' keys.
    /// </summary>
    public History Fit(Dataset train, FitOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Epochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        if (options.Resume && options.CheckpointDirectory is null)
            throw new ArgumentException("Resume needs a CheckpointDirectory to resume from", nameof(options));
        CheckInputShape(train.Inputs);
        CheckTargets(train);
        if (options.ValidationData is { } given)
            CheckInputShape(given.Inputs);
        var log = options.Log ?? Console.Out;
        bool quiet = options.Verbose == Verbosity.Silent;
        bool live = options.Verbose == Verbosity.ProgressBar
                    || options.Verbose == Verbosity.Auto && options.Log is null && !Console.IsOutputRedirected;

        // Keras' validation_split: the last fraction, cut before shuffling; validation_data wins when both are given.
        var (trainPart, validationPart) = options.ValidationData is null && options.ValidationSplit > 0
            ? train.SplitLast(options.ValidationSplit)
            : (train, options.ValidationData);
        var owned = new List<Dataset>();
        Dataset OnDevice(Dataset data)
        {
            var moved = data.To(Device);
            if (!ReferenceEquals(moved, data))
                owned.Add(moved);
            return moved;
        }
        if (!ReferenceEquals(trainPart, train))
            owned.AddRange([trainPart, validationPart!]);

        try
        {
            var trainData = OnDevice(trainPart);
            var validationData = validationPart is null ? null : OnDevice(validationPart);
            return Run(trainData, validationData, options, log, quiet, live);
        }
        finally
        {
            foreach (var data in owned)
                data.Dispose();
        }
    }

    private History Run(IBatchSource train, IBatchSource? validation, FitOptions options, TextWriter log, bool quiet, bool live)
    {
        var optimizer = Optimizer;
        var parameters = TrainableParameters();
        var wasTraining = training;
        var history = new History();
        long seed = options.Seed ?? Random.Shared.Next();
        int startEpoch = 0;
        if (options.Resume)
            RemoveAbandonedCheckpointWrites(options.CheckpointDirectory!);
        if (options.Resume && NewestCheckpoint(options.CheckpointDirectory!) is { } newest)
        {
            var state = LoadCheckpoint(newest)
                ?? throw new InvalidDataException($"{newest} holds weights only; resuming needs a training checkpoint");
            history = History.FromJson(state.HistoryJson);
            seed = state.Seed;
            startEpoch = state.CompletedEpochs;
            if (!quiet)
                log.WriteLine($"Resuming from {newest}: epoch {startEpoch} done, step {state.GlobalStep}");
        }

        int steps = train.BatchCount(options.BatchSize);
        var context = new TrainingContext(this, optimizer, options.Epochs, steps, seed, log, quiet,
            (path, includeState, completed) => SaveCheckpoint(path, includeState, completed, seed, history));
        if (train is Dataset inMemory)
            WarnIfUnscaled(inMemory, context);
        // Once per training run: a resumed run whose earlier epochs called for the note has had it.
        bool explainedValidation = Enumerable.Range(0, history.Epoch.Count)
            .Any(row => ValidationBeatingTraining(history.Keys.ToDictionary(key => key, key => history[key][row])) is not null);
        foreach (var callback in options.Callbacks)
            callback.OnTrainBegin(context);
        try
        {
            for (int epoch = startEpoch; epoch < options.Epochs && !context.StopRequested; epoch++)
            {
                context.Epoch = epoch;
                if (!quiet)
                    log.WriteLine($"Epoch {epoch + 1}/{options.Epochs}");
                // Shuffling and dropout draw from a generator seeded per epoch, so a run resumed at an epoch boundary
                // repeats the uninterrupted run exactly.
                manual_seed(EpochSeed(seed, epoch));
                foreach (var callback in options.Callbacks)
                    callback.OnEpochBegin(context, epoch);

                var bar = quiet ? null : new ProgressBar(log, steps, live);
                context.Bar = bar;
                var logs = TrainEpoch(train, options, parameters, context, bar);
                if (validation is not null)
                {
                    eval();
                    using var measured = Measure(validation, options.BatchSize);
                    foreach (var (key, value) in measured.Read("val_"))
                        logs[key] = value;
                }
                bar?.Finish(steps, logs);
                context.Bar = null;
                if (!quiet && !explainedValidation)
                    explainedValidation = ExplainValidationBeatingTraining(logs, log);

                foreach (var callback in options.Callbacks)
                    callback.OnEpochEnd(context, epoch, logs);
                history.Add(epoch, logs);
                context.LastEpoch = epoch;
                if (options.CheckpointDirectory is { } directory)
                    SaveCheckpoint(Path.Combine(directory, CheckpointName(epoch + 1)), true, epoch + 1, seed, history);
            }
        }
        finally
        {
            context.Bar = null;
            this.train(wasTraining);
            foreach (var callback in options.Callbacks)
                callback.OnTrainEnd(context);
        }
        history.StopReason = context.StopReason;
        return history;
    }

    /// <summary>One pass over the training data; returns the epoch's running averages (loss, metrics).</summary>
    private Dictionary<string, double> TrainEpoch(IBatchSource train, FitOptions options, IReadOnlyList<Parameter> parameters,
        TrainingContext context, ProgressBar? bar)
    {
        int steps = context.StepsPerEpoch;
        bool batchLogs = options.Callbacks.Count > 0;
        this.train();
        using var epochScope = NewDisposeScope();
        using var averages = new RunningAverages(Config.Metrics, Device);
        var order = options.Shuffle ? randperm(train.Count, device: Device) : null;
        for (var step = 0; step < steps; step++)
        {
            // Every step frees its temporaries (activations, gradients' graph) before the next one.
            using (NewDisposeScope())
            {
                var (inputs, targets) = train.Batch(step, options.BatchSize, order);
                var (loss, logits) = Step(inputs, targets, parameters);
                averages.Add(loss, targets.size(0), logits, OutputActivation, targets);
                // Reading a figure back syncs with the device: done only when a callback or the live bar wants it.
                if (batchLogs)
                {
                    context.BatchLoss = loss.item<float>();
                    var running = averages.Read().ToDictionary();
                    foreach (var callback in options.Callbacks)
                        callback.OnBatchEnd(context, step, running);
                }
            }
            if (bar is { Due: true })
                bar.Update(step + 1, averages.Read());
            if (context.StopRequested)
                break;
        }
        return averages.Read().ToDictionary();
    }

    /// <summary>One training step: fresh gradients from forward, loss (regularizers' penalties included) and backward, then the optimizer's update.</summary>
    private (Tensor Loss, Tensor Logits) Step(Tensor inputs, Tensor targets, IReadOnlyList<Parameter> parameters)
    {
        Optimizer.ClearGradients(parameters);
        var (loss, logits) = ForwardLoss(inputs, targets);
        loss.backward();
        Optimizer.Step(parameters);
        return (loss, logits);
    }

    private static long EpochSeed(long seed, int epoch) => unchecked(seed * 1_000_003 + epoch + 1);

    /// <summary>One warning per fit when inputs look like raw pixels: the "accuracy stuck at 0.11" mistake.</summary>
    private void WarnIfUnscaled(Dataset train, TrainingContext context)
    {
        if (Config.Rescale is not null || train.Inputs.dtype is ScalarType.Int64 or ScalarType.Int32 or ScalarType.Bool || train.Count == 0)
            return;
        using var max = train.Inputs.max();
        using var wide = max.to(ScalarType.Float64);
        var value = wide.item<double>();
        if (value > 1)
            context.Warn($"the inputs look unscaled (max {value.ToString("G6", CultureInfo.InvariantCulture)} > 1) and the model " +
                         "declares no preprocess rescale; pixels usually need `preprocess: {rescale: 0.00392156862745098}` " +
                         "(1/255), without which accuracy tends to stall near chance");
    }

    /// <summary>
    /// The first epoch whose validation accuracy beats its training accuracy gets one line saying why, since users
    /// read it as a bug. Returns whether it was said.
    /// </summary>
    private bool ExplainValidationBeatingTraining(IReadOnlyDictionary<string, double> logs, TextWriter log)
    {
        if (ValidationBeatingTraining(logs) is not var (name, trained, validated))
            return false;
        var dropout = _layers.Any(l => l.Layer is Dropout { Rate: > 0 }) ? "dropout is off at validation, and " : "";
        log.WriteLine($"note: val_{name} ({ProgressBar.FormatValue(validated)}) is higher than {name} " +
                      $"({ProgressBar.FormatValue(trained)}): {dropout}{name} is an average over an epoch in which " +
                      "the weights kept improving, while val_ is measured once at its end.");
        return true;
    }

    /// <summary>The first accuracy metric whose validation figure beats its training figure in one epoch's logs, or null.</summary>
    private (string Name, double Trained, double Validated)? ValidationBeatingTraining(IReadOnlyDictionary<string, double> logs)
    {
        foreach (var metric in Config.Metrics.Where(m => m.Kind is MetricKind.SparseCategoricalAccuracy or MetricKind.CategoricalAccuracy or MetricKind.BinaryAccuracy))
        {
            if (logs.TryGetValue(metric.Name, out var trained) && logs.TryGetValue("val_" + metric.Name, out var validated) && validated > trained)
                return (metric.Name, trained, validated);
        }
        return null;
    }

    // ---- checkpoints ----

    private static string CheckpointName(int completedEpochs) =>
        $"{CheckpointPrefix}{completedEpochs.ToString("D4", CultureInfo.InvariantCulture)}{Checkpoint.Extension}";

    /// <summary>The checkpoint of the most epochs in <paramref name="directory"/>, or null.</summary>
    public static string? NewestCheckpoint(string directory)
    {
        if (!Directory.Exists(directory))
            return null;
        return Directory.EnumerateFiles(directory, CheckpointPrefix + "*" + Checkpoint.Extension)
            .Select(path => (Path: path, Epoch: int.TryParse(Path.GetFileNameWithoutExtension(path)[CheckpointPrefix.Length..],
                NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1))
            .Where(c => c.Epoch >= 0)
            .OrderByDescending(c => c.Epoch)
            .Select(c => c.Path)
            .FirstOrDefault();
    }

    /// <summary>
    /// Deletes the temporary files of checkpoint writes whose process is gone (killed mid-write): each is as large as a
    /// checkpoint, and a run that is killed and resumed over and over would otherwise fill the disk with them.
    /// </summary>
    private static void RemoveAbandonedCheckpointWrites(string directory)
    {
        if (!Directory.Exists(directory))
            return;
        foreach (var temp in Directory.EnumerateFiles(directory, CheckpointPrefix + "*" + Checkpoint.Extension + ".*.tmp"))
        {
            // AtomicFile names them "<file>.<pid>.<guid>.tmp".
            var parts = Path.GetFileName(temp).Split('.');
            if (parts.Length < 4 || !int.TryParse(parts[^3], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || IsRunning(pid))
                continue;
            try { File.Delete(temp); }
            catch (IOException) { /* another resuming process got there first */ }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private string SaveCheckpoint(string path, bool includeTrainingState, int completedEpochs, long seed, History history)
    {
        TrainingState? state = null;
        if (includeTrainingState)
        {
            var optimizer = Optimizer.ExportState();
            state = new TrainingState(
                completedEpochs,
                optimizer.Iterations,
                seed,
                optimizer.Optimizer,
                new Dictionary<string, double> { ["learning_rate"] = Optimizer.LearningRate },
                optimizer.Slots.Select(s => TensorDataConvert.Export(s.Name, s.Shape, s.Values)).ToList(),
                history.ToJson());
        }
        new Checkpoint(Config.Name, GetWeights(), state).Save(path);
        return path;
    }

    private void RestoreOptimizer(TrainingState state)
    {
        var slots = state.OptimizerTensors
            .Select(t => new OptimizerSlot(t.Name, t.Shape, TensorDataConvert.Floats(t)))
            .ToList();
        Optimizer.ImportState(new OptimizerState(state.Optimizer, state.GlobalStep, slots), TrainableParameters());
        if (state.OptimizerScalars.TryGetValue("learning_rate", out var learningRate))
            Optimizer.LearningRate = learningRate;
    }
}

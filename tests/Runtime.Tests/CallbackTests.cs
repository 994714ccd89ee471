using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Optimizers;
using ModelDsl.Runtime.Training;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests;

[Collection(TrainingCollection.Name)]
public sealed class CallbackTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("modeldsl-callbacks-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static FitOptions Options(int epochs, params Callback[] callbacks) =>
        new() { Epochs = epochs, BatchSize = 50, Seed = 5, Verbose = Verbosity.Silent, Callbacks = callbacks };

    /// <summary>Adds a scripted figure to the logs so a callback's decisions are known in advance.</summary>
    private static RecordingCallback Script(string key, params double[] values) =>
        new() { AtEpochEnd = (_, epoch, logs) => logs[key] = values[epoch] };

    [Fact]
    public void TerminateOnNaNStopsAtTheBadStepAndSaysWhich()
    {
        using var model = new TinyClassifier();
        var features = new float[500 * TinyClassifier.Features];
        Array.Fill(features, 0.5f);
        features[260 * TinyClassifier.Features] = float.NaN;
        using var data = new Dataset(tensor(features, [500, TinyClassifier.Features]), zeros(500, dtype: ScalarType.Int64));
        var terminate = new TerminateOnNaN();
        var log = new StringWriter();

        var history = model.Fit(data, Options(3, terminate) with { Shuffle = false, Verbose = Verbosity.OneLinePerEpoch, Log = log });

        // Sample 260 is in batch 5 (0-based) of 50.
        Assert.Equal((0, 5), terminate.BadStep);
        Assert.True(double.IsNaN(terminate.BadLoss!.Value));
        Assert.Equal(6, model.Optimizer.Iterations);
        Assert.Contains("epoch 1, batch 6", history.StopReason);
        Assert.Contains("loss nan", history.StopReason);
        Assert.Contains("Epoch 1, batch 6: invalid loss nan, terminating training", log.ToString());
        Assert.Equal([0], history.Epoch);
    }

    [Fact]
    public void EarlyStoppingStopsAfterPatienceAndRestoresTheBestWeights()
    {
        using var model = new TinyClassifier();
        using var data = TinyClassifier.Clusters(200);
        var weightsAtEpoch = new List<ModelWeights>();
        var script = Script("fake_accuracy", 0.5, 0.9, 0.8, 0.85, 0.99);
        var recorder = new RecordingCallback { AtEpochEnd = (context, _, _) => weightsAtEpoch.Add(context.Model.GetWeights()) };
        var stopping = new EarlyStopping("fake_accuracy", patience: 2, restoreBestWeights: true);

        var history = model.Fit(data, Options(5, script, stopping, recorder));

        Assert.Equal([0, 1, 2, 3], history.Epoch);
        Assert.Equal(3, stopping.StoppedEpoch);
        Assert.Equal(1, stopping.BestEpoch);
        Assert.Equal(0.9, stopping.Best);
        Assert.Contains("EarlyStopping", history.StopReason);
        var restored = model.GetWeights().Tensors;
        Assert.All(restored.Zip(weightsAtEpoch[1].Tensors), pair => Assert.Equal(pair.Second.Data, pair.First.Data));
        Assert.NotEqual(weightsAtEpoch[3].Tensors[0].Data, restored[0].Data);
    }

    [Fact]
    public void EarlyStoppingMinDeltaIgnoresTinyImprovements()
    {
        using var model = new TinyClassifier();
        using var data = TinyClassifier.Clusters(100);
        var stopping = new EarlyStopping("fake_loss", minDelta: 0.1, patience: 1);

        var history = model.Fit(data, Options(5, Script("fake_loss", 1.0, 0.95, 0.5, 0.45, 0.1), stopping));

        Assert.Equal([0, 1], history.Epoch);
    }

    [Fact]
    public void ReduceLROnPlateauCutsTheBaseRateAndLogsIt()
    {
        using var model = new TinyClassifier(optimizer: () => new Adam(learningRate: 0.01));
        using var data = TinyClassifier.Clusters(100);
        var reduce = new ReduceLROnPlateau("fake_loss", factor: 0.5, patience: 2, minLearningRate: 0.003);
        var log = new StringWriter();

        var history = model.Fit(data, Options(6, Script("fake_loss", 1, 1, 1, 1, 1, 1), reduce) with { Verbose = Verbosity.OneLinePerEpoch, Log = log });

        Assert.Equal([0.01, 0.01, 0.01, 0.005, 0.005, 0.003], history["learning_rate"]);
        Assert.Equal(0.003, model.Optimizer.LearningRate);
        Assert.Contains("Epoch 3: ReduceLROnPlateau reducing learning rate to 0.005.", log.ToString());
    }

    [Fact]
    public void CsvLoggerWritesKerasColumns()
    {
        using var model = new TinyClassifier();
        using var data = TinyClassifier.Clusters(200);
        using var validation = TinyClassifier.Clusters(60, seed: 2);
        var path = Path.Combine(_dir, "log.csv");

        var history = model.Fit(data, Options(2, new CsvLogger(path)) with { ValidationData = validation });

        var lines = File.ReadAllLines(path);
        Assert.Equal("epoch,accuracy,loss,val_accuracy,val_loss", lines[0]);
        Assert.Equal(3, lines.Length);
        var row = lines[2].Split(',');
        Assert.Equal("1", row[0]);
        Assert.Equal(history["loss"][1], double.Parse(row[2], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void CsvLoggerAppendsUnderTheExistingHeader()
    {
        using var model = new TinyClassifier();
        using var data = TinyClassifier.Clusters(100);
        var path = Path.Combine(_dir, "append.csv");

        model.Fit(data, Options(1, new CsvLogger(path)));
        model.Fit(data, Options(1, new CsvLogger(path, append: true)));

        var lines = File.ReadAllLines(path);
        Assert.Equal(["epoch,accuracy,loss"], lines.Where(l => l.StartsWith("epoch", StringComparison.Ordinal)));
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("0,", lines[2]);
    }

    [Fact]
    public void ModelCheckpointFormatsThePathAndSavesOnlyImprovements()
    {
        using var model = new TinyClassifier();
        using var data = TinyClassifier.Clusters(100);
        var pattern = Path.Combine(_dir, "w.{epoch:02d}-{fake_loss:.2f}.ckpt");
        var checkpoint = new ModelCheckpoint(pattern, monitor: "fake_loss", saveBestOnly: true);

        model.Fit(data, Options(4, Script("fake_loss", 0.5, 0.7, 0.25, 0.3), checkpoint));

        Assert.Equal(["w.01-0.50.ckpt", "w.03-0.25.ckpt"], checkpoint.Saved.Select(Path.GetFileName));
        Assert.All(checkpoint.Saved, path => Assert.True(File.Exists(path)));
        Assert.NotNull(Checkpoint.Load(checkpoint.Saved[1]).Training);
        using var reloaded = new TinyClassifier(seed: 1);
        Assert.Equal(3, reloaded.LoadCheckpoint(checkpoint.Saved[1])!.CompletedEpochs);
    }

    [Fact]
    public void MissingMonitorWarnsOnceAndDoesNothing()
    {
        using var model = new TinyClassifier();
        using var data = TinyClassifier.Clusters(100);
        var log = new StringWriter();

        var history = model.Fit(data, Options(3, new EarlyStopping()) with { Verbose = Verbosity.OneLinePerEpoch, Log = log });

        Assert.Equal([0, 1, 2], history.Epoch);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(log.ToString(), "warning: val_loss is not available"));
    }
}

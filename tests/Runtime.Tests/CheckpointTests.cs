using ModelDsl.Runtime.Training;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests;

[Collection(TrainingCollection.Name)]
public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("modeldsl-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static FitOptions Options(int epochs) =>
        new() { Epochs = epochs, BatchSize = 32, Seed = 11, Verbose = Verbosity.Silent };

    [Fact]
    public void ResumedRunRepeatsTheUninterruptedOne()
    {
        using var data = TinyClassifier.Clusters(500);
        using var validation = TinyClassifier.Clusters(90, seed: 2);
        History whole;
        using (var model = new TinyClassifier())
            whole = model.Fit(data, Options(4) with { ValidationData = validation });

        var directory = Path.Combine(_dir, "run");
        using (var interrupted = new TinyClassifier())
            interrupted.Fit(data, Options(2) with { ValidationData = validation, CheckpointDirectory = directory });
        Assert.Equal(["epoch-0001.ckpt", "epoch-0002.ckpt"], Directory.GetFiles(directory).Select(Path.GetFileName).Order());

        // A fresh process would build the model anew (other initial weights) and continue from the checkpoint.
        using var resumed = new TinyClassifier(seed: 99);
        var log = new StringWriter();
        var continued = resumed.Fit(data, Options(4) with
        {
            ValidationData = validation, CheckpointDirectory = directory, Resume = true, Verbose = Verbosity.OneLinePerEpoch, Log = log,
        });

        Assert.Contains("Resuming from", log.ToString());
        Assert.DoesNotContain("Epoch 2/4", log.ToString());
        Assert.Contains("Epoch 3/4", log.ToString());
        Assert.Equal(whole.Epoch, continued.Epoch);
        foreach (var key in whole.Keys)
            Assert.Equal(whole[key], continued[key]);
        // Same optimizer position, so the legacy decay schedule carried on.
        Assert.Equal(4 * 16, resumed.Optimizer.Iterations);
        Assert.Equal("epoch-0004.ckpt", Path.GetFileName(SequentialModel.NewestCheckpoint(directory)));
    }

    [Fact]
    public void ResumeWithoutCheckpointStartsFresh()
    {
        using var data = TinyClassifier.Clusters(200);
        using var model = new TinyClassifier();

        var history = model.Fit(data, Options(1) with { CheckpointDirectory = Path.Combine(_dir, "empty"), Resume = true });

        Assert.Equal([0], history.Epoch);
    }

    [Fact]
    public void SavedWeightsLoadIntoAFreshModel()
    {
        using var data = TinyClassifier.Clusters(200);
        using var trained = new TinyClassifier();
        trained.Fit(data, Options(2));
        var path = Path.Combine(_dir, "weights.ckpt");

        trained.Save(path);
        using var fresh = new TinyClassifier(seed: 123);
        fresh.LoadWeights(path);

        using var expected = trained.Predict(data.Inputs);
        using var actual = fresh.Predict(data.Inputs);
        Assert.Equal(expected.data<float>().ToArray(), actual.data<float>().ToArray());
        Assert.Equal(["weights.ckpt"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void CheckpointOfADifferentModelIsRejectedNamingWhatDiffers()
    {
        var path = Path.Combine(_dir, "other.ckpt");
        using (var other = new TinyClassifier(hidden: 8, name: "Other"))
            other.Save(path);
        using var model = new TinyClassifier();
        using var probe = ones(1, TinyClassifier.Features);
        using var before = model.Predict(probe);

        var error = Assert.Throws<InvalidDataException>(() => model.LoadWeights(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("'Other'", error.Message);
        Assert.Contains("'TinyClassifier'", error.Message);
        Assert.Contains("dense_1.kernel is (4, 8) there but (4, 16) here", error.Message);
        Assert.Contains("dense_1.bias is (8) there but (16) here", error.Message);
        Assert.Contains("dense_2.kernel is (8, 3) there but (16, 3) here", error.Message);
        Assert.DoesNotContain("dense_2.bias", error.Message);
        // Nothing was loaded.
        using var after = model.Predict(probe);
        Assert.Equal(before.data<float>().ToArray(), after.data<float>().ToArray());
    }

    [Fact]
    public void CheckpointWithMissingAndExtraWeightsNamesThem()
    {
        using var model = new TinyClassifier();
        var weights = model.GetWeights().Tensors;
        var renamed = weights.Select(t => t.Name == "dense_2.bias" ? t with { Name = "dense_3.bias" } : t).ToList();

        var error = Assert.Throws<InvalidDataException>(() => model.SetWeights(new ModelWeights(renamed)));

        Assert.Contains("dense_2.bias (3) is missing", error.Message);
        Assert.Contains("dense_3.bias (3) is not in this model", error.Message);
    }

    [Fact]
    public void TruncatedCheckpointIsRejectedNamingTheFile()
    {
        using var model = new TinyClassifier();
        var path = Path.Combine(_dir, "cut.ckpt");
        model.Save(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);

        var error = Assert.Throws<InvalidDataException>(() => model.LoadWeights(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void NotACheckpointIsRejectedNamingTheFile()
    {
        using var model = new TinyClassifier();
        var path = Path.Combine(_dir, "text.ckpt");
        File.WriteAllText(path, "hello, this is not a checkpoint");

        var error = Assert.Throws<InvalidDataException>(() => model.LoadWeights(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("MDSLCKPT", error.Message);
    }

    [Fact]
    public void CheckpointKeepsOptimizerStateAndPosition()
    {
        using var data = TinyClassifier.Clusters(200);
        using var model = new TinyClassifier();
        var directory = Path.Combine(_dir, "state");
        model.Fit(data, Options(1) with { CheckpointDirectory = directory });

        var checkpoint = Checkpoint.Load(SequentialModel.NewestCheckpoint(directory)!);

        var state = Assert.IsType<TrainingState>(checkpoint.Training);
        Assert.Equal(1, state.CompletedEpochs);
        Assert.Equal(7, state.GlobalStep);
        Assert.Equal(11, state.Seed);
        Assert.Equal("adam", state.Optimizer);
        Assert.Equal(0.01, state.OptimizerScalars["learning_rate"]);
        Assert.Equal(2 * 4, state.OptimizerTensors.Count);
        Assert.Equal([0], History.FromJson(state.HistoryJson).Epoch);
        Assert.Empty(Directory.GetFiles(directory, "*.tmp"));
    }
}

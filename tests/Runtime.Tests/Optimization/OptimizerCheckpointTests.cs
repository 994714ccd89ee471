using ModelDsl.Runtime.Optimizers;
using ModelDsl.Runtime.Training;

namespace ModelDsl.Runtime.Tests.Optimization;

/// <summary>A training run of each new optimizer, interrupted and resumed from its checkpoint, repeats the whole run exactly.</summary>
[Collection(TrainingCollection.Name)]
public sealed class OptimizerCheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("modeldsl-optim-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Func<Optimizer> Factory(string name) => name switch
    {
        "nadam" => () => new Nadam(learningRate: 0.01, decay: 1e-3),
        "adamax" => () => new Adamax(learningRate: 0.01, clipnorm: 0.5),
        "adagrad" => () => new Adagrad(learningRate: 0.05, globalClipnorm: 1),
        "adadelta" => () => new Adadelta(learningRate: 1, clipvalue: 0.1),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [InlineData("nadam")]
    [InlineData("adamax")]
    [InlineData("adagrad")]
    [InlineData("adadelta")]
    public void ResumedRunRepeatsTheUninterruptedOne(string optimizer)
    {
        using var data = TinyClassifier.Clusters(160);
        using var validation = TinyClassifier.Clusters(40, seed: 2);
        var options = new FitOptions { BatchSize = 32, Seed = 11, Verbose = Verbosity.Silent, ValidationData = validation };
        History whole;
        using (var model = new TinyClassifier(optimizer: Factory(optimizer)))
            whole = model.Fit(data, options with { Epochs = 3 });

        var directory = Path.Combine(_dir, optimizer);
        using (var interrupted = new TinyClassifier(optimizer: Factory(optimizer)))
            interrupted.Fit(data, options with { Epochs = 2, CheckpointDirectory = directory });

        // Another process: other initial weights and a fresh optimizer, both replaced by the checkpoint's.
        using var resumed = new TinyClassifier(seed: 99, optimizer: Factory(optimizer));
        var continued = resumed.Fit(data, options with { Epochs = 3, CheckpointDirectory = directory, Resume = true });

        Assert.Equal(optimizer, resumed.Optimizer.Name);
        Assert.Equal(3 * 5, resumed.Optimizer.Iterations);
        Assert.Equal(whole.Epoch, continued.Epoch);
        foreach (var key in whole.Keys)
            Assert.Equal(whole[key], continued[key]);
        // The training moved the loss: the comparison is between runs that learnt something.
        Assert.True(whole["loss"][2] < whole["loss"][0], $"{optimizer}: {string.Join(", ", whole["loss"])}");
    }
}

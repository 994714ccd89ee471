using ModelDsl.Generator.Tests.Infrastructure;

namespace ModelDsl.Generator.Tests;

/// <summary>
/// The emitted C# for representative models, compared with the reviewed snapshots beside this file
/// (<c>SnapshotTests.*.verified.cs</c>). A change to the emitter shows up here as a readable diff.
/// </summary>
public sealed class SnapshotTests
{
    [Fact]
    public void MnistLstm() => Snapshot.Verify(GenerateYaml("mnist-lstm.model.yaml"), nameof(SnapshotTests));

    [Fact]
    public void MnistCnn() => Snapshot.Verify(GenerateYaml("mnist-cnn.model.yaml"), nameof(SnapshotTests));

    [Fact]
    public void SensorGru() => Snapshot.Verify(GenerateYaml("sensor-gru.model.yaml"), nameof(SnapshotTests));

    [Fact]
    public void TextClassifier() => Snapshot.Verify(GenerateYaml("text-classifier.model.yaml"), nameof(SnapshotTests));

    [Fact]
    public void HousingMlp() => Snapshot.Verify(GenerateYaml("housing-mlp.model.yaml"), nameof(SnapshotTests));

    [Fact]
    public void AttributeLstm()
    {
        var run = GeneratorHarness.Run([], TestModels.Source("AttributeLstm.cs"));
        AssertClean(run);
        Snapshot.Verify(run.Model, nameof(SnapshotTests));
    }

    private static string GenerateYaml(string name)
    {
        var run = GeneratorHarness.Run([TestModels.Yaml(name)]);
        AssertClean(run);
        return run.Model;
    }

    private static void AssertClean(GeneratorRun run)
    {
        Assert.Null(run.Result.Exception);
        Assert.Empty(run.DriverDiagnostics);
        Assert.Empty(run.Result.Diagnostics);
    }
}

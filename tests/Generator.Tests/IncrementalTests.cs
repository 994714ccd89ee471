using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using ModelDsl.Generator.Pipeline;
using ModelDsl.Generator.Tests.Infrastructure;

namespace ModelDsl.Generator.Tests;

/// <summary>
/// The generator is incremental: after an edit, the driver re-runs only the steps whose input changed, and
/// every value between steps compares by value, so unchanged models come back Cached or Unchanged.
/// </summary>
public sealed class IncrementalTests
{
    private static readonly string[] ModelSteps =
    [
        TrackingNames.RootNamespace, TrackingNames.InheritedMembers, TrackingNames.ModelFiles, TrackingNames.YamlAnalysis, TrackingNames.YamlOutput,
        TrackingNames.AttributeModels, TrackingNames.AttributeAnalysis, TrackingNames.AttributeOutput, TrackingNames.Duplicates,
    ];

    [Fact]
    public void UnrelatedCSharpEditLeavesEveryStepCached()
    {
        var program = CSharpSyntaxTree.ParseText("namespace App; public static class Program { }", GeneratorHarness.ParseOptions, "/consumer/Program.cs");
        var compilation = GeneratorHarness.Compilation(null, TestModels.Source("AttributeLstm.cs")).AddSyntaxTrees(program);
        var driver = GeneratorHarness.Driver([TestModels.Yaml("mnist-lstm.model.yaml"), TestModels.Yaml("mnist-cnn.model.yaml")])
            .RunGenerators(compilation);

        var edited = program.WithChangedText(SourceText.From("namespace App; public static class Program { public static int Answer => 42; }"));
        var result = driver.RunGenerators(compilation.ReplaceSyntaxTree(program, edited)).GetRunResult().Results.Single();

        foreach (var step in ModelSteps)
        {
            var reasons = Reasons(result, step);
            Assert.NotEmpty(reasons);
            Assert.All(reasons, reason => Assert.True(
                reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step} ran again: {reason}"));
        }

        Assert.All(result.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(run => run.Outputs),
            output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    [Fact]
    public void EditingOneModelFileRerunsOnlyThatFile()
    {
        var lstm = TestModels.Yaml("mnist-lstm.model.yaml");
        var cnn = TestModels.Yaml("mnist-cnn.model.yaml");
        var compilation = GeneratorHarness.Compilation(null, TestModels.Source("AttributeLstm.cs"));
        var driver = GeneratorHarness.Driver([lstm, cnn]).RunGenerators(compilation);

        var editedText = TestModels.Read("mnist-cnn.model.yaml").Replace("epochs: 2", "epochs: 5");
        var editedCnn = GeneratorHarness.ModelFile(cnn.Path, editedText);
        var result = driver.ReplaceAdditionalText(cnn, editedCnn).RunGenerators(compilation).GetRunResult().Results.Single();

        foreach (var step in new[] { TrackingNames.ModelFiles, TrackingNames.YamlAnalysis, TrackingNames.YamlOutput })
        {
            var byFile = result.TrackedSteps[step]
                .SelectMany(run => run.Outputs)
                .ToDictionary(output => PathOf(output.Value), output => output.Reason);
            Assert.Equal(IncrementalStepRunReason.Cached, byFile[lstm.Path]);
            Assert.Equal(IncrementalStepRunReason.Modified, byFile[cnn.Path]);
        }

        foreach (var step in new[] { TrackingNames.RootNamespace, TrackingNames.InheritedMembers, TrackingNames.AttributeModels, TrackingNames.AttributeAnalysis, TrackingNames.AttributeOutput, TrackingNames.Duplicates })
        {
            Assert.All(Reasons(result, step), reason => Assert.True(
                reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step} ran again: {reason}"));
        }

        Assert.Contains("public const int DefaultEpochs = 5;", result.GeneratedSources.Single(s => s.HintName == "Consumer.App.MnistCnn.g.cs").SourceText.ToString());
    }

    [Fact]
    public void EditingACommentInAModelFileStopsAfterAnalysis()
    {
        var lstm = TestModels.Yaml("mnist-lstm.model.yaml");
        var compilation = GeneratorHarness.Compilation();
        var driver = GeneratorHarness.Driver([lstm]).RunGenerators(compilation);

        // Same document, same spans: only the trailing comment changes.
        var edited = GeneratorHarness.ModelFile(lstm.Path, TestModels.Read("mnist-lstm.model.yaml") + "# trained weekly\n");
        var result = driver.ReplaceAdditionalText(lstm, edited).RunGenerators(compilation).GetRunResult().Results.Single();

        Assert.Equal(IncrementalStepRunReason.Modified, Reasons(result, TrackingNames.ModelFiles).Single());
        Assert.Equal(IncrementalStepRunReason.Unchanged, Reasons(result, TrackingNames.YamlAnalysis).Single());
        Assert.Equal(IncrementalStepRunReason.Cached, Reasons(result, TrackingNames.YamlOutput).Single());
    }

    private static IncrementalStepRunReason[] Reasons(GeneratorRunResult result, string step) =>
        result.TrackedSteps.TryGetValue(step, out var runs) ? runs.SelectMany(run => run.Outputs).Select(output => output.Reason).ToArray() : [];

    private static string PathOf(object value) => value switch
    {
        ModelFile file => file.Path,
        YamlModel model => model.Path,
        GeneratedModel generated => generated.Span.Path,
        _ => throw new InvalidOperationException(value.GetType().Name),
    };
}

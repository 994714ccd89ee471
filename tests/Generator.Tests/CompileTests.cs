using Microsoft.CodeAnalysis;
using ModelDsl.Generator.Tests.Infrastructure;

namespace ModelDsl.Generator.Tests;

/// <summary>
/// The generated code compiles against the real ModelDsl.Runtime assembly with no warning at all, under the
/// strictest settings a consumer may use (every warning wave, nullable, XML documentation checked, warnings
/// as errors), and the API reads as intended from a caller's side.
/// </summary>
public sealed class CompileTests
{
    private const string Usage = """
        using System.Linq;
        using Examples.Mnist;
        using ModelDsl.Runtime.Data;
        using TorchSharp;
        using static TorchSharp.torch;

        namespace Consumer.App;

        /// <summary>Calls the generated members the way a user's program does.</summary>
        public static class Usage
        {
            /// <summary>Trains, predicts, saves and reloads the reference model.</summary>
            /// <param name="train">Training data.</param>
            /// <param name="test">Validation data.</param>
            /// <param name="images">Samples to classify.</param>
            /// <returns>The predicted classes.</returns>
            public static long[] Run(Dataset train, Dataset test, Tensor images)
            {
                System.Console.WriteLine(MnistLstm.Summary());
                var result = MnistLstm.Train(train, validation: test, epochs: 1, batchSize: 64, device: CPU, seed: null);
                using var model = result.Model;
                model.Save("mnist-lstm.weights");
                using var loaded = MnistLstm.Load("mnist-lstm.weights", CPU);
                int timesteps = MnistLstm.InputShape[0];
                int classes = MnistLstm.OutputShape[0];
                System.Console.WriteLine($"{timesteps} steps in, {classes} classes out, {loaded.Dropout.Rate} dropout");
                using var onArrays = MnistLstm.Train(new float[4, 28, 28], new long[4], epochs: 1, verbose: ModelDsl.Runtime.Training.Verbosity.Silent).Model;
                using var fresh = new MnistLstm(seed: 7);
                // An ordinary TorchSharp module: its parameters, modes and devices as TorchSharp defines them.
                long parameters = fresh.parameters().Sum(p => p.numel());
                fresh.train();
                fresh.to(CPU);
                using var output = fresh.call(images);
                System.Console.WriteLine($"{parameters} parameters, output {string.Join(", ", output.shape)}");
                return loaded.PredictClasses(images, batchSize: 256);
            }
        }
        """;

    [Fact]
    public void TestModelsCompileWithoutWarnings()
    {
        var sources = TestModels.AttributeNames.Select(TestModels.Source).Append(("/consumer/Usage.cs", Usage));
        AssertCompiles(TestModels.YamlNames.Select(TestModels.Yaml), sources);
    }

    [Fact]
    public void ExampleModelsCompileWithoutWarnings()
    {
        var models = TestModels.ExampleFiles.Select(path => GeneratorHarness.ModelFile(path, File.ReadAllText(path))).ToArray();
        Assert.NotEmpty(models);
        var attributeModels = Directory.GetFiles(Path.Combine(TestModels.RepositoryRoot, "examples"), "*.cs", SearchOption.AllDirectories)
            .Where(path => File.ReadAllText(path).Contains("[SequentialModel", StringComparison.Ordinal))
            .Select(path => (path, File.ReadAllText(path)));
        AssertCompiles(models, attributeModels);
    }

    /// <summary>Every layer kind of the catalogue, as its example model: the emitted constructor fits the runtime layer's.</summary>
    [Fact]
    public void EveryCatalogueKindCompilesAgainstTheRuntime()
    {
        var models = ModelDsl.Spec.LayerCatalog.All.Select(kind => GeneratorHarness.ModelFile(
            $"/models/{kind.Name}.model.yaml",
            $"model: Example{ModelDsl.Spec.CaseNames.Pascal(kind.Name)}\nnamespace: Catalogue.Examples\ninput: {kind.Example.Input}\n" +
            $"layers:\n  {kind.Example.Layer}\ncompile: {{loss: mse}}\n")).ToArray();
        Assert.Equal(ModelDsl.Spec.LayerCatalog.All.Count, models.Length);
        AssertCompiles(models, []);
    }

    /// <summary>A variable-length input (Keras' None): the shapes carry the runtime's constant for it, and the model compiles.</summary>
    [Fact]
    public void AVariableLengthModelCompilesAndMarksItsAxis()
    {
        const string Yaml = "model: AnyLength\nnamespace: Catalogue.Variable\ninput: [null]\nlayers:\n"
            + "  - embedding: {input_dim: 100, output_dim: 8}\n  - conv1d: {filters: 4, kernel_size: 3, padding: causal}\n"
            + "  - lstm: {units: 4, return_sequences: true}\n  - global_max_pooling1d\n  - dense: {units: 2, activation: softmax}\n"
            + "compile: {loss: sparse_categorical_crossentropy}\n";
        var model = GeneratorHarness.ModelFile("/models/any-length.model.yaml", Yaml);
        var source = GeneratorHarness.Run([model]).Model;
        Assert.Contains("InputShape { get; } = global::System.Collections.Immutable.ImmutableArray.Create(global::ModelDsl.Runtime.Training.SequentialModel.VariableAxis);", source);
        Assert.Contains("(batch, None, 8)", source);
        AssertCompiles([model], []);
    }

    /// <summary>Every optimizer of the catalogue, with one of its own arguments and clipping: the emitted call fits the runtime's.</summary>
    [Fact]
    public void EveryOptimizerCompilesAgainstTheRuntime()
    {
        var models = ModelDsl.Spec.OptimizerCatalog.All.Select(optimizer => GeneratorHarness.ModelFile(
            $"/models/{optimizer.Name}.model.yaml",
            $"model: With{ModelDsl.Spec.CaseNames.Pascal(optimizer.Name)}\nnamespace: Catalogue.Optimizers\ninput: [4]\nlayers:\n  - dense: 1\n" +
            $"compile: {{loss: mse, optimizer: {{{optimizer.Name}: {{learning_rate: 0.01, decay: 0.001, clipnorm: 1.5}}}}}}\n")).ToArray();
        AssertCompiles(models, []);
    }

    private static void AssertCompiles(IEnumerable<AdditionalText> models, IEnumerable<(string Path, string Text)> sources)
    {
        var problems = GeneratorHarness.CompileWithRuntime(models, sources.ToArray());
        Assert.True(problems.Length == 0, string.Join("\n", problems.Select(p => p.ToString())));
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Training;
using Xunit.Abstractions;

namespace ModelDsl.Onnx.Tests;

/// <summary>
/// Training reseeds libtorch's one global generator, so the test runs alone, not beside tests that draw random numbers:
/// then the seeded run trains the same model every time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReferenceTrainingCollection
{
    public const string Name = "Reference training";
}

/// <summary>
/// The issue's deployment claim, end to end: the reference model (examples/MnistLstm's model file), briefly trained on
/// real MNIST and exported, classifies the 10,000 test images in examples/OnnxInference (ONNX Runtime alone, a separate
/// process) exactly as <c>Predict</c> does: the same prediction for every image, so the same count of correct ones.
/// </summary>
[Collection(ReferenceTrainingCollection.Name)]
public sealed partial class ReferenceModelAccuracyTests(ITestOutputHelper output)
{
    /// <summary>
    /// Two epochs on these take seconds and leave the relu LSTMs about half right, every digit predicted somewhere:
    /// predictions worth comparing, many of them close calls between two classes.
    /// </summary>
    private const int TrainingImages = 3000;

    private const int Epochs = 2;

    private const int Seed = 42;

    private const int MinimumClassesPredicted = 8;

    /// <summary>Inference only, so larger batches than training's 32: fewer, longer matrix products.</summary>
    private const int PredictBatchSize = 500;

    private static readonly TimeSpan AppTimeout = TimeSpan.FromMinutes(2);

    [GeneratedRegex(@"^test image (?<image>\d+): label (?<label>\d+), predicted (?<predicted>\d+) ", RegexOptions.Multiline)]
    private static partial Regex PredictionLine();

    [GeneratedRegex(@"^accuracy=(?<accuracy>[0-9.]+) correct=(?<correct>\d+)/(?<count>\d+)$")]
    private static partial Regex AccuracyLine();

    [Fact]
    public void OnnxInferenceAgreesWithPredictOnEveryTestImage()
    {
        var clock = Stopwatch.StartNew();
        var (train, test) = Mnist.Load();
        using (train)
        using (test)
        using (var subset = train.Take(TrainingImages))
        using (var model = CompiledModels.Create("MnistLstm", Seed))
        {
            output.WriteLine($"loaded and compiled ({clock.Elapsed.TotalSeconds:0.0}s)");
            model.Fit(subset, new FitOptions { Epochs = Epochs, Seed = Seed, Log = TextWriter.Null });
            output.WriteLine($"trained ({clock.Elapsed.TotalSeconds:0.0}s)");
            using var probabilities = model.Predict(test.Inputs, PredictBatchSize);
            using var classes = probabilities.argmax(1);
            var predicted = classes.data<long>().ToArray();
            var labels = test.Targets.data<long>().ToArray();
            var correct = predicted.Zip(labels).Count(p => p.First == p.Second);
            output.WriteLine($"Predict: {correct}/{labels.Length} correct, {predicted.Distinct().Count()} classes predicted, after {Epochs} epochs on {TrainingImages} training images ({clock.Elapsed.TotalSeconds:0.0}s)");
            Assert.True(predicted.Distinct().Count() >= MinimumClassesPredicted,
                $"the trained model predicts only {string.Join(", ", predicted.Distinct())}: too few classes for the comparison to mean much");

            var file = Path.Combine(Path.GetTempPath(), $"modeldsl-reference-{Environment.ProcessId}.onnx");
            try
            {
                model.ExportOnnx(file, TextWriter.Null);
                var text = RunOnnxInference(file, "--data", MnistFiles.DefaultDirectory(), "--show", labels.Length.ToString(CultureInfo.InvariantCulture));
                var lines = text.TrimEnd().Split('\n');
                output.WriteLine($"OnnxInference: {lines[^1]} ({clock.Elapsed.TotalSeconds:0.0}s)");

                var onnx = PredictionLine().Matches(text).ToDictionary(
                    m => int.Parse(m.Groups["image"].Value, CultureInfo.InvariantCulture),
                    m => long.Parse(m.Groups["predicted"].Value, CultureInfo.InvariantCulture));
                Assert.Equal(labels.Length, onnx.Count);
                var differing = Enumerable.Range(0, labels.Length).Where(i => onnx[i] != predicted[i]).ToArray();
                Assert.True(differing.Length == 0,
                    $"{differing.Length} test images classified differently, the first {string.Join(", ", differing.Take(5).Select(i => $"{i}: Predict {predicted[i]}, ONNX {onnx[i]}"))}");

                var summary = AccuracyLine().Match(lines[^1].TrimEnd());
                Assert.True(summary.Success, $"OnnxInference did not end with its accuracy line:\n{lines[^1]}");
                Assert.Equal(correct, int.Parse(summary.Groups["correct"].Value, CultureInfo.InvariantCulture));
                Assert.Equal(labels.Length, int.Parse(summary.Groups["count"].Value, CultureInfo.InvariantCulture));
            }
            finally
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>Runs the app this project builds through its ProjectReference, from its own output folder; returns its output.</summary>
    private static string RunOnnxInference(params string[] arguments)
    {
        var app = Path.Combine(Package.Tests.Dotnet.RepositoryRoot, "examples", "OnnxInference", "bin", Package.Tests.Dotnet.Configuration, "net10.0", "OnnxInference.dll");
        Assert.True(File.Exists(app), $"{app} is missing: build tests/Onnx.Tests, which builds examples/OnnxInference");
        var (exitCode, text) = Package.Tests.Dotnet.RunProgram(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", Package.Tests.Dotnet.RepositoryRoot,
            new Dictionary<string, string>(), AppTimeout, [app, .. arguments]);
        Assert.True(exitCode == 0, $"OnnxInference exited with {exitCode}:\n{text}");
        return text;
    }
}

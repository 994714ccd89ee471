using System.Text.RegularExpressions;
using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Losses;
using ModelDsl.Runtime.Report;
using ModelDsl.Runtime.Training;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests;

[Collection(TrainingCollection.Name)]
public sealed class ReportTests
{
    private static FitOptions Quiet(int epochs = 2) => new() { Epochs = epochs, BatchSize = 32, Seed = 3, Verbose = Verbosity.Silent };

    [Fact]
    public void CurvesPairEveryKeyWithItsValidationTwin()
    {
        var history = new History();
        history.Add(0, new Dictionary<string, double> { ["loss"] = 0.9, ["accuracy"] = 0.6, ["val_loss"] = 0.7, ["val_accuracy"] = 0.7, ["val_auc"] = 0.8 });
        history.Add(1, new Dictionary<string, double> { ["loss"] = 0.5, ["accuracy"] = 0.8, ["val_loss"] = 0.4, ["val_accuracy"] = 0.85, ["learning_rate"] = 1e-3 });

        var curves = MetricCurve.FromHistory(history);

        Assert.Equal(["loss", "accuracy", "auc", "learning_rate"], curves.Select(c => c.Name));
        Assert.All(curves, c => Assert.Equal([1, 2], c.Epochs));
        Assert.Equal([0.9, 0.5], curves[0].Train);
        Assert.Equal([0.7, 0.4], curves[0].Validation);
        Assert.Equal([0.7, 0.85], curves[1].Validation);
        Assert.Null(curves[2].Train);
        Assert.Null(curves[3].Validation);
        Assert.True(double.IsNaN(curves[3].Train![0]));
    }

    [Fact]
    public void ConfusionMatrixCountsTheArgMaxOfEveryTestPrediction()
    {
        using var model = new TinyClassifier();
        using var train = TinyClassifier.Clusters(300);
        using var test = TinyClassifier.Clusters(90, seed: 2);
        var history = model.Fit(train, Quiet() with { ValidationData = test });

        var report = TrainingReport.Create(model, history, test: test);

        var matrix = Assert.IsType<ConfusionMatrix>(report.Confusion);
        var (labels, probabilities) = Expected(model, test);
        Assert.Equal(TinyClassifier.Classes, matrix.Classes);
        Assert.Equal(test.Count, matrix.Total);
        var expected = new long[matrix.Classes, matrix.Classes];
        for (var i = 0; i < labels.Length; i++)
            expected[labels[i], ArgMax(probabilities[i])]++;
        long sum = 0;
        for (var actual = 0; actual < matrix.Classes; actual++)
        {
            for (var predicted = 0; predicted < matrix.Classes; predicted++)
            {
                Assert.Equal(expected[actual, predicted], matrix[actual, predicted]);
                sum += matrix[actual, predicted];
            }
        }
        Assert.Equal(test.Count, sum);
        Assert.Equal(model.Evaluate(test)["accuracy"], matrix.Accuracy, 1e-6);
        Assert.Null(report.ClassificationNote);
    }

    [Fact]
    public void WorstSamplesAreTheLowestTrueClassProbabilitiesLowestFirst()
    {
        using var model = new TinyClassifier();
        using var train = TinyClassifier.Clusters(120);
        using var test = TinyClassifier.Clusters(60, seed: 2);
        var history = model.Fit(train, Quiet(epochs: 1));

        var report = TrainingReport.Create(model, history, test: test, worstCount: 10);

        var (labels, probabilities) = Expected(model, test);
        var trueClass = labels.Select((label, i) => (double)probabilities[i][label]).ToArray();
        Assert.Equal(10, report.Worst.Count);
        Assert.Equal(report.Worst.Select(w => w.LabelProbability).Order(), report.Worst.Select(w => w.LabelProbability));
        foreach (var sample in report.Worst)
        {
            Assert.Equal(labels[sample.Index], sample.Label);
            Assert.Equal(ArgMax(probabilities[sample.Index]), sample.Predicted);
            Assert.Equal(trueClass[sample.Index], sample.LabelProbability, 1e-6);
            Assert.Equal(probabilities[sample.Index].Max(), sample.PredictedProbability, 1e-6);
            // Four features are no picture.
            Assert.Null(sample.Image);
        }
        var worstIndices = report.Worst.Select(w => w.Index).ToHashSet();
        var cutoff = report.Worst[^1].LabelProbability;
        Assert.All(Enumerable.Range(0, labels.Length).Where(i => !worstIndices.Contains(i)), i => Assert.True(trueClass[i] >= cutoff));
    }

    [Fact]
    public void ImageInputsShowTheSamplesOwnPixels()
    {
        using var model = new TinyImageClassifier(side: 16, classes: 4);
        using var train = TinyImageClassifier.Bands(80, side: 16, classes: 4);
        using var test = TinyImageClassifier.Bands(40, side: 16, classes: 4, seed: 2);
        var history = model.Fit(train, Quiet(epochs: 1));

        var report = TrainingReport.Create(model, history, test: test, worstCount: 5);

        Assert.Equal(5, report.Worst.Count);
        var pixels = test.Inputs.data<byte>().ToArray();
        foreach (var sample in report.Worst)
        {
            var image = Assert.IsType<SampleImage>(sample.Image);
            Assert.Equal((16, 16, 1), (image.Width, image.Height, image.Channels));
            Assert.Equal(pixels.AsSpan((int)sample.Index * 256, 256).ToArray(), image.Pixels);
        }
        Assert.Equal(5, Regex.Count(report.ToHtml(), "<canvas id=\"sample-"));
    }

    [Fact]
    public void FloatImagesInZeroToOneAreScaledTo255()
    {
        using var inputs = tensor(new[] { 0f, 0.5f, 1f, 0.25f }, [1, 2, 2]);

        Assert.Null(SampleImage.FromSamples(inputs, [0]));
        Assert.True(SampleImage.IsImageShape([28, 28], out _, out _, out var gray) && gray == 1);
        Assert.True(SampleImage.IsImageShape([32, 32, 3], out _, out _, out var rgb) && rgb == 3);
        Assert.False(SampleImage.IsImageShape([4], out _, out _, out _));
        Assert.False(SampleImage.IsImageShape([28, 28, 2], out _, out _, out _));
        using var large = full([2, 8, 8], 0.5);
        var images = SampleImage.FromSamples(large, [1]);
        Assert.Equal(128, Assert.Single(images!).Pixels[0]);
    }

    [Fact]
    public void OneHotTargetsAndLogitOutputsAreReadAsClasses()
    {
        using var model = new TinyHead(Loss.CategoricalCrossentropy(fromLogits: true), outputs: 3, Activation.Linear);
        using var clusters = TinyClassifier.Clusters(30, seed: 2);
        var labels = clusters.Targets.data<long>().ToArray();
        var oneHot = labels.SelectMany(label => Enumerable.Range(0, 3).Select(c => c == label ? 1f : 0f)).ToArray();
        using var test = new Dataset(clusters.Inputs.alias(), tensor(oneHot, [30, 3]));

        var report = TrainingReport.Create(model, new History(), test: test, worstCount: 30);

        using var logits = model.Predict(test.Inputs);
        var values = logits.data<float>().ToArray();
        var matrix = Assert.IsType<ConfusionMatrix>(report.Confusion);
        Assert.Equal(30, matrix.Total);
        foreach (var sample in report.Worst)
        {
            var row = values.AsSpan((int)sample.Index * 3, 3).ToArray().Select(x => (double)x).ToArray();
            var softmax = row.Select(x => Math.Exp(x - row.Max())).ToArray();
            Assert.Equal(labels[sample.Index], sample.Label);
            Assert.Equal(Array.IndexOf(row, row.Max()), sample.Predicted);
            Assert.Equal(softmax[sample.Label] / softmax.Sum(), sample.LabelProbability, 1e-9);
        }
        Assert.Equal(labels.Length, report.Worst.Count);
    }

    [Fact]
    public void OneSigmoidOutputIsTwoClassesCutAtOneHalf()
    {
        using var model = new TinyHead(Loss.BinaryCrossentropy(), outputs: 1, Activation.Sigmoid);
        using var clusters = TinyClassifier.Clusters(40, seed: 2);
        var labels = clusters.Targets.data<long>().ToArray().Select(label => label == 1 ? 1f : 0f).ToArray();
        using var test = new Dataset(clusters.Inputs.alias(), tensor(labels, [40, 1]));

        var report = TrainingReport.Create(model, new History(), test: test, worstCount: 40);

        using var output = model.Predict(test.Inputs);
        var p = output.data<float>().ToArray();
        Assert.Equal(2, report.Confusion!.Classes);
        foreach (var sample in report.Worst)
        {
            var probability = (double)p[sample.Index];
            Assert.Equal((int)labels[sample.Index], sample.Label);
            Assert.Equal(probability > 0.5 ? 1 : 0, sample.Predicted);
            Assert.Equal(sample.Label == 1 ? probability : 1 - probability, sample.LabelProbability, 1e-6);
        }
    }

    [Fact]
    public void RegressionHasNoConfusionMatrixAndThePageSaysWhy()
    {
        using var model = new TinyRegressor();
        using var train = TinyRegressor.Sums(64);
        using var test = TinyRegressor.Sums(32, seed: 2);
        var history = model.Fit(train, Quiet(epochs: 1) with { ValidationData = test });

        var report = TrainingReport.Create(model, history, test: test);

        Assert.Null(report.Confusion);
        Assert.Empty(report.Worst);
        Assert.Contains("mean_squared_error", report.ClassificationNote);
        var html = report.ToHtml();
        Assert.Contains("No confusion matrix: the loss is mean_squared_error, not a classification loss.", html);
        Assert.Equal(["loss", "mae"], report.Curves.Select(c => c.Name));
    }

    [Fact]
    public void PageInlinesTheChartLibraryAndReferencesNothingOutside()
    {
        using var model = new TinyClassifier();
        using var test = TinyClassifier.Clusters(30, seed: 2);
        var history = model.Fit(test, Quiet(epochs: 1) with { ValidationData = test });
        const string summary = "Model: \"TinyClassifier\"\n dense_1 (Dense) <4 -> 16>\nTotal params: 131\n";

        var html = TrainingReport.Create(model, history, summary, test).ToHtml();

        Assert.Matches(@"^\d+\.\d+\.\d+$", TrainingReport.ChartLibraryVersion);
        Assert.Contains($"Chart.js v{TrainingReport.ChartLibraryVersion}", html);
        Assert.Contains("<pre>Model: &quot;TinyClassifier&quot;\n dense_1 (Dense) &lt;4 -&gt; 16&gt;\nTotal params: 131</pre>", html);
        Assert.Contains("animation: false", html);
        Assert.DoesNotMatch(new Regex(@"<(script|img|iframe)[^>]*\ssrc\s*=", RegexOptions.IgnoreCase), html);
        Assert.DoesNotMatch(new Regex(@"<link\b", RegexOptions.IgnoreCase), html);
        Assert.DoesNotMatch(new Regex(@"(src|href)\s*=\s*[""']?(https?:)?//|url\(\s*[""']?(https?:)?//|@import", RegexOptions.IgnoreCase), html);
        Assert.DoesNotContain("sourceMappingURL", html);
        // Only the page's own three scripts end; the library's code holds no early end of its script element.
        Assert.Equal(4, Regex.Count(html, "</script>"));
    }

    [Fact]
    public void ReportIsSavedBesideTheHistory()
    {
        var directory = Directory.CreateTempSubdirectory("modeldsl-report-");
        try
        {
            var historyPath = Path.Combine(directory.FullName, "history.json");
            using var model = new TinyClassifier();
            using var test = TinyClassifier.Clusters(30, seed: 2);
            var history = model.Fit(test, Quiet(epochs: 1));
            var path = TrainingReport.PathBeside(historyPath);

            TrainingReport.Create(model, history, test: test).Save(path);

            Assert.Equal(Path.Combine(directory.FullName, "history.report.html"), path);
            Assert.Equal("x.report.report.html", TrainingReport.PathBeside("x.report.html"));
            Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(path));
            Assert.Equal(["history.report.html"], directory.GetFiles().Select(f => f.Name));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>The labels and the model's own class probabilities, read straight from Predict.</summary>
    private static (long[] Labels, float[][] Probabilities) Expected(TinyClassifier model, Dataset test)
    {
        using var output = model.Predict(test.Inputs);
        var classes = (int)output.size(1);
        var values = output.data<float>().ToArray();
        var rows = Enumerable.Range(0, (int)test.Count).Select(i => values.AsSpan(i * classes, classes).ToArray()).ToArray();
        return (test.Targets.data<long>().ToArray(), rows);
    }

    private static int ArgMax(float[] row) => Array.IndexOf(row, row.Max());
}

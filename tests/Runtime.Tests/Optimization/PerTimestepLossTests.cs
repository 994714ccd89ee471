using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Layers;
using ModelDsl.Runtime.Losses;
using ModelDsl.Runtime.Metrics;
using ModelDsl.Runtime.Optimizers;
using ModelDsl.Runtime.Training;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Optimization;

/// <summary>A per-timestep classifier: Dense softmax over (batch, time, features), giving (batch, time, classes).</summary>
public sealed class TimestepTagger : SequentialModel
{
    public const int Steps = 3;
    public const int Features = 2;
    public const int Classes = 3;

    private readonly Dense _output;

    public TimestepTagger(Loss loss, IReadOnlyList<Metric> metrics)
        : base(new ModelConfig("TimestepTagger", loss, () => new Sgd(learningRate: 0), metrics, null, [Steps, Features]), seed: 9)
    {
        _output = Add("dense", new Dense(Features, Classes, Activation.Softmax));
        Build(CPU);
    }

    public Tensor Kernel => _output.Kernel;

    public Tensor Bias => _output.Bias!;

    protected override Activation OutputActivation => Activation.Softmax;

    protected override Tensor ForwardLogits(Tensor input) => _output.ForwardLinear(input);
}

/// <summary>
/// Losses and metrics on (batch, time, ...) outputs, as Keras computes them: a loss or metric value at every timestep
/// of every sample, averaged over all of them.
/// </summary>
[Collection(TrainingCollection.Name)]
public class PerTimestepLossTests
{
    // (batch 2, time 3, classes 3).
    private static readonly double[] Logits =
    [
        2.0, -1.0, 0.5, /**/ 0.1, 0.2, 3.0, /**/ -0.5, 1.5, 0.0,
        1.0, 1.0, 0.9, /**/ -2.0, 0.3, 0.2, /**/ 0.7, -0.4, 2.2,
    ];

    private static readonly long[] Labels = [0, 2, 2, /**/ 1, 1, 2];

    private static double[] Softmax(ReadOnlySpan<double> row)
    {
        var max = double.MinValue;
        foreach (var v in row)
            max = Math.Max(max, v);
        var exps = new double[row.Length];
        for (var i = 0; i < row.Length; i++)
            exps[i] = Math.Exp(row[i] - max);
        var sum = exps.Sum();
        return exps.Select(e => e / sum).ToArray();
    }

    private static double[] Row(int position) => Softmax(Logits.AsSpan(position * 3, 3));

    private static double Value(Tensor loss)
    {
        Assert.Equal(0, loss.dim());
        return loss.to(ScalarType.Float64).item<double>();
    }

    private static Tensor OneHot(long[] labels) =>
        tensor(labels.SelectMany(l => Enumerable.Range(0, 3).Select(c => c == l ? 1.0 : 0.0)).ToArray(), [2, 3, 3]);

    // The mean over all six (sample, timestep) positions of -log p(label).
    private static double ExpectedCrossentropy() => Enumerable.Range(0, 6).Average(k => -Math.Log(Row(k)[Labels[k]]));

    [Fact]
    public void CrossentropiesAverageOverEveryTimestepAndSample()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(Logits, [2, 3, 3]);
        var labels = tensor(Labels, [2, 3]);
        var expected = ExpectedCrossentropy();
        Assert.Equal(0.6966171849, expected, 9);

        Assert.Equal(expected, Value(Loss.SparseCategoricalCrossentropy().Compute(logits, Activation.Softmax, labels)), 12);
        Assert.Equal(expected, Value(Loss.SparseCategoricalCrossentropy().Compute(logits, Activation.Softmax, labels.unsqueeze(-1))), 12);
        Assert.Equal(expected, Value(Loss.SparseCategoricalCrossentropy(fromLogits: true).Compute(logits, labels)), 12);
        Assert.Equal(expected, Value(Loss.SparseCategoricalCrossentropy().Compute(logits.softmax(-1), labels)), 9);
        Assert.Equal(expected, Value(Loss.CategoricalCrossentropy().Compute(logits, Activation.Softmax, OneHot(Labels))), 12);
        Assert.Equal(expected, Value(Loss.CategoricalCrossentropy().Compute(logits.softmax(-1), OneHot(Labels))), 9);
    }

    [Fact]
    public void BinaryCrossentropyAndRegressionLossesAverageOverEveryTimestep()
    {
        using var scope = NewDisposeScope();
        // (batch 2, time 3, 1) sigmoid logits against (batch 2, time 3) targets.
        double[] z = [0.3, -1.2, 2.0, 0.0, 1.1, -0.4];
        double[] t = [1, 0, 1, 1, 0, 0];
        var expected = z.Select((v, i) =>
        {
            var p = 1 / (1 + Math.Exp(-v));
            return -(t[i] * Math.Log(p) + (1 - t[i]) * Math.Log(1 - p));
        }).Average();
        Assert.Equal(expected, Value(Loss.BinaryCrossentropy().Compute(tensor(z, [2, 3, 1]), Activation.Sigmoid, tensor(t, [2, 3]))), 12);
        Assert.Equal(expected, Value(Loss.BinaryCrossentropy().Compute(tensor(z, [2, 3, 1]), Activation.Sigmoid, tensor(t, [2, 3, 1]))), 12);

        // (batch 2, time 3, features 2): Keras' mean over features, then over (sample, timestep): the mean of all twelve.
        double[] output = [1, 2, 0, -1, 3, 3, 0.5, 0.5, 2, 0, -2, 1];
        double[] target = [1, 0, 0, 1, 1, 3, 0, 0.5, 0, 0, 0, 0];
        var mse = output.Zip(target, (o, y) => (o - y) * (o - y)).Average();
        var mae = output.Zip(target, (o, y) => Math.Abs(o - y)).Average();
        Assert.Equal(mse, Value(Loss.MeanSquaredError().Compute(tensor(output, [2, 3, 2]), tensor(target, [2, 3, 2]))), 12);
        Assert.Equal(mae, Value(Loss.MeanAbsoluteError().Compute(tensor(output, [2, 3, 2]), tensor(target, [2, 3, 2]))), 12);

        // Keras' squeeze-or-expand both ways: (2, 3) against (2, 3, 1), and (2, 3, 1) targets against (2, 3).
        var single = output.Take(6).ToArray();
        var singleTargets = target.Take(6).ToArray();
        var singleMse = single.Zip(singleTargets, (o, y) => (o - y) * (o - y)).Average();
        Assert.Equal(singleMse, Value(Loss.MeanSquaredError().Compute(tensor(single, [2, 3, 1]), tensor(singleTargets, [2, 3]))), 12);
        Assert.Equal(singleMse, Value(Loss.MeanSquaredError().Compute(tensor(single, [2, 3]), tensor(singleTargets, [2, 3, 1]))), 12);
    }

    [Fact]
    public void MetricsCountEveryTimestepOfEverySample()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(Logits, [2, 3, 3]);
        // Arg-maxes by row: 0, 2, 1 | 0, 1, 2; labels 0, 2, 2 | 1, 1, 2: four of six right.
        Assert.Equal((4.0, 6L), Metric.SparseCategoricalAccuracy("accuracy").Evaluate(logits, tensor(Labels, [2, 3])));
        Assert.Equal((4.0, 6L), Metric.SparseCategoricalAccuracy("accuracy").Evaluate(logits, tensor(Labels, [2, 3, 1])));
        var (sum, count) = Metric.SparseCategoricalAccuracy("accuracy").Compute(logits, Activation.Softmax, tensor(Labels, [2, 3]));
        Assert.Equal((4.0, 6L), (sum.item<double>(), count));
        Assert.Equal((4.0, 6L), Metric.CategoricalAccuracy("accuracy").Evaluate(logits, OneHot(Labels)));

        var probabilities = tensor(new[] { 0.9, 0.4, 0.6, 0.2, 0.7, 0.1 }, [2, 3, 1]);
        Assert.Equal((4.0, 6L), Metric.BinaryAccuracy("accuracy").Evaluate(probabilities, tensor(new double[] { 1, 1, 1, 0, 0, 0 }, [2, 3])));

        // Per (sample, timestep): the mean over the features, then summed; six positions.
        var output = tensor(new double[] { 1, 2, 0, -1, 3, 3, 0.5, 0.5, 2, 0, -2, 1 }, [2, 3, 2]);
        var target = tensor(new double[] { 1, 0, 0, 1, 1, 3, 0, 0.5, 0, 0, 0, 0 }, [2, 3, 2]);
        var (maeSum, maeCount) = Metric.MeanAbsoluteError("mae").Evaluate(output, target);
        Assert.Equal((0 + 2 + 0 + 2 + 2 + 0 + 0.5 + 0 + 2 + 0 + 2 + 1) / 2.0, maeSum, 12);
        Assert.Equal(6L, maeCount);
        var (mseSum, mseCount) = Metric.MeanSquaredError("mse").Evaluate(output, target);
        Assert.Equal((0 + 4 + 0 + 4 + 4 + 0 + 0.25 + 0 + 4 + 0 + 4 + 1) / 2.0, mseSum, 12);
        Assert.Equal(6L, mseCount);
    }

    [Fact]
    public void TargetsThatDoNotFitArePointedOutNotBroadcast()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(Logits, [2, 3, 3]);
        var error = Assert.Throws<ArgumentException>(() => Loss.SparseCategoricalCrossentropy().Compute(logits, Activation.Softmax, tensor(new long[] { 0, 1 })));
        Assert.Contains("sparse_categorical_crossentropy: labels (2) do not fit the predictions (2, 3, 3)", error.Message);
        Assert.Contains("(2, 3) or (2, 3, 1)", error.Message);
        Assert.Throws<ArgumentException>(() => Loss.SparseCategoricalCrossentropy().Compute(logits, Activation.Softmax, tensor(Labels, [3, 2])));
        error = Assert.Throws<ArgumentException>(() => Loss.CategoricalCrossentropy().Compute(logits, Activation.Softmax, tensor(Labels, [2, 3])));
        Assert.Contains("categorical_crossentropy: targets (2, 3) do not fit the predictions (2, 3, 3)", error.Message);
        // mse_loss would broadcast (2, 3) against (2, 3, 2) into a wrong number.
        error = Assert.Throws<ArgumentException>(() => Loss.MeanSquaredError().Compute(zeros(2, 3, 2), zeros(2, 3)));
        Assert.Contains("mean_squared_error: targets (2, 3) do not fit the predictions (2, 3, 2)", error.Message);
        Assert.Throws<ArgumentException>(() => Loss.BinaryCrossentropy().Compute(zeros(2, 3, 1), Activation.Sigmoid, zeros(2)));

        error = Assert.Throws<ArgumentException>(() => Metric.SparseCategoricalAccuracy("accuracy").Evaluate(logits, tensor(new long[] { 0, 1 })));
        Assert.Contains("accuracy: labels (2) do not fit the predictions (2, 3, 3)", error.Message);
        Assert.Throws<ArgumentException>(() => Metric.MeanAbsoluteError("mae").Evaluate(zeros(2, 3, 2), zeros(2, 3)));
        Assert.Throws<ArgumentException>(() => Metric.CategoricalAccuracy("acc").Evaluate(logits, zeros(2, 3, 4)));
    }

    [Fact]
    public void FitAndEvaluateReportTheMeanOverEveryTimestep()
    {
        // Ten sequences in batches of 4, 4 and 2; a rate of 0 keeps the weights, so every figure is the dataset's.
        var random = new Random(3);
        var inputs = Enumerable.Range(0, 10 * TimestepTagger.Steps * TimestepTagger.Features).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var labels = Enumerable.Range(0, 10 * TimestepTagger.Steps).Select(_ => (long)random.Next(TimestepTagger.Classes)).ToArray();
        using var data = new Dataset(tensor(inputs, [10, TimestepTagger.Steps, TimestepTagger.Features]), tensor(labels, [10, TimestepTagger.Steps]));
        using var model = new TimestepTagger(Loss.SparseCategoricalCrossentropy(), [Metric.SparseCategoricalAccuracy("accuracy")]);

        var history = model.Fit(data, new FitOptions { Epochs = 1, BatchSize = 4, Seed = 1, Verbose = Verbosity.Silent });
        var evaluation = model.Evaluate(data, batchSize: 4);

        var kernel = OptimizerSteps.Values(model.Kernel);
        var bias = OptimizerSteps.Values(model.Bias);
        double lossSum = 0;
        var correct = 0;
        for (var k = 0; k < labels.Length; k++)
        {
            var row = new double[TimestepTagger.Classes];
            for (var c = 0; c < row.Length; c++)
            {
                row[c] = bias[c];
                for (var f = 0; f < TimestepTagger.Features; f++)
                    row[c] += inputs[k * TimestepTagger.Features + f] * kernel[f * TimestepTagger.Classes + c];
            }
            var p = Softmax(row);
            lossSum -= Math.Log(p[labels[k]]);
            correct += Array.IndexOf(p, p.Max()) == labels[k] ? 1 : 0;
        }
        var expectedLoss = lossSum / labels.Length;
        var expectedAccuracy = (double)correct / labels.Length;
        Assert.Equal(expectedLoss, history["loss"][0], 5);
        Assert.Equal(expectedAccuracy, history["accuracy"][0], 12);
        Assert.Equal(expectedLoss, evaluation.Loss, 5);
        Assert.Equal(expectedAccuracy, evaluation["accuracy"], 12);
    }
}

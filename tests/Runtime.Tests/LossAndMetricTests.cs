using ModelDsl.Runtime.Losses;
using ModelDsl.Runtime.Metrics;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests;

public class LossAndMetricTests
{
    private static readonly double[] Logits = [2.0, -1.0, 0.5, 0.1, 0.2, 3.0];
    private static readonly long[] Labels = [0, 2];

    private static double[] Softmax(double[] row)
    {
        var max = row.Max();
        var exps = row.Select(v => Math.Exp(v - max)).ToArray();
        return exps.Select(e => e / exps.Sum()).ToArray();
    }

    private static double ExpectedSparseCrossentropy()
    {
        var first = Softmax(Logits[..3]);
        var second = Softmax(Logits[3..]);
        return -(Math.Log(first[Labels[0]]) + Math.Log(second[Labels[1]])) / 2;
    }

    // A loss as a .NET number, whatever its floating dtype.
    private static double Value(Tensor loss)
    {
        Assert.Equal(0, loss.dim());
        return loss.to(ScalarType.Float64).item<double>();
    }

    [Fact]
    public void SoftmaxOutputWithSparseCrossentropyIsLogSoftmaxPlusNll()
    {
        var logits = tensor(Logits, [2, 3]).requires_grad_();
        var labels = tensor(Labels);
        var loss = Loss.SparseCategoricalCrossentropy().Compute(logits, Activation.Softmax, labels);
        Assert.Equal(ScalarType.Float64, loss.dtype);
        Assert.Equal(ExpectedSparseCrossentropy(), Value(loss), 12);

        // From logits, and from probabilities (Keras clips them; these are far from the clip).
        Assert.Equal(ExpectedSparseCrossentropy(), Value(Loss.SparseCategoricalCrossentropy(fromLogits: true).Compute(logits, labels)), 12);
        var probabilities = logits.softmax(-1);
        Assert.Equal(ExpectedSparseCrossentropy(), Value(Loss.SparseCategoricalCrossentropy().Compute(probabilities, labels)), 12);

        // (batch, 1) labels as Keras allows, and float labels as a dataset may hold them.
        Assert.Equal(ExpectedSparseCrossentropy(), Value(Loss.SparseCategoricalCrossentropy().Compute(logits, Activation.Softmax, labels.unsqueeze(1))), 12);
        Assert.Equal(ExpectedSparseCrossentropy(), Value(Loss.SparseCategoricalCrossentropy().Compute(logits, Activation.Softmax, labels.to(ScalarType.Float32))), 12);

        // The fused form's gradient is softmax - onehot, over the batch.
        loss.backward();
        var grad = logits.grad!.data<double>().ToArray();
        var expected = Softmax(Logits[..3]).Concat(Softmax(Logits[3..])).ToArray();
        expected[0] -= 1;
        expected[5] -= 1;
        for (var i = 0; i < 6; i++)
            Assert.Equal(expected[i] / 2, grad[i], 12);
    }

    [Fact]
    public void SparseCrossentropyTreatsEveryTimeStepAsASample()
    {
        // (batch 1, time 2, classes 3) against (1, 2) labels: the mean over both positions.
        var logits = tensor(Logits, [1, 2, 3]);
        var labels = tensor(Labels, [1, 2]);
        Assert.Equal(ExpectedSparseCrossentropy(), Value(Loss.SparseCategoricalCrossentropy().Compute(logits, Activation.Softmax, labels)), 12);
    }

    [Fact]
    public void ProbabilitiesAreClippedLikeKeras()
    {
        // A zero probability for the true class: Keras clips it to 1e-7 instead of returning infinity.
        var probabilities = tensor(new double[] { 0, 1 }, [1, 2]);
        var labels = tensor(new long[] { 0 });
        var loss = Value(Loss.SparseCategoricalCrossentropy().Compute(probabilities, labels));
        var clipped = new[] { 1e-7, 1 - 1e-7 };
        Assert.Equal(-Math.Log(clipped[0] / clipped.Sum()), loss, 9);

        var bce = Value(Loss.BinaryCrossentropy().Compute(tensor(new double[] { 1 }, [1, 1]), tensor(new double[] { 0 })));
        Assert.Equal(-Math.Log(1e-7 + 1e-7), bce, 6);
    }

    [Fact]
    public void CategoricalCrossentropyMatchesSparse()
    {
        var logits = tensor(Logits, [2, 3]);
        var oneHot = tensor(new double[] { 1, 0, 0, 0, 0, 1 }, [2, 3]);
        Assert.Equal(ExpectedSparseCrossentropy(), Value(Loss.CategoricalCrossentropy().Compute(logits, Activation.Softmax, oneHot)), 12);
        Assert.Equal(ExpectedSparseCrossentropy(), Value(Loss.CategoricalCrossentropy(fromLogits: true).Compute(logits, oneHot)), 12);
        Assert.Equal(ExpectedSparseCrossentropy(), Value(Loss.CategoricalCrossentropy().Compute(logits.softmax(-1), oneHot)), 12);
    }

    [Fact]
    public void BinaryCrossentropyFromSigmoidLogitsAndFromProbabilitiesAgree()
    {
        double[] z = [0.3, -1.2, 2.0];
        double[] t = [1, 0, 1];
        var expected = z.Select((v, i) =>
        {
            var p = 1 / (1 + Math.Exp(-v));
            return -(t[i] * Math.Log(p) + (1 - t[i]) * Math.Log(1 - p));
        }).Average();
        var logits = tensor(z, [3, 1]);
        var targets = tensor(t);
        Assert.Equal(expected, Value(Loss.BinaryCrossentropy().Compute(logits, Activation.Sigmoid, targets)), 12);
        Assert.Equal(expected, Value(Loss.BinaryCrossentropy(fromLogits: true).Compute(logits, targets)), 12);
        // Keras' epsilon inside the logs moves the probability form by ~1e-7.
        Assert.Equal(expected, Value(Loss.BinaryCrossentropy().Compute(logits.sigmoid(), targets)), 6);
    }

    [Fact]
    public void RegressionLosses()
    {
        var output = tensor(new float[] { 1, 2, 4 }, [3, 1]);
        var targets = tensor(new float[] { 1, 0, 1 });
        Assert.Equal((0 + 4 + 9) / 3.0, Value(Loss.MeanSquaredError().Compute(output, targets)), 6);
        Assert.Equal((0 + 2 + 3) / 3.0, Value(Loss.MeanAbsoluteError().Compute(output, targets)), 6);
        // Before a final relu: the loss sees relu's output.
        Assert.Equal((1 + 0 + 1) / 3.0, Value(Loss.MeanSquaredError().Compute(output - 2, Activation.Relu, targets)), 6);
        Assert.Equal("mean_squared_error", Loss.MeanSquaredError().Name);
        Assert.Equal("sparse_categorical_crossentropy(from_logits)", Loss.SparseCategoricalCrossentropy(fromLogits: true).ToString());
    }

    [Fact]
    public void MetricsReportBatchSumsAndCounts()
    {
        var logits = tensor(new float[] { 2, 1, 0, 0, 1, 2, 5, 0, 0 }, [3, 3]);
        var labels = tensor(new long[] { 0, 1, 0 });
        Assert.Equal((2.0, 3L), Metric.SparseCategoricalAccuracy("accuracy").Evaluate(logits, labels));
        var (sum, count) = Metric.SparseCategoricalAccuracy("accuracy").Compute(logits, Activation.Softmax, labels);
        Assert.Equal(ScalarType.Float64, sum.dtype);
        Assert.False(sum.requires_grad);
        Assert.Equal((2.0, 3L), (sum.item<double>(), count));
        // (batch, 1) labels as Keras allows.
        Assert.Equal((2.0, 3L), Metric.SparseCategoricalAccuracy("accuracy").Evaluate(logits, labels.unsqueeze(1)));

        var oneHot = tensor(new float[] { 1, 0, 0, 0, 1, 0, 1, 0, 0 }, [3, 3]);
        Assert.Equal((2.0, 3L), Metric.CategoricalAccuracy("acc").Evaluate(logits, oneHot));

        var probabilities = tensor(new float[] { 0.9f, 0.4f, 0.6f, 0.2f }, [4, 1]);
        var binary = tensor(new float[] { 1, 1, 1, 0 });
        Assert.Equal((3.0, 4L), Metric.BinaryAccuracy("accuracy").Evaluate(probabilities, binary));
        Assert.Equal((2.0, 4L), Metric.BinaryAccuracy("accuracy", threshold: 0.7).Evaluate(probabilities, binary));

        var predictions = tensor(new float[] { 1, 2, 3, 5 }, [2, 2]);
        var truth = tensor(new float[] { 1, 1, 1, 1 }, [2, 2]);
        // Per-sample means: |.| -> 0.5 and 3; squared -> 0.5 and 10.
        Assert.Equal((3.5, 2L), Metric.MeanAbsoluteError("mae").Evaluate(predictions, truth));
        Assert.Equal((10.5, 2L), Metric.MeanSquaredError("mse").Evaluate(predictions, truth));
    }

    [Fact]
    public void MetricsKeepNoGradientHistory()
    {
        // The training loop sums metrics over an epoch; a graph behind each batch's sum would keep every batch alive.
        var logits = tensor(new double[] { 2, 1, 0, 1 }, [2, 2]).requires_grad_();
        var (sum, _) = Metric.MeanSquaredError("mse").Compute(logits, tensor(new double[] { 0, 0, 0, 0 }, [2, 2]));
        Assert.False(sum.requires_grad);
        Assert.Equal(3.0, sum.item<double>(), 12);
    }
}

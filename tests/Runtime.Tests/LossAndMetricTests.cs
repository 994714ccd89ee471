using ModelDsl.Runtime.Losses;
using ModelDsl.Runtime.Metrics;

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

    [Fact]
    public void SoftmaxOutputWithSparseCrossentropyIsLogSoftmaxPlusNll()
    {
        using var scope = new DisposeScope();
        var logits = Tensor.From(Logits, 2, 3).WithRequiresGrad();
        var labels = Tensor.From(Labels);
        var loss = Loss.SparseCategoricalCrossentropy().Compute(logits, Activation.Softmax, labels);
        Assert.Equal(ExpectedSparseCrossentropy(), loss.ToDouble(), 12);

        // From logits, and from probabilities (Keras clips them; these are far from the clip).
        Assert.Equal(ExpectedSparseCrossentropy(), Loss.SparseCategoricalCrossentropy(fromLogits: true).Compute(logits, labels).ToDouble(), 12);
        var probabilities = logits.Softmax();
        Assert.Equal(ExpectedSparseCrossentropy(), Loss.SparseCategoricalCrossentropy().Compute(probabilities, labels).ToDouble(), 12);

        // (batch, 1) labels as Keras allows.
        Assert.Equal(ExpectedSparseCrossentropy(), Loss.SparseCategoricalCrossentropy().Compute(logits, Activation.Softmax, labels.Unsqueeze(1)).ToDouble(), 12);

        // The fused form's gradient is softmax - onehot, over the batch.
        loss.Backward();
        var grad = logits.Grad!.ToArray<double>();
        var expected = Softmax(Logits[..3]).Concat(Softmax(Logits[3..])).ToArray();
        expected[0] -= 1;
        expected[5] -= 1;
        for (var i = 0; i < 6; i++)
            Assert.Equal(expected[i] / 2, grad[i], 12);
    }

    [Fact]
    public void ProbabilitiesAreClippedLikeKeras()
    {
        using var scope = new DisposeScope();
        // A zero probability for the true class: Keras clips it to 1e-7 instead of returning infinity.
        var probabilities = Tensor.From(new double[] { 0, 1 }, 1, 2);
        var labels = Tensor.From(new long[] { 0 });
        var loss = Loss.SparseCategoricalCrossentropy().Compute(probabilities, labels).ToDouble();
        var clipped = new[] { 1e-7, 1 - 1e-7 };
        Assert.Equal(-Math.Log(clipped[0] / clipped.Sum()), loss, 9);

        var bce = Loss.BinaryCrossentropy().Compute(Tensor.From(new double[] { 1 }, 1, 1), Tensor.From(new double[] { 0 })).ToDouble();
        Assert.Equal(-Math.Log(1e-7 + 1e-7), bce, 6);
    }

    [Fact]
    public void CategoricalCrossentropyMatchesSparse()
    {
        using var scope = new DisposeScope();
        var logits = Tensor.From(Logits, 2, 3);
        var oneHot = Tensor.From(new double[] { 1, 0, 0, 0, 0, 1 }, 2, 3);
        Assert.Equal(ExpectedSparseCrossentropy(), Loss.CategoricalCrossentropy().Compute(logits, Activation.Softmax, oneHot).ToDouble(), 12);
        Assert.Equal(ExpectedSparseCrossentropy(), Loss.CategoricalCrossentropy(fromLogits: true).Compute(logits, oneHot).ToDouble(), 12);
        Assert.Equal(ExpectedSparseCrossentropy(), Loss.CategoricalCrossentropy().Compute(logits.Softmax(), oneHot).ToDouble(), 12);
    }

    [Fact]
    public void BinaryCrossentropyFromSigmoidLogitsAndFromProbabilitiesAgree()
    {
        using var scope = new DisposeScope();
        double[] z = [0.3, -1.2, 2.0];
        double[] t = [1, 0, 1];
        var expected = z.Select((v, i) =>
        {
            var p = 1 / (1 + Math.Exp(-v));
            return -(t[i] * Math.Log(p) + (1 - t[i]) * Math.Log(1 - p));
        }).Average();
        var logits = Tensor.From(z, 3, 1);
        var targets = Tensor.From(t);
        Assert.Equal(expected, Loss.BinaryCrossentropy().Compute(logits, Activation.Sigmoid, targets).ToDouble(), 12);
        Assert.Equal(expected, Loss.BinaryCrossentropy(fromLogits: true).Compute(logits, targets).ToDouble(), 12);
        // Keras' epsilon inside the logs moves the probability form by ~1e-7.
        Assert.Equal(expected, Loss.BinaryCrossentropy().Compute(logits.Sigmoid(), targets).ToDouble(), 6);
    }

    [Fact]
    public void RegressionLosses()
    {
        using var scope = new DisposeScope();
        var output = Tensor.From(new float[] { 1, 2, 4 }, 3, 1);
        var targets = Tensor.From(new float[] { 1, 0, 1 });
        Assert.Equal((0 + 4 + 9) / 3.0, Loss.MeanSquaredError().Compute(output, targets).ToDouble(), 6);
        Assert.Equal((0 + 2 + 3) / 3.0, Loss.MeanAbsoluteError().Compute(output, targets).ToDouble(), 6);
        Assert.Equal("mean_squared_error", Loss.MeanSquaredError().Name);
    }

    [Fact]
    public void MetricsReportBatchSumsAndCounts()
    {
        using var scope = new DisposeScope();
        var logits = Tensor.From(new float[] { 2, 1, 0, 0, 1, 2, 5, 0, 0 }, 3, 3);
        var labels = Tensor.From(new long[] { 0, 1, 0 });
        Assert.Equal((2.0, 3L), Metric.SparseCategoricalAccuracy("accuracy").Evaluate(logits, labels));
        var (sum, count) = Metric.SparseCategoricalAccuracy("accuracy").Compute(logits, Activation.Softmax, labels);
        Assert.Equal(DType.Float64, sum.DType);
        Assert.Equal((2.0, 3L), (sum.ToDouble(), count));

        var oneHot = Tensor.From(new float[] { 1, 0, 0, 0, 1, 0, 1, 0, 0 }, 3, 3);
        Assert.Equal((2.0, 3L), Metric.CategoricalAccuracy("acc").Evaluate(logits, oneHot));

        var probabilities = Tensor.From(new float[] { 0.9f, 0.4f, 0.6f, 0.2f }, 4, 1);
        var binary = Tensor.From(new float[] { 1, 1, 1, 0 });
        Assert.Equal((3.0, 4L), Metric.BinaryAccuracy("accuracy").Evaluate(probabilities, binary));

        var predictions = Tensor.From(new float[] { 1, 2, 3, 5 }, 2, 2);
        var truth = Tensor.From(new float[] { 1, 1, 1, 1 }, 2, 2);
        // Per-sample means: |.| -> 0.5 and 3; squared -> 0.5 and 10.
        Assert.Equal((3.5, 2L), Metric.MeanAbsoluteError("mae").Evaluate(predictions, truth));
        Assert.Equal((10.5, 2L), Metric.MeanSquaredError("mse").Evaluate(predictions, truth));
    }
}

using ModelDsl.Runtime.Layers;
using TorchSharp;
using static ModelDsl.Runtime.Tests.Layers.LayerTestHelpers;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Layers;

/// <summary>
/// LayerNormalization against plain arithmetic over each axis set; SpatialDropout, GaussianNoise and GaussianDropout
/// active only while training, with Keras' noise statistics. Runs alone: the noise tests draw from the shared generator.
/// </summary>
[Collection(NativeGlobalState.Name)]
public class NormalizationAndNoiseLayersTests
{
    /// <summary>Plain layer normalization of row-major <paramref name="x"/> over <paramref name="axes"/>, no gamma or beta.</summary>
    private static double[] Normalized(double[] x, int[] shape, int[] axes, double epsilon)
    {
        var strides = new int[shape.Length];
        for (int i = shape.Length - 1, s = 1; i >= 0; s *= shape[i], i--)
            strides[i] = s;
        // Cells with the same coordinates off the normalized axes form one group.
        int Group(int index) => Enumerable.Range(0, shape.Length).Where(a => !axes.Contains(a)).Aggregate(0, (g, a) => g * shape[a] + index / strides[a] % shape[a]);
        var groups = Enumerable.Range(0, x.Length).GroupBy(Group);
        var result = new double[x.Length];
        foreach (var group in groups)
        {
            var mean = group.Average(i => x[i]);
            var variance = group.Average(i => (x[i] - mean) * (x[i] - mean));
            foreach (var i in group)
                result[i] = (x[i] - mean) / Math.Sqrt(variance + epsilon);
        }
        return result;
    }

    private static double[] Wavy(int count) => [.. Enumerable.Range(0, count).Select(i => 3 * Math.Sin(1.3 * i) + 0.1 * i)];

    [Fact]
    public void LayerNormalizationNormalizesEachSampleByHand()
    {
        using var layer = new LayerNormalization([4]);
        layer.to(ScalarType.Float64);
        Assert.Equal([1], layer.Axis);
        Assert.Equal(1e-3, layer.Epsilon);
        Assign(layer.Gamma!, [1, 2, 1, 0.5]);
        Assign(layer.Beta!, [0, 0, 1, -1]);
        // Mean 2.5, biased variance 1.25.
        var scale = 1 / Math.Sqrt(1.25 + 1e-3);
        var y = layer.forward(Doubles([1, 2, 3, 4], 1, 4));
        AssertClose([-1.5 * scale, 2 * -0.5 * scale, 0.5 * scale + 1, 0.5 * 1.5 * scale - 1], Read(y));
    }

    [Theory]
    [InlineData(new[] { -1 })]
    [InlineData(new[] { 1 })]          // not the last axis: by hand, not libtorch's layer_norm
    [InlineData(new[] { -2, -1 })]
    [InlineData(new[] { 3, 1 })]       // two axes that are not adjacent
    [InlineData(new[] { 1, 2, 3 })]
    public void LayerNormalizationMatchesPlainArithmeticOverAnyAxes(int[] axis)
    {
        int[] shape = [2, 3, 4, 5];
        var x = Wavy(shape.Aggregate(1, (a, b) => a * b));
        using var layer = new LayerNormalization([3, 4, 5], axis, epsilon: 0.01);
        layer.to(ScalarType.Float64);
        var normalizedAxes = axis.Select(a => a < 0 ? a + 4 : a).Order().ToArray();
        Assert.Equal(normalizedAxes, layer.Axis);
        long[] weightShape = [.. normalizedAxes.Select(a => (long)shape[a])];
        Assert.Equal(weightShape, layer.Gamma!.shape);
        Assert.Equal(weightShape, layer.Beta!.shape);

        var expected = Normalized(x, shape, normalizedAxes, 0.01);
        AssertClose(expected, Read(layer.forward(Doubles(x, 2, 3, 4, 5))), 1e-10);

        // gamma and beta broadcast over the other axes: 2 y + 3 everywhere.
        using (no_grad())
        {
            layer.Gamma!.fill_(2);
            layer.Beta!.fill_(3);
        }
        AssertClose([.. expected.Select(v => 2 * v + 3)], Read(layer.forward(Doubles(x, 2, 3, 4, 5))), 1e-10);
    }

    [Fact]
    public void LayerNormalizationWeightsAreKerasGammaThenBeta()
    {
        using var both = new LayerNormalization([5, 8]);
        Assert.Equal(["gamma", "beta"], both.Weights().Select(w => w.Name));
        Assert.Equal(16, both.WeightCount);
        Assert.All(Read(both.Gamma!), v => Assert.Equal(1, v));
        Assert.All(Read(both.Beta!), v => Assert.Equal(0, v));
        using var scaleOnly = new LayerNormalization([5, 8], center: false);
        Assert.Equal("gamma", Assert.Single(scaleOnly.Weights()).Name);
        Assert.Null(scaleOnly.Beta);
        using var neither = new LayerNormalization([5, 8], center: false, scale: false);
        Assert.Equal(0, neither.WeightCount);
        var x = Wavy(80);
        AssertClose(Normalized(x, [2, 5, 8], [2], 1e-3), Read(neither.forward(Doubles(x, 2, 5, 8))), 1e-10);
        using var initialized = new LayerNormalization([3], betaInitializer: "ones", gammaInitializer: "zeros");
        Assert.All(Read(initialized.forward(randn(4, 3))), v => Assert.Equal(1, v));
    }

    [Fact]
    public void LayerNormalizationTakesAnyLengthOnAnAxisItDoesNotNormalize()
    {
        using var layer = new LayerNormalization([null, 6]);
        Assert.Equal(new long[] { 6 }, layer.Gamma!.shape);
        Assert.Equal(new long[] { 2, 7, 6 }, layer.forward(randn(2, 7, 6)).shape);
        Assert.Equal(new long[] { 2, 3, 6 }, layer.forward(randn(2, 3, 6)).shape);
        var unknown = Assert.Throws<ArgumentException>(() => new LayerNormalization([null, 6], axis: 1));
        Assert.Equal("inputShape", unknown.ParamName);
        Assert.Contains("None", unknown.Message);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => layer.forward(randn(2, 3, 5))).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => layer.forward(randn(2, 6))).ParamName);
    }

    [Theory]
    [InlineData(new[] { 0 })]      // the batch axis
    [InlineData(new[] { 3 })]
    [InlineData(new[] { -3 })]
    public void LayerNormalizationRejectsAxesOutsideTheSample(int[] axis)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LayerNormalization([4, 5], axis));
        Assert.Equal("axis", error.ParamName);
    }

    [Fact]
    public void LayerNormalizationRejectsBadArguments()
    {
        Assert.Equal("axis", Assert.Throws<ArgumentException>(() => new LayerNormalization([4, 5], [1, -2])).ParamName);
        Assert.Equal("axis", Assert.Throws<ArgumentException>(() => new LayerNormalization([4, 5], [])).ParamName);
        Assert.Equal("inputShape", Assert.Throws<ArgumentException>(() => new LayerNormalization([])).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new LayerNormalization([4], epsilon: 0)).ParamName);
        Assert.Throws<ArgumentException>(() => new LayerNormalization([4], gammaInitializer: "nope"));
    }

    [Fact]
    public void SpatialDropout1DDropsWholeChannelsWhileTraining()
    {
        manual_seed(3);
        using var layer = new SpatialDropout1D(0.5);
        Assert.True(layer.training);
        var y = Read(layer.forward(ones(200, 6, 10)));
        // Each (sample, channel) is 0 at every step or 2 (1 / (1 - rate)) at every step.
        var columns = Enumerable.Range(0, 200 * 10).Select(k => Enumerable.Range(0, 6).Select(t => y[(k / 10 * 6 + t) * 10 + k % 10]).ToArray()).ToArray();
        Assert.All(columns, column => Assert.True(column.All(v => v == 0) || column.All(v => v == 2), string.Join(", ", column)));
        Assert.InRange(columns.Count(c => c[0] == 0), 900, 1100);

        layer.eval();
        Assert.All(Read(layer.forward(ones(4, 6, 10))), v => Assert.Equal(1, v));
        Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => new SpatialDropout1D(1)).ParamName);
        Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => new SpatialDropout1D(-0.1)).ParamName);
        Assert.Throws<ArgumentException>(() => layer.forward(ones(4, 6)));
    }

    [Fact]
    public void SpatialDropout2DDropsWholeFeatureMapsWhileTraining()
    {
        manual_seed(4);
        using var layer = new SpatialDropout2D(0.25);
        var y = Read(layer.forward(ones(100, 3, 4, 8)));
        var maps = Enumerable.Range(0, 100 * 8)
            .Select(k => Enumerable.Range(0, 12).Select(cell => y[(k / 8 * 12 + cell) * 8 + k % 8]).ToArray()).ToArray();
        Assert.All(maps, map => Assert.True(map.All(v => v == 0) || map.All(v => Math.Abs(v - 4.0 / 3) < 1e-6)));
        Assert.InRange(maps.Count(m => m[0] == 0), 160, 240);

        layer.eval();
        Assert.All(Read(layer.forward(ones(2, 3, 4, 8))), v => Assert.Equal(1, v));
        using var none = new SpatialDropout2D(0);
        Assert.All(Read(none.forward(ones(2, 3, 4, 8))), v => Assert.Equal(1, v));
        Assert.Throws<ArgumentException>(() => layer.forward(ones(2, 3, 4)));
        Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => new SpatialDropout2D(double.NaN)).ParamName);
    }

    [Fact]
    public void GaussianNoiseAddsNoiseOfItsStddevOnlyWhileTraining()
    {
        manual_seed(5);
        using var layer = new GaussianNoise(0.3);
        var noise = Read(layer.forward(full(new long[] { 100_000 }, 2.0, ScalarType.Float64))).Select(v => v - 2).ToArray();
        Assert.InRange(noise.Average(), -0.005, 0.005);
        Assert.InRange(Math.Sqrt(noise.Select(v => v * v).Average()), 0.3 * 0.98, 0.3 * 1.02);

        layer.eval();
        Assert.All(Read(layer.forward(full(new long[] { 100 }, 2.0, ScalarType.Float64))), v => Assert.Equal(2, v));
        Assert.Equal("stddev", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianNoise(-0.1)).ParamName);
        Assert.Equal("stddev", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianNoise(1.5)).ParamName);
        Assert.Equal("stddev", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianNoise(double.NaN)).ParamName);
    }

    [Fact]
    public void GaussianDropoutMultipliesByNoiseAroundOneOnlyWhileTraining()
    {
        manual_seed(6);
        using var layer = new GaussianDropout(0.2);
        // sqrt(0.2 / 0.8) = 0.5.
        Assert.Equal(0.5, layer.NoiseStddev, 15);
        var factors = Read(layer.forward(full(new long[] { 100_000 }, 3.0, ScalarType.Float64))).Select(v => v / 3).ToArray();
        Assert.InRange(factors.Average(), 1 - 0.01, 1 + 0.01);
        Assert.InRange(Math.Sqrt(factors.Select(v => (v - 1) * (v - 1)).Average()), 0.5 * 0.98, 0.5 * 1.02);

        layer.eval();
        Assert.All(Read(layer.forward(full(new long[] { 100 }, 3.0, ScalarType.Float64))), v => Assert.Equal(3, v));
        // As Keras: no noise at a rate of 0 or 1.
        foreach (var rate in new[] { 0.0, 1.0 })
        {
            using var inactive = new GaussianDropout(rate);
            Assert.All(Read(inactive.forward(full(new long[] { 100 }, 3.0, ScalarType.Float64))), v => Assert.Equal(3, v));
        }
        Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianDropout(1.1)).ParamName);
        Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianDropout(-0.1)).ParamName);
    }

    [Fact]
    public void LayerNormalizationGradients() =>
        GradientTests.CheckGradients(new LayerNormalization([3, 4], betaInitializer: "random_normal", gammaInitializer: "random_uniform"), [2, 3, 4]);

    [Fact]
    public void LayerNormalizationOverAnInnerAxisGradients() =>
        GradientTests.CheckGradients(new LayerNormalization([3, 4], 1, betaInitializer: "random_normal", gammaInitializer: "random_uniform"), [2, 3, 4]);

    [Fact]
    public void LayerNormalizationOverTwoAxesGradients() =>
        GradientTests.CheckGradients(new LayerNormalization([3, 2, 4], [1, 3], betaInitializer: "random_normal", gammaInitializer: "random_uniform"), [2, 3, 2, 4]);

    [Fact]
    public void SpatialDropout1DWithItsMaskFixedGradients() =>
        GradientTests.CheckGradients(new SpatialDropout1D(0.4), [4, 3, 5], beforeForward: () => manual_seed(11));

    [Fact]
    public void SpatialDropout2DWithItsMaskFixedGradients() =>
        GradientTests.CheckGradients(new SpatialDropout2D(0.4), [4, 2, 3, 5], beforeForward: () => manual_seed(11));

    [Fact]
    public void GaussianNoiseWithItsNoiseFixedGradients() =>
        GradientTests.CheckGradients(new GaussianNoise(0.5), [4, 6], beforeForward: () => manual_seed(11));

    [Fact]
    public void GaussianDropoutWithItsNoiseFixedGradients() =>
        GradientTests.CheckGradients(new GaussianDropout(0.3), [4, 6], beforeForward: () => manual_seed(11));

    [Fact]
    public void NoiseLayersWhenEvaluatingGradients()
    {
        Layer[] layers = [new SpatialDropout1D(0.5), new GaussianNoise(0.5), new GaussianDropout(0.5)];
        foreach (var layer in layers)
        {
            layer.eval();
            GradientTests.CheckGradients(layer, [3, 4, 2]);
        }
    }
}

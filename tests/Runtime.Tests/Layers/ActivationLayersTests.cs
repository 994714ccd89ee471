using ModelDsl.Runtime.Layers;
using TorchSharp;
using static ModelDsl.Runtime.Tests.Layers.LayerTestHelpers;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Layers;

/// <summary>LeakyReLU, PReLU, ReLU, ELU and Softmax layers and the leaky_relu activation against Keras' formulas.</summary>
[Collection(NativeGlobalState.Name)]
public class ActivationLayersTests
{
    private static readonly double[] Points = [-2.5, -1, -0.2, 0, 0.3, 1, 2.4, 4];

    [Fact]
    public void LeakyReluScalesTheNegativePartByItsSlope()
    {
        using var layer = new LeakyRelu();
        Assert.Equal(0.3, layer.NegativeSlope);
        AssertClose(Points.Select(x => x < 0 ? 0.3 * x : x).ToArray(), Read(layer.forward(Doubles(Points, 2, 4))));
        using var gentle = new LeakyRelu(0.05);
        AssertClose([-0.125, -0.05, -0.01, 0, 0.3, 1, 2.4, 4], Read(gentle.forward(Doubles(Points, 8))));
        Assert.Equal(0, layer.WeightCount);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void LeakyReluRejectsABadSlope(double slope)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LeakyRelu(slope));
        Assert.Equal("negativeSlope", error.ParamName);
    }

    [Fact]
    public void LeakyReluIsAnActivationNameWithKerasSlope()
    {
        Assert.Equal(Activation.LeakyRelu, Activations.Parse("leaky_relu"));
        Assert.Equal("leaky_relu", Activation.LeakyRelu.KerasName());
        Assert.Contains("leaky_relu", Activations.Names);
        var output = Read(Activation.LeakyRelu.Apply(Doubles(Points, 8)));
        // keras.activations.leaky_relu's default slope is 0.2, not the layer's 0.3.
        AssertClose(Points.Select(x => x < 0 ? 0.2 * x : x).ToArray(), output);
        using var layer = new ActivationLayer(Activation.LeakyRelu);
        AssertClose(output, Read(layer.forward(Doubles(Points, 8))));
    }

    [Fact]
    public void PReluLearnsOneAlphaPerUnsharedElement()
    {
        // One sample is (2, 3); axis 1 shared: one alpha per channel.
        using var layer = new PRelu([2, 3], sharedAxes: [1]);
        layer.to(ScalarType.Float64);
        Assert.Equal(new long[] { 1, 3 }, layer.Alpha.shape);
        Assert.Equal(3, layer.WeightCount);
        Assert.Equal("alpha", Assert.Single(layer.Weights()).Name);
        // Keras' default initializer is zeros: a plain ReLU until trained.
        var x = Doubles([-1, 2, -3, 4, -5, -6], 1, 2, 3);
        AssertClose([0, 2, 0, 4, 0, 0], Read(layer.forward(x)));

        Assign(layer.Alpha, [0.1, 0.2, 0.3]);
        AssertClose([-0.1, 2, -0.9, 4, -1.0, -1.8], Read(layer.forward(x)), 1e-15);
    }

    [Fact]
    public void PReluWithoutSharedAxesHasAnAlphaPerElement()
    {
        using var layer = new PRelu([4, 2, 3], alphaInitializer: "ones");
        Assert.Equal(new long[] { 4, 2, 3 }, layer.Alpha.shape);
        Assert.Equal(24, layer.WeightCount);
        var x = randn(5, 4, 2, 3);
        // alpha = 1 everywhere: the identity.
        AssertClose(Read(x), Read(layer.forward(x)), 1e-7);
        using var spatial = new PRelu([7, 5, 3], sharedAxes: [1, 2]);
        Assert.Equal(new long[] { 1, 1, 3 }, spatial.Alpha.shape);
    }

    [Fact]
    public void PReluNeedsFixedSizesWhereItLearnsAlphas()
    {
        // A variable-length axis (None) is fine when shared, and the layer then takes any length there.
        using var layer = new PRelu([null, 4], sharedAxes: [1]);
        Assert.Equal(new long[] { 1, 4 }, layer.Alpha.shape);
        Assert.Equal(new long[] { 2, 9, 4 }, layer.forward(randn(2, 9, 4)).shape);
        Assert.Equal(new long[] { 2, 3, 4 }, layer.forward(randn(2, 3, 4)).shape);

        var unshared = Assert.Throws<ArgumentException>(() => new PRelu([null, 4]));
        Assert.Equal("inputShape", unshared.ParamName);
        Assert.Contains("None", unshared.Message);
        Assert.Equal("sharedAxes", Assert.Throws<ArgumentOutOfRangeException>(() => new PRelu([3, 4], sharedAxes: [0])).ParamName);
        Assert.Equal("sharedAxes", Assert.Throws<ArgumentOutOfRangeException>(() => new PRelu([3, 4], sharedAxes: [3])).ParamName);
        Assert.Equal("inputShape", Assert.Throws<ArgumentException>(() => new PRelu([])).ParamName);
        Assert.Throws<ArgumentException>(() => new PRelu([3, 4], alphaInitializer: "nope"));
        // An input that does not fit the alphas is a clear error, not libtorch's broadcast failure.
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => layer.forward(randn(2, 3, 5))).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => layer.forward(randn(2, 4))).ParamName);
    }

    public static TheoryData<double?, double, double, double[], double[]> ReluCases => new()
    {
        // Keras' documented examples.
        { null, 0, 0, [-3, -1, 0, 2], [0, 0, 0, 2] },
        { 1.0, 0, 0, [-3, -1, 0, 2], [0, 0, 0, 1] },
        { null, 1.0, 0, [-3, -1, 0, 2], [-3, -1, 0, 2] },
        { null, 0, 1.5, [-3, -1, 1, 2], [0, 0, 0, 2] },
        { 10.0, 0.5, 0, [-10, -5, 0, 5, 10, 12], [-5, -2.5, 0, 5, 10, 10] },
        // Below the threshold the slope applies to x - threshold; above it x itself is kept (a step at 1).
        { null, 0.5, 1, [0, 0.5, 1, 2], [-0.5, -0.25, 0, 2] },
        { 1.5, 0.5, 1, [-1, 1.2, 1.8], [-1, 1.2, 1.5] },
    };

    [Theory]
    [MemberData(nameof(ReluCases))]
    public void ReluFollowsKerasFormula(double? maxValue, double negativeSlope, double threshold, double[] x, double[] expected)
    {
        using var layer = new Relu(maxValue, negativeSlope, threshold);
        Assert.Equal((maxValue, negativeSlope, threshold), (layer.MaxValue, layer.NegativeSlope, layer.Threshold));
        AssertClose(expected, Read(layer.forward(Doubles(x, 1, x.Length))), 1e-15);
    }

    [Theory]
    [InlineData(-1.0, 0, 0, "maxValue")]
    [InlineData(null, -0.5, 0, "negativeSlope")]
    [InlineData(null, 0, -0.5, "threshold")]
    [InlineData(null, double.NaN, 0, "negativeSlope")]
    public void ReluRejectsNegativeArguments(double? maxValue, double negativeSlope, double threshold, string parameter)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Relu(maxValue, negativeSlope, threshold));
        Assert.Equal(parameter, error.ParamName);
    }

    [Fact]
    public void EluScalesTheExponentialPartByAlpha()
    {
        using var standard = new Elu();
        Assert.Equal(1.0, standard.Alpha);
        AssertClose(Points.Select(x => x > 0 ? x : Math.Exp(x) - 1).ToArray(), Read(standard.forward(Doubles(Points, 8))));
        using var half = new Elu(0.5);
        AssertClose(Points.Select(x => x > 0 ? x : 0.5 * (Math.Exp(x) - 1)).ToArray(), Read(half.forward(Doubles(Points, 2, 2, 2))));
        Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => new Elu(double.NaN)).ParamName);
    }

    [Fact]
    public void SoftmaxNormalizesOverItsAxis()
    {
        var x = Doubles(Points[..6], 1, 2, 3);
        using var last = new Softmax();
        var rows = Points[..6].Chunk(3).SelectMany(r => r.Select(v => Math.Exp(v) / r.Sum(Math.Exp))).ToArray();
        AssertClose(rows, Read(last.forward(x)));

        // Axis 1 of (1, 2, 3): each column of two.
        using var columns = new Softmax(axis: 1);
        var output = Read(columns.forward(x));
        for (var c = 0; c < 3; c++)
        {
            double a = Points[c], b = Points[3 + c];
            Assert.Equal(Math.Exp(a) / (Math.Exp(a) + Math.Exp(b)), output[c], 12);
            Assert.Equal(1.0, output[c] + output[3 + c], 12);
        }
        using var negative = new Softmax(axis: -2);
        AssertClose(output, Read(negative.forward(x)));
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => new Softmax(axis: 3).forward(x)).ParamName);
        Assert.Throws<ArgumentException>(() => new Softmax(axis: -4).forward(x));
    }

    [Fact]
    public void SoftmaxOverTheLastAxisHandsItsLogitsToTheLoss()
    {
        var x = Doubles(Points, 2, 4);
        using var last = new Softmax();
        Assert.Equal(Activation.Softmax, last.Activation);
        AssertClose(Points, Read(last.ForwardLinear(x)), 0);
        // Over another axis it is no final activation: the linear part is the whole layer.
        using var first = new Softmax(axis: 1);
        Assert.Equal(Activation.Linear, first.Activation);
        AssertClose(Read(first.forward(x)), Read(first.ForwardLinear(x)), 0);
    }

    [Fact]
    public void LeakyReluGradients() => GradientTests.CheckGradients(new LeakyRelu(0.1), [3, 5]);

    [Fact]
    public void LeakyReluActivationGradients() => GradientTests.CheckGradients(new ActivationLayer(Activation.LeakyRelu), [3, 5]);

    [Fact]
    public void PReluGradients()
    {
        var layer = new PRelu([3, 4], alphaInitializer: "random_uniform");
        GradientTests.CheckGradients(layer, [2, 3, 4]);
    }

    [Fact]
    public void PReluWithSharedAxesGradients() => GradientTests.CheckGradients(new PRelu([5, 3], "random_normal", [1]), [4, 5, 3]);

    [Theory]
    [InlineData(null, 0.0, 0.0)]
    [InlineData(0.6, 0.0, 0.0)]
    [InlineData(null, 0.3, 0.0)]
    [InlineData(0.8, 0.2, 0.25)]
    public void ReluGradients(double? maxValue, double negativeSlope, double threshold) =>
        GradientTests.CheckGradients(new Relu(maxValue, negativeSlope, threshold), [4, 5]);

    [Fact]
    public void EluGradients() => GradientTests.CheckGradients(new Elu(0.7), [3, 5]);

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public void SoftmaxGradients(int axis) => GradientTests.CheckGradients(new Softmax(axis), [2, 3, 4]);
}

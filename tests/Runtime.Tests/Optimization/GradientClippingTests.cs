using ModelDsl.Runtime.Optimizers;
using static ModelDsl.Runtime.Tests.Optimization.OptimizerSteps;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Optimization;

/// <summary>Keras 3's clipnorm, global_clipnorm and clipvalue, applied to the gradients before the update.</summary>
public class GradientClippingTests
{
    private static readonly double[] First = [1.0, 2.0];
    private static readonly double[] Second = [-1.0, 0.5];

    // Norms 5 and 0.5; together sqrt(25.25).
    private static readonly double[] Large = [3.0, 4.0];
    private static readonly double[] Small = [0.3, 0.4];

    private static (double[] First, double[] Second) StepOnce(Optimizer optimizer, ScalarType dtype)
    {
        using var first = NewParameter(First, dtype);
        using var second = NewParameter(Second, dtype);
        TakeStep(optimizer, [first, second], Large, Small);
        return (Values(first), Values(second));
    }

    private static void AssertMoved(double[] start, double[] step, double[] actual, ScalarType dtype)
    {
        for (var i = 0; i < start.Length; i++)
            Assert.Equal(start[i] - step[i], actual[i], Tolerance(dtype));
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void ClipnormScalesEachGradientOnItsOwn(ScalarType dtype)
    {
        using var sgd = new Sgd(learningRate: 1, clipnorm: 1);
        var (first, second) = StepOnce(sgd, dtype);
        // [3, 4] has norm 5: scaled by 1/5. [0.3, 0.4] is inside the norm and stays.
        AssertMoved(First, [0.6, 0.8], first, dtype);
        AssertMoved(Second, Small, second, dtype);
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void GlobalClipnormScalesAllGradientsByOneFactor(ScalarType dtype)
    {
        using var sgd = new Sgd(learningRate: 1, globalClipnorm: 1);
        var (first, second) = StepOnce(sgd, dtype);
        var scale = 1 / Math.Sqrt(25.25);
        AssertMoved(First, Large.Select(g => g * scale).ToArray(), first, dtype);
        AssertMoved(Second, Small.Select(g => g * scale).ToArray(), second, dtype);

        // A joint norm within the bound leaves the gradients as they are.
        using var loose = new Sgd(learningRate: 1, globalClipnorm: 6);
        (first, second) = StepOnce(loose, dtype);
        AssertMoved(First, Large, first, dtype);
        AssertMoved(Second, Small, second, dtype);
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void ClipvalueClipsEachElement(ScalarType dtype)
    {
        using var sgd = new Sgd(learningRate: 1, clipvalue: 0.35);
        var (first, second) = StepOnce(sgd, dtype);
        AssertMoved(First, [0.35, 0.35], first, dtype);
        AssertMoved(Second, [0.3, 0.35], second, dtype);
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void TheUpdateSeesTheClippedGradient(ScalarType dtype)
    {
        // SGD with momentum keeps the clipped gradients in its velocity, Adam in its moments.
        using var parameter = NewParameter([1.0, -1.0], dtype);
        using var sgd = new Sgd(learningRate: 0.1, momentum: 0.9, clipnorm: 1);
        TakeStep(sgd, [parameter], [3.0, 4.0]);
        TakeStep(sgd, [parameter], [0.0, 10.0]);
        // Clipped: [0.6, 0.8] then [0, 1]; velocity -0.1 g1, then 0.9 v1 - 0.1 g2.
        double[] v1 = [-0.06, -0.08];
        double[] v2 = [0.9 * v1[0], 0.9 * v1[1] - 0.1];
        var actual = Values(parameter);
        Assert.Equal(1 + v1[0] + v2[0], actual[0], Tolerance(dtype));
        Assert.Equal(-1 + v1[1] + v2[1], actual[1], Tolerance(dtype));

        using var adam = NewParameter([0.5], dtype);
        using var clipped = new Adam(learningRate: 0.1, clipvalue: 0.5);
        TakeStep(clipped, [adam], [2.0]);
        TakeStep(clipped, [adam], [0.2]);
        // Adam's moments of the clipped gradients 0.5 and 0.2.
        var m = 0.9 * 0.05 + 0.1 * 0.2;
        var v = 0.999 * 0.001 * 0.25 + 0.001 * 0.04;
        var first = 0.5 - 0.1 * Math.Sqrt(0.001) / 0.1 * 0.05 / (Math.Sqrt(0.001 * 0.25) + 1e-7);
        var second = first - 0.1 * Math.Sqrt(1 - 0.999 * 0.999) / (1 - 0.81) * m / (Math.Sqrt(v) + 1e-7);
        Assert.Equal(second, Values(adam)[0], Tolerance(dtype));
    }

    [Fact]
    public void TheParametersOwnGradientsStayUnclipped()
    {
        using var parameter = NewParameter(Large);
        using var sgd = new Sgd(learningRate: 1, clipnorm: 1);
        using (var loss = (parameter * tensor(Large)).sum())
            loss.backward();
        sgd.Step([parameter]);
        using var gradient = parameter.grad!;
        Assert.Equal(Large, Values(gradient));
        Assert.Equal(new[] { 3 - 0.6, 4 - 0.8 }, Values(parameter), (a, b) => Math.Abs(a - b) < 1e-14);
    }

    [Fact]
    public void AZeroGradientStaysZeroUnderClipnorm()
    {
        using var parameter = NewParameter([1.0, 2.0]);
        using var sgd = new Sgd(learningRate: 1, clipnorm: 1);
        TakeStep(sgd, [parameter], [0.0, 0.0]);
        Assert.Equal(First, Values(parameter));
    }

    [Fact]
    public void GlobalClipnormSkipsParametersWithoutGradientsAndTurnsAnInfiniteNormIntoNaN()
    {
        using var used = NewParameter([1.0, 2.0]);
        using var unused = NewParameter([5.0]);
        using var sgd = new Sgd(learningRate: 1, globalClipnorm: 1);
        using (var loss = (used * tensor(Large)).sum())
            loss.backward();
        sgd.Step([used, unused]);
        Assert.Equal(new[] { 1 - 0.6, 2 - 0.8 }, Values(used), (a, b) => Math.Abs(a - b) < 1e-14);
        Assert.Equal([5.0], Values(unused));

        // Keras: a non-finite global norm makes the scale NaN, so the step writes NaN rather than a silent half-update.
        using var parameter = NewParameter([1.0, 2.0]);
        using var nan = new Sgd(learningRate: 1, globalClipnorm: 1);
        TakeStep(nan, [parameter], [double.PositiveInfinity, 1.0]);
        Assert.All(Values(parameter), value => Assert.True(double.IsNaN(value)));
    }

    [Fact]
    public void AtMostOneKindOfClippingAsInKeras()
    {
        var error = Assert.Throws<ArgumentException>(() => new Adam(clipnorm: 1, clipvalue: 0.5));
        Assert.Contains("only one of clipnorm, clipvalue and global_clipnorm can be set", error.Message);
        Assert.Contains("clipnorm=1, clipvalue=0.5, global_clipnorm=None", error.Message);
        Assert.Throws<ArgumentException>(() => new Nadam(clipnorm: 1, globalClipnorm: 1));
        Assert.Throws<ArgumentException>(() => new Sgd(clipvalue: 1, globalClipnorm: 1));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void ClippingBoundsMustBePositiveAndFinite(double bound)
    {
        Assert.Equal("clipnorm", Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(clipnorm: bound)).ParamName);
        Assert.Equal("clipvalue", Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad(clipvalue: bound)).ParamName);
        Assert.Equal("globalClipnorm", Assert.Throws<ArgumentOutOfRangeException>(() => new Adadelta(globalClipnorm: bound)).ParamName);
    }

    [Fact]
    public void EveryOptimizerTakesTheClippingArguments()
    {
        Optimizer[] optimizers =
        [
            new Sgd(clipnorm: 1), new RmsProp(clipnorm: 1), new Adam(clipnorm: 1), new AdamW(clipnorm: 1),
            new Nadam(clipnorm: 1), new Adamax(clipnorm: 1), new Adagrad(clipnorm: 1), new Adadelta(clipnorm: 1),
        ];
        Assert.All(optimizers, o => Assert.Equal(1.0, o.Clipnorm));
        Assert.Equal(2.0, new Adamax(clipvalue: 2).Clipvalue);
        Assert.Equal(3.0, new AdamW(globalClipnorm: 3).GlobalClipnorm);
        foreach (var optimizer in optimizers)
            optimizer.Dispose();
    }
}

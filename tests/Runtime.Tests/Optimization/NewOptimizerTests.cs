using ModelDsl.Runtime.Optimizers;
using static ModelDsl.Runtime.Tests.Optimization.OptimizerSteps;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Optimization;

/// <summary>
/// Nadam, Adamax, Adagrad and Adadelta against Keras 3's update rules written out by hand. Float64 parameters take the
/// TorchSharp ops (checked to 1e-14), float32 ones the fused pass over CPU memory (checked to float rounding).
/// </summary>
public class NewOptimizerTests
{
    private static readonly double[] Start = [1.0, -2.0, 0.5];

    // Three steps' gradients: signs flip and sizes swing, so max() and the running means are exercised.
    private static readonly double[][] Gradients = [[0.3, -0.7, 2.0], [-0.1, 0.4, 2.5], [0.05, -1.5, 0.2]];

    private const double Lr = 0.01, Decay = 0.5;

    private static double[] Run(Optimizer optimizer, ScalarType dtype)
    {
        using var parameter = NewParameter(Start, dtype);
        foreach (var gradient in Gradients)
            TakeStep(optimizer, [parameter], gradient);
        Assert.Equal(Gradients.Length, optimizer.Iterations);
        return Values(parameter);
    }

    private static void AssertClose(double[] expected, double[] actual, ScalarType dtype)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], actual[i], Tolerance(dtype));
    }

    // Legacy decay: step t (iterations t - 1 before it) runs at lr / (1 + decay (t - 1)).
    private static double RateAt(int step) => Lr / (1 + Decay * (step - 1));

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void NadamFollowsKerasMomentumSchedule(ScalarType dtype)
    {
        const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-7;
        using var nadam = new Nadam(learningRate: Lr, decay: Decay);
        var actual = Run(nadam, dtype);

        var expected = (double[])Start.Clone();
        var m = new double[3];
        var v = new double[3];
        var product = 1.0;
        for (var t = 1; t <= Gradients.Length; t++)
        {
            var u = Beta1 * (1 - 0.5 * Math.Pow(0.96, t));
            var uNext = Beta1 * (1 - 0.5 * Math.Pow(0.96, t + 1));
            product *= u;
            var productNext = product * uNext;
            for (var i = 0; i < 3; i++)
            {
                var g = Gradients[t - 1][i];
                m[i] = Beta1 * m[i] + (1 - Beta1) * g;
                v[i] = Beta2 * v[i] + (1 - Beta2) * g * g;
                var mHat = uNext * m[i] / (1 - productNext) + (1 - u) * g / (1 - product);
                var vHat = v[i] / (1 - Math.Pow(Beta2, t));
                expected[i] -= RateAt(t) * mHat / (Math.Sqrt(vHat) + Epsilon);
            }
        }
        AssertClose(expected, actual, dtype);
    }

    [Fact]
    public void NadamFirstStepByHand()
    {
        using var parameter = NewParameter([1.0]);
        using var nadam = new Nadam(learningRate: 0.1);
        TakeStep(nadam, [parameter], [2.0]);
        // u1 = 0.9 * (1 - 0.5 * 0.96) = 0.468, u2 = 0.9 * (1 - 0.5 * 0.9216) = 0.48528; m1 = 0.2, v1 = 0.004 so v̂ = 4.
        var mHat = 0.48528 * 0.2 / (1 - 0.468 * 0.48528) + (1 - 0.468) * 2 / (1 - 0.468);
        Assert.Equal(1 - 0.1 * mHat / (2 + 1e-7), Values(parameter)[0], 1e-14);
        Assert.Equal(0.8937212250, Values(parameter)[0], 1e-9);
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void AdamaxFollowsTheInfinityNorm(ScalarType dtype)
    {
        const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-7;
        using var adamax = new Adamax(learningRate: Lr, decay: Decay);
        var actual = Run(adamax, dtype);

        var expected = (double[])Start.Clone();
        var m = new double[3];
        var u = new double[3];
        for (var t = 1; t <= Gradients.Length; t++)
        {
            for (var i = 0; i < 3; i++)
            {
                var g = Gradients[t - 1][i];
                m[i] = Beta1 * m[i] + (1 - Beta1) * g;
                u[i] = Math.Max(Beta2 * u[i], Math.Abs(g));
                expected[i] -= RateAt(t) * m[i] / ((1 - Math.Pow(Beta1, t)) * (u[i] + Epsilon));
            }
        }
        AssertClose(expected, actual, dtype);
    }

    [Fact]
    public void AdamaxFirstStepsByHand()
    {
        using var parameter = NewParameter([1.0]);
        using var adamax = new Adamax(learningRate: 0.1);
        TakeStep(adamax, [parameter], [2.0]);
        // m = 0.2, u = 2: p -= 0.1 * 0.2 / (0.1 * (2 + 1e-7)), about lr.
        Assert.Equal(1 - 0.1 * 0.2 / (0.1 * (2 + 1e-7)), Values(parameter)[0], 1e-14);
        TakeStep(adamax, [parameter], [0.5]);
        // u keeps 0.999 * 2 = 1.998 over |0.5|; m = 0.18 + 0.05 = 0.23; bias correction 1 - 0.81.
        var afterOne = 1 - 0.1 * 0.2 / (0.1 * (2 + 1e-7));
        Assert.Equal(afterOne - 0.1 * 0.23 / (0.19 * (1.998 + 1e-7)), Values(parameter)[0], 1e-14);
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void AdagradAccumulatesFromItsInitialValue(ScalarType dtype)
    {
        const double Initial = 0.1, Epsilon = 1e-7;
        using var adagrad = new Adagrad(learningRate: Lr, decay: Decay);
        var actual = Run(adagrad, dtype);

        var expected = (double[])Start.Clone();
        var accumulator = Enumerable.Repeat(Initial, 3).ToArray();
        for (var t = 1; t <= Gradients.Length; t++)
        {
            for (var i = 0; i < 3; i++)
            {
                var g = Gradients[t - 1][i];
                accumulator[i] += g * g;
                expected[i] -= RateAt(t) * g / Math.Sqrt(accumulator[i] + Epsilon);
            }
        }
        AssertClose(expected, actual, dtype);
    }

    [Fact]
    public void AdagradFirstStepByHand()
    {
        using var parameter = NewParameter([1.0]);
        using var adagrad = new Adagrad(learningRate: 0.1, initialAccumulatorValue: 0.5);
        TakeStep(adagrad, [parameter], [2.0]);
        // a = 0.5 + 4 = 4.5.
        Assert.Equal(1 - 0.1 * 2 / Math.Sqrt(4.5 + 1e-7), Values(parameter)[0], 1e-14);
        Assert.Equal([4.5f], adagrad.ExportState().Slots[0].Values);
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void AdadeltaScalesByTheRunningUpdates(ScalarType dtype)
    {
        // A large rate and epsilon, so the few steps move the parameter above float rounding.
        const double Rho = 0.95, Epsilon = 1e-3, Rate = 10;
        using var adadelta = new Adadelta(learningRate: Rate, epsilon: Epsilon, decay: Decay);
        var actual = Run(adadelta, dtype);

        var expected = (double[])Start.Clone();
        var gradients = new double[3];
        var deltas = new double[3];
        for (var t = 1; t <= Gradients.Length; t++)
        {
            for (var i = 0; i < 3; i++)
            {
                var g = Gradients[t - 1][i];
                gradients[i] = Rho * gradients[i] + (1 - Rho) * g * g;
                var delta = -Math.Sqrt(deltas[i] + Epsilon) * g / Math.Sqrt(gradients[i] + Epsilon);
                deltas[i] = Rho * deltas[i] + (1 - Rho) * delta * delta;
                expected[i] += Rate / (1 + Decay * (t - 1)) * delta;
            }
        }
        AssertClose(expected, actual, dtype);
    }

    [Fact]
    public void AdadeltaFirstStepByHand()
    {
        using var parameter = NewParameter([1.0]);
        using var adadelta = new Adadelta(learningRate: 1.0);
        TakeStep(adadelta, [parameter], [2.0]);
        // a = 0.05 * 4 = 0.2; delta = -sqrt(1e-7) * 2 / sqrt(0.2 + 1e-7); d = 0.05 delta².
        var delta = -Math.Sqrt(1e-7) * 2 / Math.Sqrt(0.2 + 1e-7);
        Assert.Equal(1 + delta, Values(parameter)[0], 1e-14);
        var state = adadelta.ExportState();
        Assert.Equal(0.2f, state.Slots[0].Values[0], 1e-7f);
        Assert.Equal((float)(0.05 * delta * delta), state.Slots[1].Values[0], 1e-12f);
    }

    [Fact]
    public void DefaultsAreKeras3s()
    {
        using var nadam = new Nadam();
        Assert.Equal((0.001, 0.9, 0.999, 1e-7, "nadam"), (nadam.LearningRate, nadam.Beta1, nadam.Beta2, nadam.Epsilon, nadam.Name));
        using var adamax = new Adamax();
        Assert.Equal((0.001, 0.9, 0.999, 1e-7, "adamax"), (adamax.LearningRate, adamax.Beta1, adamax.Beta2, adamax.Epsilon, adamax.Name));
        using var adagrad = new Adagrad();
        Assert.Equal((0.001, 0.1, 1e-7, "adagrad"), (adagrad.LearningRate, adagrad.InitialAccumulatorValue, adagrad.Epsilon, adagrad.Name));
        using var adadelta = new Adadelta();
        Assert.Equal((0.001, 0.95, 1e-7, "adadelta"), (adadelta.LearningRate, adadelta.Rho, adadelta.Epsilon, adadelta.Name));
        foreach (var optimizer in new Optimizer[] { nadam, adamax, adagrad, adadelta })
            Assert.Equal((0.0, (double?)null, (double?)null, (double?)null), (optimizer.Decay, optimizer.Clipnorm, optimizer.Clipvalue, optimizer.GlobalClipnorm));
    }

    [Fact]
    public void BadArgumentsNameTheParameter()
    {
        Assert.Equal("beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new Nadam(beta1: 1)).ParamName);
        Assert.Equal("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => new Nadam(beta2: -0.1)).ParamName);
        Assert.Equal("beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new Adamax(beta1: 1.5)).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new Adamax(epsilon: -1)).ParamName);
        Assert.Equal("initialAccumulatorValue", Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad(initialAccumulatorValue: -0.1)).ParamName);
        Assert.Equal("initialAccumulatorValue", Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad(initialAccumulatorValue: double.NaN)).ParamName);
        Assert.Equal("rho", Assert.Throws<ArgumentOutOfRangeException>(() => new Adadelta(rho: 1.1)).ParamName);
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Adadelta(learningRate: -1)).ParamName);
    }

    public static Optimizer Create(string variant) => variant switch
    {
        // Epsilon large beside the denominators, so its placement shows above float rounding.
        "nadam" => new Nadam(learningRate: 0.01, epsilon: 0.01, decay: 0.1),
        "adamax" => new Adamax(learningRate: 0.01, epsilon: 0.01, decay: 0.1),
        "adagrad" => new Adagrad(learningRate: 0.05, initialAccumulatorValue: 0.2, epsilon: 0.01, decay: 0.1),
        "adadelta" => new Adadelta(learningRate: 5, epsilon: 0.01, decay: 0.1),
        "nadam-clipnorm" => new Nadam(learningRate: 0.01, decay: 0.1, clipnorm: 0.05),
        "adamax-clipvalue" => new Adamax(learningRate: 0.01, decay: 0.1, clipvalue: 0.05),
        "adagrad-global" => new Adagrad(learningRate: 0.05, decay: 0.1, globalClipnorm: 0.1),
        _ => throw new ArgumentException(variant),
    };

    [Theory]
    [InlineData("nadam")]
    [InlineData("adamax")]
    [InlineData("adagrad")]
    [InlineData("adadelta")]
    [InlineData("nadam-clipnorm")]
    [InlineData("adamax-clipvalue")]
    [InlineData("adagrad-global")]
    public void TheFusedPassMatchesTheOps(string variant) => AssertFusedMatchesOps(() => Create(variant));

    [Theory]
    [InlineData("nadam", "m/0 m/1 m/2 v/0 v/1 v/2")]
    [InlineData("adamax", "m/0 m/1 m/2 u/0 u/1 u/2")]
    [InlineData("adagrad", "accumulator/0 accumulator/1 accumulator/2")]
    [InlineData("adadelta", "accumulated_grad/0 accumulated_grad/1 accumulated_grad/2 accumulated_delta_var/0 accumulated_delta_var/1 accumulated_delta_var/2")]
    public void ExportedStateContinuesExactly(string variant, string slotNames)
    {
        var original = NewParameters();
        var restored = NewParameters();
        try
        {
            using var optimizer = Create(variant);
            TakeSteps(optimizer, original, 1, 3);
            var state = optimizer.ExportState();
            Assert.Equal(3, state.Iterations);
            Assert.Equal(variant, state.Optimizer);
            Assert.Equal(slotNames, string.Join(" ", state.Slots.Select(s => s.Name)));

            // A fresh optimizer (Nadam: its momentum product rebuilt from the step count) in place of the first.
            using var resumed = Create(variant);
            for (var i = 0; i < original.Length; i++)
            {
                using var noGrad = no_grad();
                restored[i].copy_(original[i]);
            }
            resumed.ImportState(state, restored);
            resumed.LearningRate = optimizer.LearningRate;
            Assert.Equal(3, resumed.Iterations);
            TakeSteps(optimizer, original, 4, 6);
            TakeSteps(resumed, restored, 4, 6);
            for (var i = 0; i < original.Length; i++)
                Assert.Equal(Values(original[i]), Values(restored[i]));
        }
        finally
        {
            DisposeAll(original.Concat(restored));
        }
    }

    [Fact]
    public void AdagradStateSavedBeforeTheFirstStepStartsAtTheInitialValue()
    {
        var parameters = NewParameters();
        try
        {
            using var fresh = new Adagrad(initialAccumulatorValue: 0.25);
            var empty = fresh.ExportState();
            Assert.Empty(empty.Slots);
            using var adagrad = new Adagrad(initialAccumulatorValue: 0.25);
            adagrad.ImportState(empty, parameters);
            var slots = adagrad.ExportState().Slots;
            Assert.Equal(3, slots.Count);
            Assert.All(slots, slot => Assert.All(slot.Values, value => Assert.Equal(0.25f, value)));
        }
        finally
        {
            DisposeAll(parameters);
        }
    }

    [Fact]
    public void ANadamRewoundToAnEarlierStepRebuildsItsProduct()
    {
        var parameters = NewParameters();
        var again = NewParameters();
        try
        {
            using var nadam = Create("nadam");
            var start = nadam.ExportState();
            TakeSteps(nadam, parameters, 1, 3);
            // Back to step 0 on the same optimizer: the next steps must repeat steps 1 to 3, not continue the product.
            nadam.ImportState(start, again);
            nadam.LearningRate = 0.01;
            TakeSteps(nadam, again, 1, 3);
            for (var i = 0; i < parameters.Length; i++)
                Assert.Equal(Values(parameters[i]), Values(again[i]));
        }
        finally
        {
            DisposeAll(parameters.Concat(again));
        }
    }
}

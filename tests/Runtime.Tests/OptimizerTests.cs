using ModelDsl.Runtime.Optimizers;
using static ModelDsl.Runtime.Tests.Optimization.OptimizerSteps;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests;

/// <summary>
/// Keras' updates by hand. Float64 parameters take the TorchSharp ops (checked to 1e-14), float32 ones the fused pass
/// over CPU memory (checked to float rounding); a float32 comparison of the two paths covers what float rounding hides.
/// </summary>
public class OptimizerTests
{
    private static readonly double[] Start = [1.0, -2.0, 0.5];
    private static readonly double[] Gradient = [0.3, -0.7, 2.0];

    // loss = sum(p * g): its gradient is exactly g at every step. The scope is open around the first step too, where
    // the optimizer makes its slots: they must outlive it.
    private static void TakeStep(Optimizer optimizer, TorchSharp.Modules.Parameter parameter, double[] gradient)
    {
        using var scope = NewDisposeScope();
        (parameter * tensor(gradient).to(parameter.dtype)).sum().backward();
        optimizer.Step([parameter]);
        optimizer.ZeroGrad([parameter]);
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void AdamWithLegacyDecayMatchesKerasFormulaByHand(ScalarType dtype)
    {
        const double Lr = 0.01, Decay = 0.5, Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-7;
        using var parameter = NewParameter(Start, dtype);
        using var adam = new Adam(learningRate: Lr, decay: Decay);

        // Step 1 (iterations = 0, so no decay yet): m = 0.1 g, v = 0.001 g^2,
        // p -= 0.01 * sqrt(0.001) / 0.1 * m / (sqrt(v) + 1e-7) = 0.01 * g sqrt(0.001) / (|g| sqrt(0.001) + 1e-7).
        TakeStep(adam, parameter, Gradient);
        var afterOne = Values(parameter)[0];
        Assert.Equal(1 - 0.01 * 0.3 * Math.Sqrt(0.001) / (0.3 * Math.Sqrt(0.001) + 1e-7), afterOne, Tolerance(dtype));
        // PyTorch's placement would give 0.9900000033: only float64 resolves the difference.
        if (dtype == ScalarType.Float64)
            Assert.Equal(0.9900001054, afterOne, 1e-10);
        Assert.Equal(1, adam.Iterations);
        Assert.Equal(Lr / 1.5, adam.CurrentLearningRate, 1e-15);

        // Steps 2 and 3 with lr / (1 + 0.5 * iterations): 0.01 / 1.5 and 0.01 / 2.
        TakeStep(adam, parameter, Gradient);
        TakeStep(adam, parameter, Gradient);

        var expected = (double[])Start.Clone();
        var m = new double[3];
        var v = new double[3];
        for (var iteration = 0; iteration < 3; iteration++)
        {
            var lr = Lr / (1 + Decay * iteration);
            var t = iteration + 1;
            var alpha = lr * Math.Sqrt(1 - Math.Pow(Beta2, t)) / (1 - Math.Pow(Beta1, t));
            for (var i = 0; i < 3; i++)
            {
                m[i] = Beta1 * m[i] + (1 - Beta1) * Gradient[i];
                v[i] = Beta2 * v[i] + (1 - Beta2) * Gradient[i] * Gradient[i];
                expected[i] -= alpha * m[i] / (Math.Sqrt(v[i]) + Epsilon);
            }
        }
        var actual = Values(parameter);
        for (var i = 0; i < 3; i++)
            Assert.Equal(expected[i], actual[i], Tolerance(dtype));
        Assert.Equal(3, adam.Iterations);
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void AmsgradKeepsTheLargestSecondMoment(ScalarType dtype)
    {
        using var parameter = NewParameter([0.0], dtype);
        using var adam = new Adam(learningRate: 0.1, amsgrad: true);
        TakeStep(adam, parameter, [1.0]);
        var afterOne = Values(parameter)[0];
        TakeStep(adam, parameter, [0.01]);
        // v2 = 0.999 * 0.001 + 0.001 * 0.01^2 = 0.0009991 is below v1 = 0.001, so amsgrad still divides by sqrt(v1).
        var m2 = 0.9 * 0.1 + 0.1 * 0.01;
        var vhat = Math.Max(0.001, 0.999 * 0.001 + 0.001 * 1e-4);
        var alpha = 0.1 * Math.Sqrt(1 - 0.999 * 0.999) / (1 - 0.9 * 0.9);
        Assert.Equal(afterOne - alpha * m2 / (Math.Sqrt(vhat) + 1e-7), Values(parameter)[0], Tolerance(dtype));
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void AdamWDecaysWeightsBeforeTheAdamUpdate(ScalarType dtype)
    {
        using var parameter = NewParameter([2.0], dtype);
        using var adamW = new AdamW(learningRate: 0.1, weightDecay: 0.5);
        TakeStep(adamW, parameter, [1.0]);
        // p = 2 - 2 * 0.5 * 0.1 = 1.9, then the Adam step of about lr * sign(g).
        var adamStep = 0.1 * Math.Sqrt(0.001) / 0.1 * 0.1 / (Math.Sqrt(0.001) + 1e-7);
        Assert.Equal(1.9 - adamStep, Values(parameter)[0], Tolerance(dtype));
    }

    [Theory]
    [InlineData(false, ScalarType.Float64)]
    [InlineData(true, ScalarType.Float64)]
    [InlineData(false, ScalarType.Float32)]
    [InlineData(true, ScalarType.Float32)]
    public void SgdWithMomentum(bool nesterov, ScalarType dtype)
    {
        using var parameter = NewParameter([1.0], dtype);
        using var sgd = new Sgd(learningRate: 0.1, momentum: 0.9, nesterov: nesterov);
        TakeStep(sgd, parameter, [1.0]);
        TakeStep(sgd, parameter, [1.0]);
        // velocity: -0.1, then 0.9 * -0.1 - 0.1 = -0.19.
        var expected = nesterov
            ? 1 + (0.9 * -0.1 - 0.1) + (0.9 * -0.19 - 0.1)
            : 1 - 0.1 - 0.19;
        Assert.Equal(expected, Values(parameter)[0], Tolerance(dtype));
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void PlainSgdAndDecay(ScalarType dtype)
    {
        using var parameter = NewParameter([1.0], dtype);
        using var sgd = new Sgd(learningRate: 0.1, decay: 1.0);
        TakeStep(sgd, parameter, [2.0]);
        TakeStep(sgd, parameter, [2.0]);
        Assert.Equal(1 - 0.2 - 0.1, Values(parameter)[0], Tolerance(dtype));
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void RmsPropWithAndWithoutMomentum(ScalarType dtype)
    {
        using var plain = NewParameter([1.0], dtype);
        using var rms = new RmsProp(learningRate: 0.01);
        TakeStep(rms, plain, [2.0]);
        var ms = 0.1 * 4;
        Assert.Equal(1 - 0.01 * 2 / (Math.Sqrt(ms) + 1e-7), Values(plain)[0], Tolerance(dtype));

        using var withMomentum = NewParameter([1.0], dtype);
        using var rmsMomentum = new RmsProp(learningRate: 0.01, momentum: 0.5);
        TakeStep(rmsMomentum, withMomentum, [2.0]);
        TakeStep(rmsMomentum, withMomentum, [2.0]);
        var ms1 = 0.4;
        var mom1 = 0.01 * 2 / Math.Sqrt(ms1 + 1e-7);
        var ms2 = 0.9 * ms1 + 0.1 * 4;
        var mom2 = 0.5 * mom1 + 0.01 * 2 / Math.Sqrt(ms2 + 1e-7);
        Assert.Equal(1 - mom1 - mom2, Values(withMomentum)[0], Tolerance(dtype));
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void ParametersWithoutGradientsAreLeftAlone(ScalarType dtype)
    {
        using var used = NewParameter([1.0], dtype);
        using var unused = NewParameter([5.0], dtype);
        using var adam = new Adam();
        using (var loss = (used * 3).sum())
            loss.backward();
        adam.Step([used, unused]);
        Assert.Equal(5.0, Values(unused)[0]);
        Assert.NotEqual(1.0, Values(used)[0]);
        Assert.Throws<InvalidOperationException>(() => adam.Step([used]));
    }

    // The fused pass indexes the state with the parameter's offsets: other shapes must fail, not write past it.
    [Fact]
    public void AStepOnParametersOfOtherSizesFails()
    {
        using var first = NewParameter([1.0, 2.0], ScalarType.Float32);
        using var other = NewParameter([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0], ScalarType.Float32);
        using var adam = new Adam();
        TakeStep(adam, first, [1.0, 1.0]);
        Assert.ThrowsAny<Exception>(() => TakeStep(adam, other, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]));
    }

    [Fact]
    public void ClearedGradientsAreNotAddedToTheNextOnes()
    {
        using var parameter = NewParameter(Start, ScalarType.Float32);
        using (var loss = (parameter * 3).sum())
            loss.backward();
        Optimizer.ClearGradients([parameter]);
        using (var grad = parameter.grad)
            Assert.Null(grad);
        using (var loss = (parameter * 2).sum())
            loss.backward();
        using var gradient = parameter.grad;
        Assert.Equal(new[] { 2.0, 2.0, 2.0 }, Values(gradient!));
    }

    private static Optimizer Create(string variant) => variant switch
    {
        // Epsilon is large beside sqrt(v) here, so its placement shows above float rounding.
        "adam" => new Adam(learningRate: 0.01, epsilon: 0.01, decay: 0.1),
        "amsgrad" => new Adam(learningRate: 0.01, epsilon: 0.01, amsgrad: true, decay: 0.1),
        "adamw" => new AdamW(learningRate: 0.01, weightDecay: 0.05, epsilon: 0.01, decay: 0.1),
        "sgd" => new Sgd(learningRate: 0.05, decay: 0.1),
        "sgd-momentum" => new Sgd(learningRate: 0.05, momentum: 0.9, decay: 0.1),
        "sgd-nesterov" => new Sgd(learningRate: 0.05, momentum: 0.9, nesterov: true, decay: 0.1),
        "rmsprop" => new RmsProp(learningRate: 0.01, epsilon: 0.01, decay: 0.1),
        "rmsprop-momentum" => new RmsProp(learningRate: 0.01, momentum: 0.5, epsilon: 0.01, decay: 0.1),
        _ => throw new ArgumentException(variant),
    };

    [Theory]
    [InlineData("adam")]
    [InlineData("amsgrad")]
    [InlineData("adamw")]
    [InlineData("sgd")]
    [InlineData("sgd-momentum")]
    [InlineData("sgd-nesterov")]
    [InlineData("rmsprop")]
    [InlineData("rmsprop-momentum")]
    public void TheFusedPassMatchesTheOps(string variant) => AssertFusedMatchesOps(() => Create(variant));

    [Theory]
    [InlineData("adam", "m/0 m/1 m/2 v/0 v/1 v/2")]
    [InlineData("amsgrad", "m/0 m/1 m/2 v/0 v/1 v/2 vhat/0 vhat/1 vhat/2")]
    [InlineData("sgd", "")]
    [InlineData("sgd-nesterov", "momentum/0 momentum/1 momentum/2")]
    [InlineData("rmsprop-momentum", "rms/0 rms/1 rms/2 momentum/0 momentum/1 momentum/2")]
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
            Assert.Equal(slotNames, string.Join(" ", state.Slots.Select(s => s.Name)));

            using var resumed = Create(variant);
            for (var i = 0; i < original.Length; i++)
            {
                using var noGrad = no_grad();
                restored[i].copy_(original[i]);
            }
            resumed.ImportState(state, restored);
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
    public void MismatchedStateIsRejectedWithAClearMessageAndChangesNothing()
    {
        var parameters = NewParameters();
        try
        {
            using var adam = Create("adam");
            TakeSteps(adam, parameters, 1, 2);
            var state = adam.ExportState();
            var before = adam.ExportState();

            void Rejects(OptimizerState bad, string message)
            {
                var error = Assert.Throws<ArgumentException>(() => adam.ImportState(bad, parameters));
                Assert.Contains(message, error.Message);
            }
            Rejects(state with { Optimizer = "sgd" }, "the state is of a 'sgd' optimizer, not 'adam'");
            Rejects(state with { Slots = state.Slots.Skip(1).ToList() }, "the state has 5 slots; 3 parameters need 6");
            // The last slot: a check that changed the state before it would show below.
            Rejects(state with { Slots = [.. state.Slots.SkipLast(1), state.Slots[^1] with { Name = "w/2" }] }, "the state lacks slot 'v/2'");
            Rejects(state with { Slots = [state.Slots[0] with { Shape = [5, 3] }, .. state.Slots.Skip(1)] },
                "slot 'm/0' has shape [5, 3] but parameter 0 has [3, 5]");
            Rejects(state with { Slots = [state.Slots[0] with { Values = new float[14] }, .. state.Slots.Skip(1)] },
                "slot 'm/0' has 14 values for shape [3, 5]");
            Assert.Throws<ArgumentException>(() => new Sgd().ImportState(state, parameters));

            var after = adam.ExportState();
            Assert.Equal(2, after.Iterations);
            Assert.Equal(before.Slots.Select(s => s.Values), after.Slots.Select(s => s.Values));
        }
        finally
        {
            DisposeAll(parameters);
        }
    }
}

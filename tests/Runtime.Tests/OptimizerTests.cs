using ModelDsl.Runtime.Optimizers;

namespace ModelDsl.Runtime.Tests;

public class OptimizerTests
{
    private static readonly double[] Start = [1.0, -2.0, 0.5];
    private static readonly double[] Gradient = [0.3, -0.7, 2.0];

    // loss = sum(p * g): its gradient is exactly g at every step.
    private static void TakeStep(Optimizer optimizer, Parameter parameter, double[] gradient)
    {
        using var scope = new DisposeScope();
        var loss = (parameter * Tensor.From(gradient)).Sum();
        loss.Backward();
        optimizer.Step([parameter]);
        optimizer.ZeroGrad([parameter]);
    }

    private static Parameter NewParameter(double[] values) => new("w", Tensor.From(values));

    [Fact]
    public void AdamWithLegacyDecayMatchesKerasFormulaByHand()
    {
        const double Lr = 0.01, Decay = 0.5, Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-7;
        using var parameter = NewParameter(Start);
        using var adam = new Adam(learningRate: Lr, decay: Decay);

        // Step 1 (iterations = 0, so no decay yet): m = 0.1 g, v = 0.001 g^2,
        // p -= 0.01 * sqrt(0.001) / 0.1 * m / (sqrt(v) + 1e-7) = 0.01 * g sqrt(0.001) / (|g| sqrt(0.001) + 1e-7).
        TakeStep(adam, parameter, Gradient);
        var afterOne = parameter.ToArray<double>();
        Assert.Equal(1 - 0.01 * 0.3 * Math.Sqrt(0.001) / (0.3 * Math.Sqrt(0.001) + 1e-7), afterOne[0], 15);
        Assert.Equal(0.9900001054, afterOne[0], 10);
        Assert.Equal(1, adam.Iterations);
        Assert.Equal(Lr / 1.5, adam.CurrentLearningRate, 15);

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
        var actual = parameter.ToArray<double>();
        for (var i = 0; i < 3; i++)
            Assert.Equal(expected[i], actual[i], 14);
        Assert.Equal(3, adam.Iterations);
    }

    [Fact]
    public void AmsgradKeepsTheLargestSecondMoment()
    {
        using var parameter = NewParameter([0.0]);
        using var adam = new Adam(learningRate: 0.1, amsgrad: true);
        TakeStep(adam, parameter, [1.0]);
        var afterOne = parameter.ToArray<double>()[0];
        TakeStep(adam, parameter, [0.01]);
        // v2 = 0.999 * 0.001 + 0.001 * 0.01^2 = 0.0009991 is below v1 = 0.001, so amsgrad still divides by sqrt(v1).
        var m2 = 0.9 * 0.1 + 0.1 * 0.01;
        var vhat = Math.Max(0.001, 0.999 * 0.001 + 0.001 * 1e-4);
        var alpha = 0.1 * Math.Sqrt(1 - 0.999 * 0.999) / (1 - 0.9 * 0.9);
        Assert.Equal(afterOne - alpha * m2 / (Math.Sqrt(vhat) + 1e-7), parameter.ToArray<double>()[0], 14);
    }

    [Fact]
    public void AdamWDecaysWeightsBeforeTheAdamUpdate()
    {
        using var parameter = NewParameter([2.0]);
        using var adamW = new AdamW(learningRate: 0.1, weightDecay: 0.5);
        TakeStep(adamW, parameter, [1.0]);
        // p = 2 - 2 * 0.5 * 0.1 = 1.9, then the Adam step of about lr * sign(g).
        var adamStep = 0.1 * Math.Sqrt(0.001) / 0.1 * 0.1 / (Math.Sqrt(0.001) + 1e-7);
        Assert.Equal(1.9 - adamStep, parameter.ToArray<double>()[0], 14);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SgdWithMomentum(bool nesterov)
    {
        using var parameter = NewParameter([1.0]);
        using var sgd = new Sgd(learningRate: 0.1, momentum: 0.9, nesterov: nesterov);
        TakeStep(sgd, parameter, [1.0]);
        TakeStep(sgd, parameter, [1.0]);
        // velocity: -0.1, then 0.9 * -0.1 - 0.1 = -0.19.
        var expected = nesterov
            ? 1 + (0.9 * -0.1 - 0.1) + (0.9 * -0.19 - 0.1)
            : 1 - 0.1 - 0.19;
        Assert.Equal(expected, parameter.ToArray<double>()[0], 14);
    }

    [Fact]
    public void PlainSgdAndDecay()
    {
        using var parameter = NewParameter([1.0]);
        using var sgd = new Sgd(learningRate: 0.1, decay: 1.0);
        TakeStep(sgd, parameter, [2.0]);
        TakeStep(sgd, parameter, [2.0]);
        Assert.Equal(1 - 0.2 - 0.1, parameter.ToArray<double>()[0], 14);
    }

    [Fact]
    public void RmsPropWithAndWithoutMomentum()
    {
        using var plain = NewParameter([1.0]);
        using var rms = new RmsProp(learningRate: 0.01);
        TakeStep(rms, plain, [2.0]);
        var ms = 0.1 * 4;
        Assert.Equal(1 - 0.01 * 2 / (Math.Sqrt(ms) + 1e-7), plain.ToArray<double>()[0], 14);

        using var withMomentum = NewParameter([1.0]);
        using var rmsMomentum = new RmsProp(learningRate: 0.01, momentum: 0.5);
        TakeStep(rmsMomentum, withMomentum, [2.0]);
        TakeStep(rmsMomentum, withMomentum, [2.0]);
        var ms1 = 0.4;
        var mom1 = 0.01 * 2 / Math.Sqrt(ms1 + 1e-7);
        var ms2 = 0.9 * ms1 + 0.1 * 4;
        var mom2 = 0.5 * mom1 + 0.01 * 2 / Math.Sqrt(ms2 + 1e-7);
        Assert.Equal(1 - mom1 - mom2, withMomentum.ToArray<double>()[0], 14);
    }

    [Fact]
    public void ParametersWithoutGradientsAreLeftAlone()
    {
        using var used = NewParameter([1.0]);
        using var unused = NewParameter([5.0]);
        using var adam = new Adam();
        using (var loss = (used * 3).Sum())
            loss.Backward();
        adam.Step([used, unused]);
        Assert.Equal(5.0, unused.ToArray<double>()[0]);
        Assert.NotEqual(1.0, used.ToArray<double>()[0]);
        Assert.Throws<InvalidOperationException>(() => adam.Step([used]));
    }

    [Fact]
    public void ExportedStateContinuesExactly()
    {
        using var original = new Parameter("w", Tensor.From(new float[] { 1, -2, 0.5f }));
        using var adam = new Adam(learningRate: 0.01, decay: 0.1);
        float[] Gradients(int step) => [0.3f * step, -0.7f, 2.0f / step];
        for (var step = 1; step <= 3; step++)
            TakeStep(adam, original, Gradients(step).Select(v => (double)v).ToArray());

        var state = adam.ExportState();
        Assert.Equal(3, state.Iterations);
        Assert.Equal(["m/0", "v/0"], state.Slots.Select(s => s.Name));

        using var restored = new Parameter("w", Tensor.From(original.ToArray<float>()));
        using var resumed = new Adam(learningRate: 0.01, decay: 0.1);
        resumed.ImportState(state, [restored]);
        Assert.Equal(3, resumed.Iterations);
        for (var step = 4; step <= 5; step++)
        {
            var gradient = Gradients(step).Select(v => (double)v).ToArray();
            TakeStep(adam, original, gradient);
            TakeStep(resumed, restored, gradient);
        }
        Assert.Equal(original.ToArray<float>(), restored.ToArray<float>());

        Assert.Throws<ArgumentException>(() => new Sgd().ImportState(state, [restored]));
    }

    // The CUDA-graph path's updates (counter and rate in device tensors, advanced there) run on the CPU: each must give
    // its eager update's numbers, also across a learning-rate change and an eager step in between (a partial batch).
    [Theory]
    [InlineData("adam")]
    [InlineData("amsgrad")]
    [InlineData("adamw")]
    [InlineData("sgd")]
    [InlineData("sgd-momentum")]
    [InlineData("sgd-nesterov")]
    [InlineData("rmsprop")]
    [InlineData("rmsprop-momentum")]
    public void TheDeviceSideStepMatchesTheEagerStep(string variant)
    {
        Optimizer Create() => variant switch
        {
            "adam" => new Adam(learningRate: 0.01, decay: 0.1),
            "amsgrad" => new Adam(learningRate: 0.01, amsgrad: true, decay: 0.1),
            "adamw" => new AdamW(learningRate: 0.01, weightDecay: 0.05, decay: 0.1),
            "sgd" => new Sgd(learningRate: 0.05, decay: 0.1),
            "sgd-momentum" => new Sgd(learningRate: 0.05, momentum: 0.9, decay: 0.1),
            "sgd-nesterov" => new Sgd(learningRate: 0.05, momentum: 0.9, nesterov: true, decay: 0.1),
            "rmsprop" => new RmsProp(learningRate: 0.01, decay: 0.1),
            "rmsprop-momentum" => new RmsProp(learningRate: 0.01, momentum: 0.5, decay: 0.1),
            _ => throw new ArgumentException(variant),
        };
        double[] Gradients(int step) => [0.3 * step, -0.7 / step, 2.0 - step];
        void TakeDeviceStep(Optimizer optimizer, Parameter parameter, double[] gradient)
        {
            using var scope = new DisposeScope();
            (parameter * Tensor.From(gradient)).Sum().Backward();
            optimizer.SyncDeviceState(Device.Cpu);
            optimizer.StepOnDevice([parameter]);
            optimizer.CountDeviceStep();
            optimizer.ZeroGrad([parameter]);
        }

        using var eagerParameter = NewParameter(Start);
        using var deviceParameter = NewParameter(Start);
        using var eager = Create();
        using var onDevice = Create();
        for (var step = 1; step <= 7; step++)
        {
            if (step == 4)
                eager.LearningRate = onDevice.LearningRate = 0.002;
            TakeStep(eager, eagerParameter, Gradients(step));
            // The first step is eager on both (it makes the slots); so is step 5.
            if (step is 1 or 5)
                TakeStep(onDevice, deviceParameter, Gradients(step));
            else
                TakeDeviceStep(onDevice, deviceParameter, Gradients(step));
        }

        Assert.Equal(7, onDevice.Iterations);
        var expected = eagerParameter.ToArray<double>();
        var actual = deviceParameter.ToArray<double>();
        Assert.NotEqual(Start, actual);
        for (var i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], actual[i], 14);
    }

    [Fact]
    public void ADeviceStepNeedsTheStateOfAnEagerStep()
    {
        using var parameter = NewParameter(Start);
        using var adam = new Adam();
        var error = Assert.Throws<InvalidOperationException>(() => adam.StepOnDevice([parameter]));
        Assert.Contains("needs the optimizer state of an eager step", error.Message);
    }
}

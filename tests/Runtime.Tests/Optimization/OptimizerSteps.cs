using ModelDsl.Runtime.Optimizers;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Optimization;

/// <summary>Steps on hand-picked gradients, shared by the optimizer tests of this folder.</summary>
internal static class OptimizerSteps
{
    public static double Tolerance(ScalarType dtype) => dtype == ScalarType.Float64 ? 1e-14 : 1e-6;

    // TorchSharp.Modules stays unimported: its Adam and OptimizerState would clash with ours.
    public static TorchSharp.Modules.Parameter NewParameter(double[] values, ScalarType dtype = ScalarType.Float64) =>
        nn.Parameter(tensor(values, dtype: dtype));

    public static double[] Values(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        return tensor.to(ScalarType.Float64).data<double>().ToArray();
    }

    /// <summary>
    /// One step whose gradient is exactly <paramref name="gradients"/>[i] for parameter i (loss = Σ sum(p_i * g_i)). The
    /// scope is open around the first step too, where the optimizer makes its slots: they must outlive it.
    /// </summary>
    public static void TakeStep(Optimizer optimizer, IReadOnlyList<TorchSharp.Modules.Parameter> parameters, params double[][] gradients)
    {
        using var scope = NewDisposeScope();
        parameters.Select((p, i) => (p * tensor(gradients[i]).to(p.dtype)).sum()).Aggregate((a, b) => a + b).backward();
        optimizer.Step(parameters.ToList());
        optimizer.ZeroGrad(parameters.ToList());
    }

    // Sizes with and without a vector-wide body and a scalar tail.
    public static readonly long[][] Shapes = [[3, 5], [37], [2]];

    public static TorchSharp.Modules.Parameter[] NewParameters() =>
        Shapes.Select((shape, i) => nn.Parameter(tensor(
            Enumerable.Range(0, (int)shape.Aggregate((a, b) => a * b)).Select(k => MathF.Sin(0.9f * k + i)).ToArray(), shape))).ToArray();

    /// <summary>
    /// Gradients whose size swings from step to step, of both signs (AMSGrad's maximum then keeps an older v); the rate
    /// drops at step 4.
    /// </summary>
    public static void TakeSteps(Optimizer optimizer, TorchSharp.Modules.Parameter[] parameters, int from, int to)
    {
        for (var step = from; step <= to; step++)
        {
            using var scope = NewDisposeScope();
            if (step == 4)
                optimizer.LearningRate /= 5;
            var loss = parameters.Select((p, i) => (p * (sin(arange(p.numel(), dtype: ScalarType.Float32).reshape(p.shape) * 1.7 + step + i) * (0.3 / (step % 3 + 1)))).sum())
                .Aggregate((a, b) => a + b);
            loss.backward();
            optimizer.Step(parameters);
            optimizer.ZeroGrad(parameters);
        }
    }

    /// <summary>Seven steps of the fused CPU pass and of the TorchSharp ops, from the same start, agree to float rounding.</summary>
    public static void AssertFusedMatchesOps(Func<Optimizer> create)
    {
        var fusedParameters = NewParameters();
        var opParameters = NewParameters();
        try
        {
            using var fused = create();
            using var ops = create();
            ops.FusedCpuKernels = false;
            var start = fusedParameters.Select(Values).ToArray();
            TakeSteps(fused, fusedParameters, 1, 7);
            TakeSteps(ops, opParameters, 1, 7);
            for (var i = 0; i < Shapes.Length; i++)
            {
                var expected = Values(opParameters[i]);
                var actual = Values(fusedParameters[i]);
                Assert.NotEqual(start[i], actual);
                for (var k = 0; k < expected.Length; k++)
                    Assert.Equal(expected[k], actual[k], 1e-6);
            }
        }
        finally
        {
            DisposeAll(fusedParameters.Concat(opParameters));
        }
    }

    public static void DisposeAll(IEnumerable<TorchSharp.Modules.Parameter> parameters)
    {
        foreach (var parameter in parameters)
            parameter.Dispose();
    }
}

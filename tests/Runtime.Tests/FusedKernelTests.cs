using ModelDsl.Runtime.Layers;
using ModelDsl.Runtime.Optimizers;

namespace ModelDsl.Runtime.Tests;

/// <summary>
/// The hand-fused CPU kernels (whole-sequence LSTM with its own backpropagation through time, single-pass Adam)
/// against the plain libtorch composition they replace (<see cref="Torch.FusedKernels"/> off): forward outputs and
/// every gradient agree to 1e-5 in float32. Runs alone: it reseeds the shared generator.
/// </summary>
[Collection(NativeGlobalState.Name)]
public class FusedKernelTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<Activation, Activation, bool> LstmCases => new()
    {
        { Activation.Relu, Activation.Sigmoid, true },
        { Activation.Relu, Activation.Sigmoid, false },
        { Activation.Relu, Activation.HardSigmoid, true },
        { Activation.Tanh, Activation.Sigmoid, true },
        { Activation.Tanh, Activation.Sigmoid, false },
        { Activation.Tanh, Activation.HardSigmoid, false },
        { Activation.Sigmoid, Activation.Sigmoid, true },
        { Activation.Linear, Activation.Sigmoid, false },
        { Activation.HardSigmoid, Activation.HardSigmoid, true },
    };

    [Theory]
    [MemberData(nameof(LstmCases))]
    public void FusedLstmMatchesTheCellLoop(Activation activation, Activation recurrentActivation, bool returnSequences)
    {
        var fused = LstmRun(activation, recurrentActivation, returnSequences, fusedKernels: true);
        var plain = LstmRun(activation, recurrentActivation, returnSequences, fusedKernels: false);
        Assert.Equal(plain.Keys.Order(), fused.Keys.Order());
        foreach (var (name, expected) in plain)
            AssertClose(expected, fused[name], name);
    }

    [Fact]
    public void FusedLstmMatchesOnTheReferenceModelsShapesAndRealScale()
    {
        // The reference model's first layer at its size (28 steps, 128 units), inputs in [0, 1] like rescaled pixels.
        var fused = LstmRun(Activation.Relu, Activation.Sigmoid, true, fusedKernels: true, batch: 8, time: 28, features: 28, units: 128, low: 0);
        var plain = LstmRun(Activation.Relu, Activation.Sigmoid, true, fusedKernels: false, batch: 8, time: 28, features: 28, units: 128, low: 0);
        foreach (var (name, expected) in plain)
            AssertClose(expected, fused[name], name);
    }

    [Fact]
    public void FusedLstmRunsWithoutGradients()
    {
        Torch.ManualSeed(3);
        using var layer = new Lstm(5, 6, Activation.Tanh, returnSequences: true);
        using var input = Tensor.Uniform([3, 4, 5], -1, 1);
        float[] expected, actual;
        using (new NoGradScope())
        {
            Torch.FusedKernels = false;
            try
            {
                using var plain = layer.Forward(input);
                expected = plain.ToArray<float>();
            }
            finally
            {
                Torch.FusedKernels = true;
            }
            using var fused = layer.Forward(input);
            actual = fused.ToArray<float>();
        }
        AssertClose(expected, actual, "output");
    }

    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(true, 0.0)]
    [InlineData(false, 0.01)]
    public void FusedAdamMatchesTheOpByOpUpdate(bool amsgrad, double weightDecay)
    {
        var fused = AdamRun(amsgrad, weightDecay, fusedKernels: true);
        var plain = AdamRun(amsgrad, weightDecay, fusedKernels: false);
        AssertClose(plain, fused, "parameters after 5 steps");
    }

    private static Dictionary<string, float[]> LstmRun(Activation activation, Activation recurrentActivation, bool returnSequences,
        bool fusedKernels, int batch = 3, int time = 5, int features = 4, int units = 6, double low = -1)
    {
        Torch.FusedKernels = fusedKernels;
        try
        {
            Torch.ManualSeed(11);
            using var layer = new Lstm(features, units, activation, recurrentActivation, returnSequences);
            using var input = Tensor.Uniform([batch, time, features], low, 1).WithRequiresGrad();
            using var output = layer.Forward(input);
            using var projection = Tensor.Uniform(output.Shape, -1, 1);
            using (var product = output * projection)
            using (var sum = product.Sum())
                sum.Backward();
            var results = new Dictionary<string, float[]> { ["output"] = output.ToArray<float>() };
            foreach (var (name, parameter) in layer.NamedParameters())
            {
                using var grad = parameter.Grad!;
                results["grad " + name] = grad.ToArray<float>();
            }
            using (var inputGrad = input.Grad!)
                results["grad input"] = inputGrad.ToArray<float>();
            return results;
        }
        finally
        {
            Torch.FusedKernels = true;
        }
    }

    private static float[] AdamRun(bool amsgrad, double weightDecay, bool fusedKernels)
    {
        Torch.FusedKernels = fusedKernels;
        try
        {
            Torch.ManualSeed(5);
            using var layer = new Dense(7, 9, Activation.Tanh);
            using var input = Tensor.Uniform([4, 7], -1, 1);
            using Optimizer adam = weightDecay > 0 ? new AdamW(0.01, weightDecay, amsgrad: amsgrad) : new Adam(0.01, amsgrad: amsgrad);
            var parameters = layer.TrainableParameters();
            for (var step = 0; step < 5; step++)
            {
                Optimizer.ClearGradients(parameters);
                using (var output = layer.Forward(input))
                using (var squared = output * output)
                using (var loss = squared.Sum())
                    loss.Backward();
                adam.Step(parameters);
            }
            return parameters.SelectMany(p => p.ToArray<float>()).ToArray();
        }
        finally
        {
            Torch.FusedKernels = true;
        }
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var error = Math.Abs(expected[i] - actual[i]) / Math.Max(1.0, Math.Abs(expected[i]));
            Assert.True(error <= Tolerance, $"{what}[{i}]: fused {actual[i]} vs plain {expected[i]} (relative error {error:E2})");
        }
    }
}

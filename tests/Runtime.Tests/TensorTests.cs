using ModelDsl.Runtime.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests;

/// <summary>
/// What ModelDsl adds around TorchSharp's tensors: Keras' initializers, device names, and layers that free what
/// they make inside a dispose scope. Runs alone: the seed test reseeds the shared generator.
/// </summary>
[Collection(NativeGlobalState.Name)]
public class TensorTests
{
    [Fact]
    public void FansFollowKeras()
    {
        Assert.Equal((1.0, 1.0), Initializers.Fans([]));
        Assert.Equal((7.0, 7.0), Initializers.Fans([7]));
        Assert.Equal((3.0, 4.0), Initializers.Fans([3, 4]));
        // Convolution kernels (k..., in, out): the receptive field multiplies both.
        Assert.Equal((3.0 * 4, 3.0 * 5), Initializers.Fans([3, 4, 5]));
        Assert.Equal((2.0 * 3 * 4, 2.0 * 3 * 5), Initializers.Fans([2, 3, 4, 5]));
    }

    // A conv kernel (5, 5, 40, 60): fan_in = 25 * 40 = 1000, fan_out = 25 * 60 = 1500, 60000 draws.
    private static readonly long[] ConvShape = [5, 5, 40, 60];
    private const double FanIn = 1000, FanOut = 1500;

    // Keras' truncated normal divides the stddev by the std of a unit normal cut at +-2, so the draws keep the target.
    private const double TruncatedStd = 0.87962566103423978;

    /// <summary>Name, the standard deviation of the draws, the bound no draw passes (0: none).</summary>
    public static TheoryData<string, double, double> Distributions => new()
    {
        { "glorot_uniform", Math.Sqrt(6 / (FanIn + FanOut)) / Math.Sqrt(3), Math.Sqrt(6 / (FanIn + FanOut)) },
        { "he_uniform", Math.Sqrt(6 / FanIn) / Math.Sqrt(3), Math.Sqrt(6 / FanIn) },
        { "lecun_uniform", Math.Sqrt(3 / FanIn) / Math.Sqrt(3), Math.Sqrt(3 / FanIn) },
        { "random_uniform", 0.05 / Math.Sqrt(3), 0.05 },
        { "uniform", 0.05 / Math.Sqrt(3), 0.05 },
        { "glorot_normal", Math.Sqrt(2 / (FanIn + FanOut)), 2 * Math.Sqrt(2 / (FanIn + FanOut)) / TruncatedStd },
        { "he_normal", Math.Sqrt(2 / FanIn), 2 * Math.Sqrt(2 / FanIn) / TruncatedStd },
        { "lecun_normal", Math.Sqrt(1 / FanIn), 2 * Math.Sqrt(1 / FanIn) / TruncatedStd },
        { "truncated_normal", 0.05 * TruncatedStd, 0.1 },
        { "random_normal", 0.05, 0 },
    };

    [Theory]
    [MemberData(nameof(Distributions))]
    public void InitializersDrawKerasDistributions(string name, double std, double bound)
    {
        var weights = Initializers.Create(name, ConvShape);
        Assert.Equal(ConvShape, weights.shape);
        Assert.Equal(ScalarType.Float32, weights.dtype);
        Assert.False(weights.requires_grad);
        var values = weights.data<float>().ToArray().Select(v => (double)v).ToArray();

        Assert.InRange(values.Average(), -0.02 * std, 0.02 * std);
        var measured = Math.Sqrt(values.Select(v => v * v).Average());
        Assert.InRange(measured, 0.98 * std, 1.02 * std);
        var largest = values.Max(Math.Abs);
        if (bound > 0)
        {
            // Within the bound, and reaching close to it: the limit is Keras', neither tighter nor looser.
            Assert.InRange(largest, 0.95 * bound, bound * (1 + 1e-6));
        }
        else
        {
            // Untruncated: about 4.6% of a normal's draws lie beyond two standard deviations.
            Assert.InRange(values.Count(v => Math.Abs(v) > 2 * std) / (double)values.Length, 0.035, 0.055);
        }
    }

    [Fact]
    public void ConstantInitializersAndDtypes()
    {
        Assert.All(Initializers.Create("zeros", [3, 2]).data<float>().ToArray(), v => Assert.Equal(0f, v));
        Assert.All(Initializers.Create("ones", [4]).data<float>().ToArray(), v => Assert.Equal(1f, v));
        foreach (var name in Initializers.Names)
        {
            var weights = Initializers.Create(name, [4, 3], ScalarType.Float64);
            Assert.Equal(ScalarType.Float64, weights.dtype);
            Assert.Equal(new long[] { 4, 3 }, weights.shape);
            Assert.Equal(DeviceType.CPU, weights.device_type);
            Assert.True(Initializers.IsKnown(name));
        }
        Assert.False(Initializers.IsKnown("glorot"));
        var error = Assert.Throws<ArgumentException>(() => Initializers.Create("glorot", [2, 2]));
        Assert.Contains("glorot_uniform", error.Message);
    }

    private static double[,] Gram(Tensor matrix, bool ofRows)
    {
        var m = matrix.to(ScalarType.Float64);
        var product = ofRows ? m.mm(m.t()) : m.t().mm(m);
        var n = (int)product.shape[0];
        var values = product.data<double>().ToArray();
        var gram = new double[n, n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                gram[i, j] = values[i * n + j];
        return gram;
    }

    private static void AssertIdentity(double[,] gram, double tolerance)
    {
        for (var i = 0; i < gram.GetLength(0); i++)
            for (var j = 0; j < gram.GetLength(1); j++)
                Assert.True(Math.Abs(gram[i, j] - (i == j ? 1 : 0)) <= tolerance, $"[{i}, {j}] = {gram[i, j]:R}");
    }

    [Fact]
    public void OrthogonalIsOrthonormalAlongTheShorterSide()
    {
        // Wide (16, 64), as an LSTM's recurrent kernel: orthonormal rows.
        AssertIdentity(Gram(Initializers.Create("orthogonal", [16, 64]), ofRows: true), 1e-5);
        // Tall: orthonormal columns.
        AssertIdentity(Gram(Initializers.Create("orthogonal", [64, 16]), ofRows: false), 1e-5);
        // Square, in float64: both, to float64 precision.
        var square = Initializers.Create("orthogonal", [8, 8], ScalarType.Float64);
        AssertIdentity(Gram(square, ofRows: true), 1e-12);
        AssertIdentity(Gram(square, ofRows: false), 1e-12);
        // Keras flattens every axis but the last into rows: (3, 4, 5) is a (12, 5) matrix with orthonormal columns.
        var conv = Initializers.Create("orthogonal", [3, 4, 5]);
        Assert.Equal(new long[] { 3, 4, 5 }, conv.shape);
        AssertIdentity(Gram(conv.reshape(12, 5), ofRows: false), 1e-5);

        Assert.Throws<ArgumentException>(() => Initializers.Create("orthogonal", [5]));
    }

    [Fact]
    public void TheSeedFixesEveryInitializer()
    {
        double[] Draw(int seed, string name)
        {
            manual_seed(seed);
            return Initializers.Create(name, [6, 5], ScalarType.Float64).data<double>().ToArray();
        }

        foreach (var name in Initializers.Names.Except(["zeros", "ones"]))
        {
            Assert.Equal(Draw(42, name), Draw(42, name));
            Assert.NotEqual(Draw(42, name), Draw(43, name));
        }
    }

    [Fact]
    public void DeviceNamesParse()
    {
        Assert.Equal(DeviceType.CPU, Devices.Parse("cpu").type);
        Assert.Equal(DeviceType.CPU, Devices.Parse(" CPU ").type);
        foreach (var (text, index) in new[] { ("cuda", 0), ("gpu", 0), ("cuda:0", 0), ("cuda:1", 1), ("CUDA:3", 3) })
        {
            var device = Devices.Parse(text);
            Assert.Equal(DeviceType.CUDA, device.type);
            Assert.Equal(index, device.index);
        }
        foreach (var text in new[] { "tpu", "", "cuda:", "cuda:one", "cuda:-1" })
            Assert.Throws<FormatException>(() => Devices.Parse(text));

        // Auto takes the first GPU where libtorch has one; this package's libtorch is CPU-only.
        var count = Devices.CudaDeviceCount;
        Assert.Equal(cuda.is_available() ? cuda.device_count() : 0, count);
        var auto = Devices.Parse("auto");
        Assert.Equal(count > 0 ? DeviceType.CUDA : DeviceType.CPU, auto.type);
        Assert.Equal(auto.type, Devices.Auto.type);
    }

    [Fact]
    public void DevicesCompareWithoutTheCpusIndex()
    {
        Assert.True(CPU.SameAs(new Device(DeviceType.CPU, 0)));
        Assert.True(Devices.Parse("cuda").SameAs(new Device(DeviceType.CUDA, -1)));
        Assert.True(Devices.Parse("cuda:1").SameAs(Devices.Parse("cuda:1")));
        Assert.False(Devices.Parse("cuda:1").SameAs(Devices.Parse("cuda:0")));
        Assert.False(CPU.SameAs(Devices.Parse("cuda")));
    }

    private static long LiveTensors => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

    /// <summary>A layer, and an input it takes.</summary>
    public static TheoryData<string, Func<Layer>, Func<Tensor>> LayerCases => new()
    {
        { "dense", () => new Dense(4, 3, Activation.Softmax), () => rand(5, 4) },
        { "dense 3-D", () => new Dense(4, 3, Activation.Relu), () => rand(2, 5, 4) },
        { "conv1d", () => new Conv1D(4, 3, 3, padding: "causal", activation: Activation.Tanh), () => rand(2, 6, 4) },
        { "conv2d", () => new Conv2D(2, 3, (3, 3), (2, 2), "same", activation: Activation.Relu), () => rand(2, 5, 5, 2) },
        { "maxpool1d", () => new MaxPooling1D(2, 2, "same"), () => rand(2, 5, 3) },
        { "maxpool2d", () => new MaxPooling2D((2, 2), (2, 2), "same"), () => rand(2, 5, 5, 3) },
        { "batchnorm", () => new BatchNormalization(3), () => rand(2, 4, 3) },
        { "dropout", () => new Dropout(0.5), () => rand(4, 3) },
        { "embedding", () => new Embedding(10, 3), () => randint(10, new long[] { 2, 5 }) },
        { "flatten", () => new Flatten(), () => rand(2, 3, 4) },
        { "reshape", () => new Reshape(4, -1), () => rand(2, 3, 4) },
        { "activation", () => new ActivationLayer(Activation.HardSigmoid), () => rand(2, 3) },
        { "lstm fused", () => new Lstm(4, 3, returnSequences: true), () => rand(2, 5, 4) },
        { "lstm cell loop", () => new Lstm(4, 3, Activation.Softsign), () => rand(2, 5, 4) },
        { "gru fused", () => new Gru(4, 3), () => rand(2, 5, 4) },
        { "gru cell loop", () => new Gru(4, 3, Activation.Elu, resetAfter: false, returnSequences: true), () => rand(2, 5, 4) },
        { "simple rnn fused", () => new SimpleRnn(4, 3, Activation.Relu, returnSequences: true), () => rand(2, 5, 4) },
        { "simple rnn cell loop", () => new SimpleRnn(4, 3, Activation.Selu), () => rand(2, 5, 4) },
    };

    [Theory]
    [MemberData(nameof(LayerCases))]
    public void AForwardInADisposeScopeLeavesOnlyItsResult(string name, Func<Layer> create, Func<Tensor> createInput)
    {
        using var layer = create();
        using var input = createInput();
        foreach (var training in new[] { true, false })
        {
            layer.train(training);
            // Without gradients the recurrent kernels take another path (no autograd node), so both are counted.
            foreach (var gradients in new[] { true, false })
            {
                using var mode = set_grad_enabled(gradients);
                var before = LiveTensors;
                Tensor output;
                using (NewDisposeScope())
                    output = layer.forward(input).DetachFromDisposeScope();
                Assert.True(before + 1 == LiveTensors, $"{name} (training {training}, gradients {gradients}) left {LiveTensors - before - 1} more tensors alive");
                output.Dispose();
                Assert.Equal(before, LiveTensors);
            }
        }
    }

    [Fact]
    public void ALayerBuiltInADisposeScopeKeepsItsWeightsAndNothingElse()
    {
        var before = LiveTensors;
        Lstm lstm;
        using (NewDisposeScope())
            lstm = new Lstm(4, 3, kernelInitializer: "he_normal");
        Assert.Equal(before + 3, LiveTensors);
        Assert.All(lstm.Weights(), w => Assert.False(w.Tensor.IsInvalid));
        Assert.Equal(new long[] { 2, 3 }, lstm.forward(rand(2, 5, 4)).shape);
        lstm.Dispose();
    }
}

using ModelDsl.Runtime.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests;

/// <summary>
/// The recurrent kernels: the fused CPU nodes against the TorchSharp cell loop (<see cref="RecurrentKernels.Fused"/>
/// off), their backpropagation against finite differences, both against Keras' equations by hand, and their memory
/// discipline. Tensor counts are this thread's (<see cref="DisposeScopeManager.Statistics"/>), so tests may run in parallel.
/// </summary>
public class RecurrentKernelTests
{
    public enum Recurrence { Lstm, GruResetAfter, GruResetBefore, SimpleRnn }

    private static readonly Activation[] Supported =
        [Activation.Linear, Activation.Relu, Activation.Sigmoid, Activation.Tanh, Activation.HardSigmoid];

    public static TheoryData<Recurrence, Activation, Activation, bool> EveryFusedCell()
    {
        var cases = new TheoryData<Recurrence, Activation, Activation, bool>();
        foreach (var recurrence in Enum.GetValues<Recurrence>())
            foreach (var activation in Supported)
                foreach (var gate in recurrence == Recurrence.SimpleRnn ? [activation] : Supported)
                    foreach (var returnSequences in new[] { true, false })
                        cases.Add(recurrence, activation, gate, returnSequences);
        return cases;
    }

    [Theory]
    [MemberData(nameof(EveryFusedCell))]
    public void FusedMatchesTheCellLoop(Recurrence recurrence, Activation activation, Activation gate, bool returnSequences)
    {
        // 11 units: float32 vectors of 8 and a 3-lane tail in every row. With bounded gates, weights at 3x Keras'
        // scale saturate some hard sigmoids at both ends (unbounded gates would only grow the rounding).
        var shape = new Shape(Batch: 3, Time: 4, Features: 5, Units: 11);
        double weightScale = gate is Activation.Sigmoid or Activation.HardSigmoid or Activation.Tanh ? 3 : 1;
        AssertClose(Evaluate(recurrence, activation, gate, returnSequences, shape, fused: false, weightScale: weightScale),
            Evaluate(recurrence, activation, gate, returnSequences, shape, fused: true, weightScale: weightScale), 1e-5);
    }

    public static TheoryData<Recurrence, int, int, bool> EdgeShapes()
    {
        var cases = new TheoryData<Recurrence, int, int, bool>();
        foreach (var recurrence in Enum.GetValues<Recurrence>())
        {
            cases.Add(recurrence, 1, 5, true);   // batch 1
            cases.Add(recurrence, 4, 1, true);   // one step
            cases.Add(recurrence, 4, 5, false);  // no bias
            cases.Add(recurrence, 1, 1, false);
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(EdgeShapes))]
    public void FusedMatchesTheCellLoopAtTheEdges(Recurrence recurrence, int batch, int time, bool bias)
    {
        foreach (var returnSequences in new[] { true, false })
        {
            var shape = new Shape(batch, time, Features: 3, Units: 9, bias);
            AssertClose(Evaluate(recurrence, Activation.Relu, Activation.Sigmoid, returnSequences, shape, fused: false),
                Evaluate(recurrence, Activation.Relu, Activation.Sigmoid, returnSequences, shape, fused: true), 1e-5);
        }
    }

    [Fact]
    public void FusedMatchesTheCellLoopAtTheReferenceModelsSize()
    {
        // The reference model's first layer: 28 steps of 28 pixels in [0, 1], 128 relu units.
        var shape = new Shape(Batch: 8, Time: 28, Features: 28, Units: 128);
        AssertClose(Evaluate(Recurrence.Lstm, Activation.Relu, Activation.Sigmoid, true, shape, fused: false, low: 0),
            Evaluate(Recurrence.Lstm, Activation.Relu, Activation.Sigmoid, true, shape, fused: true, low: 0), 1e-5);
    }

    public static TheoryData<Recurrence, Activation, Activation> DifferentiatedCells()
    {
        var cases = new TheoryData<Recurrence, Activation, Activation>();
        foreach (var recurrence in Enum.GetValues<Recurrence>())
            foreach (var activation in Supported)
                foreach (var gate in recurrence == Recurrence.SimpleRnn ? [activation] : new[] { Activation.Sigmoid, Activation.HardSigmoid })
                    cases.Add(recurrence, activation, gate);
        return cases;
    }

    [Theory]
    [MemberData(nameof(DifferentiatedCells))]
    public void FusedGradientsMatchFiniteDifferences(Recurrence recurrence, Activation activation, Activation gate)
    {
        // float64 runs the same fused code; 5 units are a vector of 4 and a 1-lane tail; weights that saturate some
        // hard sigmoids.
        var shape = new Shape(Batch: 2, Time: 3, Features: 3, Units: 5);
        using var scope = NewDisposeScope();
        var (input, weights, probe) = Operands(recurrence, shape, ScalarType.Float64, low: -1, weightScale: 3);
        Assert.True(RecurrentKernels.Fused);
        double Loss()
        {
            using var evaluation = NewDisposeScope();
            return Run(recurrence, input, weights, activation, gate, returnSequences: true).mul(probe).sum().item<double>();
        }
        Run(recurrence, input, weights, activation, gate, returnSequences: true).mul(probe).sum().backward();
        foreach (var (name, tensor) in Named(input, weights))
        {
            var analytic = Values(tensor.grad!);
            var numeric = new double[analytic.Length];
            // Central differences of the loss; without gradients it comes from the fused inference path, which
            // InferenceComputesWhatTrainingDoes ties to the node's forward.
            using (no_grad())
            {
                var flat = tensor.view(-1);
                const double step = 1e-6;
                for (int k = 0; k < numeric.Length; k++)
                {
                    using var entry = flat[k];
                    double at = entry.item<double>();
                    entry.fill_(at + step);
                    double above = Loss();
                    entry.fill_(at - step);
                    double below = Loss();
                    entry.fill_(at);
                    numeric[k] = (above - below) / (2 * step);
                }
            }
            AssertClose(new() { [name] = numeric }, new() { [name] = analytic }, 1e-6);
        }
    }

    // The hand computations: Keras' equations in scalar doubles, 1 feature, 1 unit, 2 steps, batch 1.
    private const double X0 = 0.5, X1 = -1.25;

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static double HardSigmoid(double x) => Math.Clamp(0.2 * x + 0.5, 0, 1);

    [Theory]
    [InlineData(true, Activation.Tanh, Activation.Sigmoid)]
    [InlineData(false, Activation.Tanh, Activation.Sigmoid)]
    [InlineData(true, Activation.Relu, Activation.HardSigmoid)]
    [InlineData(false, Activation.Relu, Activation.HardSigmoid)]
    public void LstmFollowsKerasEquations(bool fused, Activation activation, Activation gate)
    {
        double[] k = [0.3, -0.2, 0.8, 0.5], u = [0.4, 0.6, -0.7, 0.2], b = [0.1, 1, -0.1, 0.05];
        Func<double, double> act = activation == Activation.Tanh ? Math.Tanh : x => Math.Max(x, 0);
        Func<double, double> ra = gate == Activation.Sigmoid ? Sigmoid : HardSigmoid;
        double h = 0, c = 0;
        var expected = new List<double>();
        foreach (var x in new[] { X0, X1 })
        {
            double Z(int g) => x * k[g] + h * u[g] + b[g];
            c = ra(Z(1)) * c + ra(Z(0)) * act(Z(2));
            h = ra(Z(3)) * act(c);
            expected.Add(h);
        }
        AssertTiny(expected, fused, x => RecurrentKernels.Lstm(x, Weight(k), Weight(u), tensor(b), activation, gate, true));
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void GruFollowsKerasEquations(bool fused, bool resetAfter)
    {
        double[] k = [0.3, -0.2, 0.8], u = [0.4, 0.6, -0.7], bIn = [0.1, -0.3, 0.2], bRec = [-0.05, 0.15, 0.25];
        double h = 0;
        var expected = new List<double>();
        foreach (var x in new[] { X0, X1 })
        {
            double z, n;
            if (resetAfter)
            {
                z = Sigmoid(x * k[0] + bIn[0] + h * u[0] + bRec[0]);
                double r = Sigmoid(x * k[1] + bIn[1] + h * u[1] + bRec[1]);
                n = Math.Tanh(x * k[2] + bIn[2] + r * (h * u[2] + bRec[2]));
            }
            else
            {
                z = Sigmoid(x * k[0] + bIn[0] + h * u[0]);
                double r = Sigmoid(x * k[1] + bIn[1] + h * u[1]);
                n = Math.Tanh(x * k[2] + bIn[2] + r * h * u[2]);
            }
            h = z * h + (1 - z) * n;
            expected.Add(h);
        }
        var bias = resetAfter ? tensor(bIn.Concat(bRec).ToArray(), [2, 3]) : tensor(bIn);
        AssertTiny(expected, fused,
            x => RecurrentKernels.Gru(x, Weight(k), Weight(u), bias, Activation.Tanh, Activation.Sigmoid, resetAfter, true));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SimpleRnnFollowsKerasEquations(bool fused)
    {
        double h = 0;
        var expected = new List<double>();
        foreach (var x in new[] { X0, X1 })
            expected.Add(h = Math.Tanh(x * 0.7 + h * -0.9 + 0.1));
        AssertTiny(expected, fused, x => RecurrentKernels.SimpleRnn(x, Weight([0.7]), Weight([-0.9]), tensor(new[] { 0.1 }), Activation.Tanh, true));
    }

    [Theory]
    [InlineData(Recurrence.Lstm)]
    [InlineData(Recurrence.GruResetAfter)]
    [InlineData(Recurrence.GruResetBefore)]
    [InlineData(Recurrence.SimpleRnn)]
    public void InferenceComputesWhatTrainingDoes(Recurrence recurrence)
    {
        // Without gradients the fused kernels run other code: no node, step-by-step projection, rolling state.
        using var scope = NewDisposeScope();
        var (input, weights, _) = Operands(recurrence, new Shape(3, 5, 4, 11), ScalarType.Float32, low: -1);
        foreach (var returnSequences in new[] { true, false })
        {
            var training = Values(Run(recurrence, input, weights, Activation.Tanh, Activation.HardSigmoid, returnSequences));
            using var noGrad = no_grad();
            var inference = Values(Run(recurrence, input, weights, Activation.Tanh, Activation.HardSigmoid, returnSequences));
            AssertClose(new() { ["output"] = training }, new() { ["output"] = inference }, 1e-6);
        }
    }

    [Theory]
    [InlineData(Recurrence.Lstm)]
    [InlineData(Recurrence.GruResetAfter)]
    [InlineData(Recurrence.GruResetBefore)]
    [InlineData(Recurrence.SimpleRnn)]
    public void InferenceRecordsNothingAndKeepsNothingButItsOutput(Recurrence recurrence)
    {
        using var scope = NewDisposeScope();
        var (input, weights, _) = Operands(recurrence, new Shape(4, 6, 3, 10), ScalarType.Float32, low: -1);
        using (var training = Run(recurrence, input, weights, Activation.Relu, Activation.Sigmoid, returnSequences: false))
            Assert.True(training.requires_grad);
        using var noGrad = no_grad();
        foreach (var (fused, returnSequences) in new[] { (true, true), (true, false), (false, true), (false, false) })
        {
            RecurrentKernels.Fused = fused;
            try
            {
                long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
                using var output = Run(recurrence, input, weights, Activation.Relu, Activation.Sigmoid, returnSequences);
                Assert.False(output.requires_grad);
                Assert.Equal(live + 1, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            }
            finally
            {
                RecurrentKernels.Fused = true;
            }
        }
    }

    [Theory]
    [InlineData(Recurrence.Lstm)]
    [InlineData(Recurrence.GruResetAfter)]
    [InlineData(Recurrence.GruResetBefore)]
    [InlineData(Recurrence.SimpleRnn)]
    public void TrainingStepsKeepTheLiveTensorCountFlat(Recurrence recurrence)
    {
        using var outer = NewDisposeScope();
        var (input, weights, _) = Operands(recurrence, new Shape(4, 6, 3, 10), ScalarType.Float32, low: -1);
        var counts = new List<long>();
        for (int step = 0; step < 4; step++)
        {
            using (NewDisposeScope())
            {
                var hidden = Run(recurrence, input, weights, Activation.Relu, Activation.Sigmoid, returnSequences: true);
                // A second layer on the first one's sequence: the input gradient flows through a node too.
                Run(recurrence, hidden, weights with { Kernel = weights.Recurrent }, Activation.Relu, Activation.Sigmoid, false).sum().backward();
            }
            counts.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }
        // The first step adds the gradients to the leaves; after it, nothing more.
        Assert.All(counts.Skip(2), count => Assert.Equal(counts[1], count));
    }

    [Theory]
    [InlineData(Recurrence.Lstm, Activation.Relu, true)]
    [InlineData(Recurrence.GruResetAfter, Activation.Tanh, true)]
    [InlineData(Recurrence.GruResetBefore, Activation.HardSigmoid, true)]
    [InlineData(Recurrence.SimpleRnn, Activation.Linear, true)]
    [InlineData(Recurrence.Lstm, Activation.Elu, false)]
    [InlineData(Recurrence.SimpleRnn, Activation.Softsign, false)]
    public void SupportedCellsTakeTheFusedNode(Recurrence recurrence, Activation activation, bool fusable)
    {
        // What tells the paths apart: a cell loop's backward runs inside libtorch and makes no TorchSharp tensor; the
        // fused node's backward is C# and makes some for every step.
        const int time = 8;
        using var scope = NewDisposeScope();
        var (input, weights, _) = Operands(recurrence, new Shape(2, time, 3, 4), ScalarType.Float32, low: -1);
        var loss = Run(recurrence, input, weights, activation, Activation.Sigmoid, true).sum();
        var stats = DisposeScopeManager.Statistics;
        long before = stats.CreatedInScopeCount + stats.CreatedOutsideScopeCount;
        loss.backward();
        long made = stats.CreatedInScopeCount + stats.CreatedOutsideScopeCount - before;
        Assert.True(fusable ? made >= time : made == 0, $"the backward made {made} tensors");
    }

    [Fact]
    public void FusedIsPerThread()
    {
        RecurrentKernels.Fused = false;
        try
        {
            bool elsewhere = false;
            var thread = new Thread(() => elsewhere = RecurrentKernels.Fused);
            thread.Start();
            thread.Join();
            Assert.True(elsewhere);
            Assert.False(RecurrentKernels.Fused);
        }
        finally
        {
            RecurrentKernels.Fused = true;
        }
    }

    [Fact]
    public void MisshapenWeightsAreRejected()
    {
        using var scope = NewDisposeScope();
        var (input, weights, _) = Operands(Recurrence.GruResetAfter, new Shape(2, 3, 4, 5), ScalarType.Float32, low: -1);
        var error = Assert.Throws<ArgumentException>(() => RecurrentKernels.Gru(input, weights.Kernel, weights.Recurrent, weights.Bias!.select(0, 0),
            Activation.Tanh, Activation.Sigmoid, resetAfter: true, returnSequences: false));
        Assert.Contains("(2, 15)", error.Message);
        Assert.Throws<ArgumentException>(() => RecurrentKernels.Lstm(input.select(1, 0), weights.Kernel, weights.Recurrent, null,
            Activation.Tanh, Activation.Sigmoid, returnSequences: false));
    }

    public sealed record Shape(int Batch, int Time, int Features, int Units, bool Bias = true);

    public sealed record Weights(Tensor Kernel, Tensor Recurrent, Tensor? Bias);

    private static int Gates(Recurrence recurrence) => recurrence switch
    {
        Recurrence.Lstm => 4,
        Recurrence.SimpleRnn => 1,
        _ => 3,
    };

    private static Tensor Run(Recurrence recurrence, Tensor input, Weights w, Activation activation, Activation gate, bool returnSequences) =>
        recurrence switch
        {
            Recurrence.Lstm => RecurrentKernels.Lstm(input, w.Kernel, w.Recurrent, w.Bias, activation, gate, returnSequences),
            Recurrence.GruResetAfter => RecurrentKernels.Gru(input, w.Kernel, w.Recurrent, w.Bias, activation, gate, true, returnSequences),
            Recurrence.GruResetBefore => RecurrentKernels.Gru(input, w.Kernel, w.Recurrent, w.Bias, activation, gate, false, returnSequences),
            _ => RecurrentKernels.SimpleRnn(input, w.Kernel, w.Recurrent, w.Bias, activation, returnSequences),
        };

    /// <summary>An input, weights (all requiring gradients) and a probe to weigh the output with, from a fixed seed.</summary>
    private static (Tensor Input, Weights Weights, Tensor Probe) Operands(Recurrence recurrence, Shape shape, ScalarType dtype, double low,
        double weightScale = 1)
    {
        var generator = new Generator(42);
        Tensor Uniform(long[] size, double from, double to) =>
            (rand(size, dtype, generator: generator) * (to - from) + from).requires_grad_();
        int width = Gates(recurrence) * shape.Units;
        // By default about Keras' initial scale, so that 28 relu steps neither vanish nor explode.
        double scale = weightScale / Math.Sqrt(Math.Max(shape.Features, shape.Units));
        var input = Uniform([shape.Batch, shape.Time, shape.Features], low, 1);
        var weights = new Weights(Uniform([shape.Features, width], -scale, scale), Uniform([shape.Units, width], -scale, scale),
            shape.Bias ? Uniform(recurrence == Recurrence.GruResetAfter ? [2, width] : [width], -0.5, 0.5) : null);
        var probe = rand([shape.Batch, shape.Time, shape.Units], dtype, generator: generator);
        return (input, weights, probe);
    }

    private static IEnumerable<(string Name, Tensor Tensor)> Named(Tensor input, Weights weights) =>
        new[] { ("input", input), ("kernel", weights.Kernel), ("recurrent_kernel", weights.Recurrent), ("bias", weights.Bias) }
            .Where(p => p.Item2 is not null).Select(p => (p.Item1, p.Item2!));

    /// <summary>The output and every gradient of Σ output × probe, by name.</summary>
    private static Dictionary<string, double[]> Evaluate(Recurrence recurrence, Activation activation, Activation gate, bool returnSequences,
        Shape shape, bool fused, double low = -1, double weightScale = 1)
    {
        var previous = RecurrentKernels.Fused;
        RecurrentKernels.Fused = fused;
        try
        {
            using var scope = NewDisposeScope();
            var (input, weights, probe) = Operands(recurrence, shape, ScalarType.Float32, low, weightScale);
            var output = Run(recurrence, input, weights, activation, gate, returnSequences);
            output.mul(returnSequences ? probe : probe.select(1, 0)).sum().backward();
            var result = new Dictionary<string, double[]> { ["output"] = Values(output) };
            // A kernel the loop never reached (the recurrent one, with one step) has no gradient: zero.
            foreach (var (name, tensor) in Named(input, weights))
                result[name] = Values(tensor.grad ?? zeros_like(tensor));
            return result;
        }
        finally
        {
            RecurrentKernels.Fused = previous;
        }
    }

    private static double[] Values(Tensor tensor) => tensor.detach().to(ScalarType.Float64).contiguous().data<double>().ToArray();

    private static Tensor Weight(double[] gates) => tensor(gates, [1, gates.Length]);

    private static void AssertTiny(List<double> expected, bool fused, Func<Tensor, Tensor> layer)
    {
        var previous = RecurrentKernels.Fused;
        RecurrentKernels.Fused = fused;
        try
        {
            using var scope = NewDisposeScope();
            var output = layer(tensor(new[] { X0, X1 }, [1, 2, 1]));
            Assert.Equal([1, 2, 1], output.shape);
            var actual = Values(output);
            for (int t = 0; t < expected.Count; t++)
                Assert.Equal(expected[t], actual[t], 12);
        }
        finally
        {
            RecurrentKernels.Fused = previous;
        }
    }

    /// <summary>Each tensor within <paramref name="tolerance"/> of the expected one, relative to its largest magnitude.</summary>
    private static void AssertClose(Dictionary<string, double[]> expected, Dictionary<string, double[]> actual, double tolerance)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, want) in expected)
        {
            var got = actual[name];
            Assert.Equal(want.Length, got.Length);
            double scale = Math.Max(want.Max(Math.Abs), 1e-3);
            int worst = Enumerable.Range(0, want.Length).MaxBy(k => Math.Abs(want[k] - got[k]));
            Assert.True(Math.Abs(want[worst] - got[worst]) <= tolerance * scale,
                $"{name}[{worst}]: expected {want[worst]:R}, got {got[worst]:R} (scale {scale:G3})");
        }
    }
}

using ModelDsl.Runtime.Layers;

namespace ModelDsl.Runtime.Tests;

/// <summary>
/// Every layer's backward pass against central finite differences, in float64: f = sum(layer(x) * r) for a fixed
/// random r, checked on a sample of coordinates of the input and of each parameter. Runs alone: the dropout check
/// reseeds the shared generator before each forward pass.
/// </summary>
[Collection(NativeGlobalState.Name)]
public class GradientTests
{
    private const double Step = 1e-6;

    private static void CheckGradients(Layer layer, long[] inputShape, bool integerInput = false, int inputMax = 0, Action? beforeForward = null)
    {
        Torch.ManualSeed(7);
        layer.To(DType.Float64);
        using var input = integerInput
            ? Tensor.From(Enumerable.Range(0, (int)inputShape.Aggregate(1L, (a, b) => a * b)).Select(i => (long)(i * 7 % inputMax)).ToArray(), inputShape)
            : Tensor.Uniform(inputShape, -1, 1, DType.Float64).WithRequiresGrad();

        double Objective(Tensor projection)
        {
            beforeForward?.Invoke();
            using var output = layer.Forward(input);
            using var product = output * projection;
            using var sum = product.Sum();
            return sum.ToDouble();
        }

        Tensor projection;
        using (var probe = layer.Forward(input))
            projection = Tensor.Uniform(probe.Shape, -1, 1, DType.Float64);
        using (projection)
        {
            beforeForward?.Invoke();
            using (var output = layer.Forward(input))
            using (var product = output * projection)
            using (var sum = product.Sum())
                sum.Backward();

            var checkedTensors = layer.NamedParameters().Select(p => (p.Name, (Tensor)p.Parameter)).ToList();
            if (!integerInput)
                checkedTensors.Add(("input", input));
            Assert.NotEmpty(checkedTensors);
            foreach (var (name, tensor) in checkedTensors)
            {
                using var grad = tensor.Grad;
                Assert.True(grad is not null, $"{name} got no gradient");
                var analytic = grad!.ToArray<double>();
                var values = tensor.ToArray<double>();
                var shape = tensor.Shape;
                var stride = Math.Max(1, values.Length / 8);
                for (var i = 0; i < values.Length; i += stride)
                {
                    double Perturbed(double delta)
                    {
                        var copy = (double[])values.Clone();
                        copy[i] += delta;
                        using var noGrad = new NoGradScope();
                        using (var replacement = Tensor.From(copy, shape))
                            tensor.CopyFrom(replacement);
                        return Objective(projection);
                    }

                    var numeric = (Perturbed(Step) - Perturbed(-Step)) / (2 * Step);
                    using (var noGrad = new NoGradScope())
                    using (var original = Tensor.From(values, shape))
                        tensor.CopyFrom(original);
                    var tolerance = 1e-6 + 1e-5 * Math.Max(Math.Abs(numeric), Math.Abs(analytic[i]));
                    Assert.True(Math.Abs(numeric - analytic[i]) <= tolerance,
                        $"{layer.GetType().Name} d/d{name}[{i}]: analytic {analytic[i]:R}, numeric {numeric:R}");
                }
            }
        }
        layer.Dispose();
    }

    [Fact]
    public void Dense() => CheckGradients(new Dense(5, 4, Activation.Tanh), [3, 5]);

    [Fact]
    public void DenseOnThreeDimensions() => CheckGradients(new Dense(5, 4, Activation.Softplus), [2, 3, 5]);

    [Theory]
    [InlineData(Activation.Tanh, Activation.Sigmoid, true)]   // libtorch's fused LSTM
    [InlineData(Activation.Tanh, Activation.Sigmoid, false)]
    [InlineData(Activation.Relu, Activation.Sigmoid, true)]   // one node with hand-written backpropagation
    [InlineData(Activation.Relu, Activation.Sigmoid, false)]
    [InlineData(Activation.Relu, Activation.HardSigmoid, true)]
    [InlineData(Activation.Softsign, Activation.HardSigmoid, true)] // the generic cell loop
    public void Lstm(Activation activation, Activation recurrentActivation, bool returnSequences) =>
        CheckGradients(new Lstm(3, 4, activation, recurrentActivation, returnSequences), [2, 5, 3]);

    /// <summary>
    /// The relu LSTM's hand-written backpropagation against autograd through the same cell written with tensor ops
    /// in C#, on every coordinate, at a size where every path of the loop matters.
    /// </summary>
    [Fact]
    public void ReluLstmMatchesAutogradThroughTheComposedCell()
    {
        const int Batch = 6, Time = 12, Features = 5, Units = 8;
        Torch.ManualSeed(5);
        using var lstm = new Lstm(Features, Units, Activation.Relu, returnSequences: true);
        lstm.To(DType.Float64);
        using var input = Tensor.Uniform([Batch, Time, Features], -1, 1, DType.Float64).WithRequiresGrad();
        using var projection = Tensor.Uniform([Batch, Time, Units], -1, 1, DType.Float64);

        double[][] Gradients()
        {
            var result = lstm.Parameters().Append(input).Select(p =>
            {
                using var grad = p.Grad!;
                return grad.ToArray<double>();
            }).ToArray();
            lstm.ZeroGrad();
            using var inputGrad = input.Grad!;
            inputGrad.ZeroInPlace();
            return result;
        }

        using (var scope = new DisposeScope())
            (lstm.Forward(input) * projection).Sum().Backward();
        var fused = Gradients();

        using (var scope = new DisposeScope())
        {
            var steps = input.Dense(lstm.Kernel, lstm.Bias).Unbind(1);
            Tensor? h = null, c = null;
            var outputs = new List<Tensor>();
            foreach (var step in steps)
            {
                var gates = (h is null ? step : step + h.MatMul(lstm.RecurrentKernel)).Chunk(4, 1);
                var candidate = gates[2].Relu() * gates[0].Sigmoid();
                c = c is null ? candidate : gates[1].Sigmoid() * c + candidate;
                h = gates[3].Sigmoid() * c.Relu();
                outputs.Add(h);
            }
            (Tensor.Stack(outputs, 1) * projection).Sum().Backward();
        }
        var composed = Gradients();

        for (var k = 0; k < fused.Length; k++)
            for (var i = 0; i < fused[k].Length; i++)
                Assert.True(Math.Abs(fused[k][i] - composed[k][i]) <= 1e-12 * (1 + Math.Abs(composed[k][i])),
                    $"gradient {k}[{i}]: fused {fused[k][i]:R}, composed {composed[k][i]:R}");
    }

    [Theory]
    [InlineData(Activation.Tanh, true, true)]    // libtorch's fused GRU, gates reordered
    [InlineData(Activation.Tanh, true, false)]   // reset_after=false: the cell loop
    [InlineData(Activation.Relu, false, true)]
    public void Gru(Activation activation, bool resetAfter, bool returnSequences) =>
        CheckGradients(new Gru(3, 4, activation, returnSequences: returnSequences, resetAfter: resetAfter), [2, 5, 3]);

    [Theory]
    [InlineData(Activation.Tanh)]    // fused
    [InlineData(Activation.Relu)]    // fused
    [InlineData(Activation.Sigmoid)] // the cell loop
    public void SimpleRnn(Activation activation) => CheckGradients(new SimpleRnn(3, 4, activation, returnSequences: true), [2, 5, 3]);

    [Theory]
    [InlineData("valid", 1, 1)]
    [InlineData("same", 2, 1)]
    [InlineData("causal", 1, 2)]
    public void Conv1D(string padding, int strides, int dilation) =>
        CheckGradients(new Conv1D(3, 4, 3, strides, padding, dilation, Activation.Tanh), [2, 9, 3]);

    [Theory]
    [InlineData("valid", 1)]
    [InlineData("same", 2)]
    public void Conv2D(string padding, int stride) =>
        CheckGradients(new Conv2D(2, 3, 3, 2, stride, stride, padding, Activation.Sigmoid), [2, 6, 5, 2]);

    [Theory]
    [InlineData("valid")]
    [InlineData("same")]
    public void MaxPooling1D(string padding) => CheckGradients(new MaxPooling1D(2, 2, padding), [2, 7, 3]);

    [Theory]
    [InlineData("valid")]
    [InlineData("same")]
    public void MaxPooling2D(string padding) => CheckGradients(new MaxPooling2D(2, 2, 2, 2, padding), [2, 5, 5, 2]);

    [Fact]
    public void BatchNormalizationWhileTraining() => CheckGradients(new BatchNormalization(3), [6, 3]);

    [Fact]
    public void BatchNormalizationWhenEvaluating()
    {
        var layer = new BatchNormalization(3);
        layer.Eval();
        CheckGradients(layer, [4, 2, 3]);
    }

    [Fact]
    public void Embedding() => CheckGradients(new Embedding(6, 4), [3, 5], integerInput: true, inputMax: 6);

    [Fact]
    public void DropoutWithItsMaskFixed() => CheckGradients(new Dropout(0.4), [4, 6], beforeForward: () => Torch.ManualSeed(11));

    [Fact]
    public void Flatten() => CheckGradients(new Flatten(), [2, 3, 4]);

    [Fact]
    public void Reshape() => CheckGradients(new Reshape(4, -1), [2, 3, 4]);

    [Theory]
    [InlineData(Activation.Linear)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Softmax)]
    [InlineData(Activation.Elu)]
    [InlineData(Activation.Selu)]
    [InlineData(Activation.Softplus)]
    [InlineData(Activation.Softsign)]
    [InlineData(Activation.Gelu)]
    [InlineData(Activation.Swish)]
    [InlineData(Activation.HardSigmoid)]
    [InlineData(Activation.Exponential)]
    public void ActivationLayer(Activation activation) => CheckGradients(new ActivationLayer(activation), [3, 5]);
}

using ModelDsl.Runtime.Layers;
using TorchSharp;
using Xunit.Sdk;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests;

/// <summary>Tests that reseed libtorch's one global generator and rely on what it draws next run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeGlobalState
{
    public const string Name = "native global state";
}

/// <summary>
/// Every layer's backward pass against central finite differences, in float64: f = sum(layer(x) * r) for a fixed
/// random r, checked on a sample of coordinates of the input and of each parameter. Runs alone: the dropout check
/// reseeds the shared generator before each forward pass.
/// </summary>
[Collection(NativeGlobalState.Name)]
public class GradientTests
{
    private const double Step = 1e-6;

    private static Tensor Uniform(long[] shape) => empty(shape, ScalarType.Float64).uniform_(-1, 1);

    private static void Overwrite(Tensor target, double[] values)
    {
        using var noGrad = no_grad();
        target.copy_(tensor(values, target.shape, ScalarType.Float64));
    }

    /// <summary>Checks <paramref name="layer"/>'s gradients (it is disposed after); shared by every layer's gradient test.</summary>
    internal static void CheckGradients(Layer layer, long[] inputShape, bool integerInput = false, int inputMax = 0, Action? beforeForward = null)
    {
        using var _ = layer;
        manual_seed(7);
        layer.to(ScalarType.Float64);
        var input = integerInput
            ? tensor(Enumerable.Range(0, (int)inputShape.Aggregate(1L, (a, b) => a * b)).Select(i => (long)(i * 7 % inputMax)).ToArray(), inputShape)
            : Uniform(inputShape).requires_grad_();
        var projection = Uniform(layer.forward(input).shape);

        // With gradients on, as for the backward: without them the recurrent kernels take their inference path.
        double Objective()
        {
            beforeForward?.Invoke();
            using var scope = NewDisposeScope();
            return (layer.forward(input) * projection).sum().item<double>();
        }

        beforeForward?.Invoke();
        using (NewDisposeScope())
            (layer.forward(input) * projection).sum().backward();

        var checkedTensors = layer.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToList();
        if (!integerInput)
            checkedTensors.Add(("input", input));
        Assert.NotEmpty(checkedTensors);
        foreach (var (name, target) in checkedTensors)
        {
            var grad = target.grad ?? throw new XunitException($"{name} got no gradient");
            var analytic = grad.data<double>().ToArray();
            var values = target.data<double>().ToArray();
            var stride = Math.Max(1, values.Length / 8);
            for (var i = 0; i < values.Length; i += stride)
            {
                double Perturbed(double delta)
                {
                    var copy = (double[])values.Clone();
                    copy[i] += delta;
                    Overwrite(target, copy);
                    return Objective();
                }

                var numeric = (Perturbed(Step) - Perturbed(-Step)) / (2 * Step);
                Overwrite(target, values);
                var tolerance = 1e-6 + 1e-5 * Math.Max(Math.Abs(numeric), Math.Abs(analytic[i]));
                Assert.True(Math.Abs(numeric - analytic[i]) <= tolerance,
                    $"{layer.GetType().Name} d/d{name}[{i}]: analytic {analytic[i]:R}, numeric {numeric:R}");
            }
        }
    }

    [Fact]
    public void Dense() => CheckGradients(new Dense(5, 4, Activation.Tanh), [3, 5]);

    [Fact]
    public void DenseOnThreeDimensions() => CheckGradients(new Dense(5, 4, Activation.Softplus), [2, 3, 5]);

    [Fact]
    public void LstmWithoutBias() => CheckGradients(new Lstm(3, 4, useBias: false), [2, 5, 3]);

    [Fact]
    public void DenseWithoutBias() => CheckGradients(new Dense(5, 4, Activation.Relu, useBias: false), [3, 5]);

    [Theory]
    [InlineData(Activation.Tanh, Activation.Sigmoid, true)]
    [InlineData(Activation.Tanh, Activation.Sigmoid, false)]
    [InlineData(Activation.Relu, Activation.Sigmoid, true)]   // the reference model
    [InlineData(Activation.Relu, Activation.Sigmoid, false)]
    [InlineData(Activation.Relu, Activation.HardSigmoid, true)]
    [InlineData(Activation.Softsign, Activation.HardSigmoid, true)] // no fused kernel: the cell loop
    public void Lstm(Activation activation, Activation recurrentActivation, bool returnSequences) =>
        CheckGradients(new Lstm(3, 4, activation, recurrentActivation, returnSequences), [2, 5, 3]);

    /// <summary>
    /// The relu LSTM's gradients against autograd through the same cell written with TorchSharp ops here, on every
    /// coordinate, at a size where every path of the loop matters.
    /// </summary>
    [Fact]
    public void ReluLstmMatchesAutogradThroughTheComposedCell()
    {
        const int Batch = 6, Time = 12, Features = 5, Units = 8;
        manual_seed(5);
        using var lstm = new Lstm(Features, Units, Activation.Relu, returnSequences: true);
        lstm.to(ScalarType.Float64);
        var input = Uniform([Batch, Time, Features]).requires_grad_();
        var projection = Uniform([Batch, Time, Units]);

        double[][] Gradients()
        {
            var result = lstm.parameters().Append<Tensor>(input).Select(p => p.grad!.data<double>().ToArray()).ToArray();
            lstm.zero_grad();
            input.grad!.zero_();
            return result;
        }

        using (NewDisposeScope())
            (lstm.forward(input) * projection).sum().backward();
        var layer = Gradients();

        using (NewDisposeScope())
        {
            var steps = (input.matmul(lstm.Kernel) + lstm.Bias!).unbind(1);
            Tensor? h = null, c = null;
            var outputs = new List<Tensor>();
            foreach (var step in steps)
            {
                var gates = (h is null ? step : step + h.matmul(lstm.RecurrentKernel)).chunk(4, 1);
                var candidate = gates[2].relu() * gates[0].sigmoid();
                c = c is null ? candidate : gates[1].sigmoid() * c + candidate;
                h = gates[3].sigmoid() * c.relu();
                outputs.Add(h);
            }
            (stack(outputs, 1) * projection).sum().backward();
        }
        var composed = Gradients();

        Assert.Equal(4, layer.Length);
        for (var k = 0; k < layer.Length; k++)
            for (var i = 0; i < layer[k].Length; i++)
                Assert.True(Math.Abs(layer[k][i] - composed[k][i]) <= 1e-12 * (1 + Math.Abs(composed[k][i])),
                    $"gradient {k}[{i}]: layer {layer[k][i]:R}, composed {composed[k][i]:R}");
    }

    [Theory]
    [InlineData(Activation.Tanh, true, true)]    // Keras' default
    [InlineData(Activation.Tanh, true, false)]
    [InlineData(Activation.Tanh, false, true)]   // reset before the recurrent product
    [InlineData(Activation.Relu, false, true)]
    [InlineData(Activation.Elu, true, true)]     // no fused kernel: the cell loop
    public void Gru(Activation activation, bool resetAfter, bool returnSequences) =>
        CheckGradients(new Gru(3, 4, activation, returnSequences: returnSequences, resetAfter: resetAfter), [2, 5, 3]);

    [Theory]
    [InlineData(Activation.Tanh, true)]
    [InlineData(Activation.Relu, false)]
    [InlineData(Activation.Sigmoid, true)]
    [InlineData(Activation.Softplus, true)] // no fused kernel: the cell loop
    public void SimpleRnn(Activation activation, bool returnSequences) =>
        CheckGradients(new SimpleRnn(3, 4, activation, returnSequences), [2, 5, 3]);

    [Theory]
    [InlineData("valid", 1, 1)]
    [InlineData("same", 2, 1)]
    [InlineData("causal", 1, 2)]
    public void Conv1D(string padding, int strides, int dilation) =>
        CheckGradients(new Conv1D(3, 4, 3, strides, padding, dilation, activation: Activation.Tanh), [2, 9, 3]);

    [Theory]
    [InlineData("valid", 1)]
    [InlineData("same", 2)]
    public void Conv2D(string padding, int stride) =>
        CheckGradients(new Conv2D(2, 3, (3, 2), (stride, stride), padding, activation: Activation.Sigmoid), [2, 6, 5, 2]);

    [Theory]
    [InlineData("valid")]
    [InlineData("same")]
    public void MaxPooling1D(string padding) => CheckGradients(new MaxPooling1D(2, 2, padding), [2, 7, 3]);

    [Theory]
    [InlineData("valid")]
    [InlineData("same")]
    public void MaxPooling2D(string padding) => CheckGradients(new MaxPooling2D((2, 2), (2, 2), padding), [2, 5, 5, 2]);

    [Fact]
    public void BatchNormalizationWhileTraining() => CheckGradients(new BatchNormalization(3), [6, 3]);

    [Fact]
    public void BatchNormalizationWhenEvaluating()
    {
        var layer = new BatchNormalization(3);
        layer.eval();
        CheckGradients(layer, [4, 2, 3]);
    }

    [Fact]
    public void Embedding() => CheckGradients(new Embedding(6, 4), [3, 5], integerInput: true, inputMax: 6);

    [Fact]
    public void DropoutWithItsMaskFixed() => CheckGradients(new Dropout(0.4), [4, 6], beforeForward: () => manual_seed(11));

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

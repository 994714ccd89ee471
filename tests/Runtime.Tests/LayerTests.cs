using System.Runtime.InteropServices;
using ModelDsl.Runtime.Layers;
using ModelDsl.Runtime.Losses;
using ModelDsl.Runtime.Optimizers;
using ModelDsl.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests;

/// <summary>Layer forward passes against plain C# arithmetic, Keras' weight layouts, names and initializers.</summary>
public class LayerTests
{
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static double Relu(double x) => Math.Max(0, x);

    private static Func<double, double> Plain(Activation activation) => activation switch
    {
        Activation.Linear => x => x,
        Activation.Relu => Relu,
        Activation.Sigmoid => Sigmoid,
        Activation.Tanh => Math.Tanh,
        Activation.Elu => x => x > 0 ? x : Math.Exp(x) - 1,
        Activation.Selu => x => 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (Math.Exp(x) - 1)),
        Activation.Softplus => x => Math.Log(1 + Math.Exp(x)),
        Activation.Softsign => x => x / (1 + Math.Abs(x)),
        Activation.Gelu => x => 0.5 * x * (1 + Erf(x / Math.Sqrt(2))),
        Activation.Swish => x => x * Sigmoid(x),
        Activation.HardSigmoid => x => Math.Clamp(0.2 * x + 0.5, 0, 1),
        Activation.Exponential => Math.Exp,
        Activation.LeakyRelu => x => x < 0 ? 0.2 * x : x,
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    // Abramowitz and Stegun 7.1.26 is too coarse for 1e-12; the Maclaurin series converges fast for |x| < 3.
    private static double Erf(double x)
    {
        double sum = 0, term = x;
        for (var n = 0; n < 100; n++)
        {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    // Deterministic, varied values: weights that exercise every gate differently.
    private static double[] Values(int count, double scale, int salt) =>
        Enumerable.Range(0, count).Select(i => scale * Math.Sin(1.3 * i + salt)).ToArray();

    private static void Assign(Tensor target, double[] values)
    {
        using var noGrad = no_grad();
        target.copy_(tensor(values, target.shape, target.dtype));
    }

    private static double[] Read(Tensor t) => t.data<double>().ToArray();

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    // x[b, t, f] row-major; returns h per (b, t, unit) row-major.
    private static double[] RunLstm(double[] x, int batch, int time, int features, double[] kernel, double[] recurrent, double[] bias,
        int units, Func<double, double> act, Func<double, double> recurrentAct)
    {
        var output = new double[batch * time * units];
        for (var b = 0; b < batch; b++)
        {
            var h = new double[units];
            var c = new double[units];
            for (var t = 0; t < time; t++)
            {
                var gates = new double[4 * units];
                for (var j = 0; j < 4 * units; j++)
                {
                    var sum = bias[j];
                    for (var f = 0; f < features; f++)
                        sum += x[(b * time + t) * features + f] * kernel[f * 4 * units + j];
                    for (var k = 0; k < units; k++)
                        sum += h[k] * recurrent[k * 4 * units + j];
                    gates[j] = sum;
                }
                for (var u = 0; u < units; u++)
                {
                    var i = recurrentAct(gates[u]);
                    var forget = recurrentAct(gates[units + u]);
                    var candidate = act(gates[2 * units + u]);
                    var o = recurrentAct(gates[3 * units + u]);
                    c[u] = forget * c[u] + i * candidate;
                    h[u] = o * act(c[u]);
                    output[(b * time + t) * units + u] = h[u];
                }
            }
        }
        return output;
    }

    [Fact]
    public void ReluLstmMatchesAHandComputedTinyCase()
    {
        // One sample, one feature, one unit, two steps: small enough to follow on paper.
        // kernel [wi wf wc wo] = [0.5 -0.5 1.0 0.25], recurrent [0.1 0.2 -0.3 0.4], bias [0 1 0 0] (forget bias 1).
        using var lstm = new Lstm(1, 1, Activation.Relu, returnSequences: true);
        lstm.to(ScalarType.Float64);
        Assign(lstm.Kernel, [0.5, -0.5, 1.0, 0.25]);
        Assign(lstm.RecurrentKernel, [0.1, 0.2, -0.3, 0.4]);
        Assign(lstm.Bias!, [0, 1, 0, 0]);
        var input = tensor(new double[] { 2.0, 1.0 }, [1, 2, 1]);

        // t = 1, x = 2: gates = [1.0, 0.0, 2.0, 0.5]; c1 = sigmoid(1) * relu(2) = 1.4621171573; h1 = sigmoid(0.5) * relu(c1).
        var c1 = Sigmoid(1.0) * 2.0;
        var h1 = Sigmoid(0.5) * c1;
        // t = 2, x = 1: gates = x kernel + h1 recurrent + bias.
        double gi = 0.5 + 0.1 * h1, gf = -0.5 + 0.2 * h1 + 1, gc = 1.0 - 0.3 * h1, go = 0.25 + 0.4 * h1;
        var c2 = Sigmoid(gf) * c1 + Sigmoid(gi) * Relu(gc);
        var h2 = Sigmoid(go) * Relu(c2);
        Assert.Equal(1.4621171572600098, c1, 12);

        var output = lstm.forward(input);
        Assert.Equal(new long[] { 1, 2, 1 }, output.shape);
        AssertClose([h1, h2], Read(output), 1e-12);
    }

    [Theory]
    [InlineData(Activation.Relu, Activation.Sigmoid)]        // the reference model
    [InlineData(Activation.Relu, Activation.HardSigmoid)]
    [InlineData(Activation.Tanh, Activation.Sigmoid)]        // Keras' default
    [InlineData(Activation.Softsign, Activation.HardSigmoid)] // no fused kernel: the cell loop
    public void LstmMatchesPlainArithmetic(Activation activation, Activation recurrentActivation)
    {
        const int Batch = 2, Time = 4, Features = 3, Units = 3;
        var kernel = Values(Features * 4 * Units, 0.6, 1);
        var recurrent = Values(Units * 4 * Units, 0.5, 2);
        var bias = Values(4 * Units, 0.3, 3);
        var x = Values(Batch * Time * Features, 1.0, 4);
        var input = tensor(x, [Batch, Time, Features]);
        var expected = RunLstm(x, Batch, Time, Features, kernel, recurrent, bias, Units, Plain(activation), Plain(recurrentActivation));

        Lstm Create(bool returnSequences)
        {
            var lstm = new Lstm(Features, Units, activation, recurrentActivation, returnSequences);
            lstm.to(ScalarType.Float64);
            Assign(lstm.Kernel, kernel);
            Assign(lstm.RecurrentKernel, recurrent);
            Assign(lstm.Bias!, bias);
            return lstm;
        }

        using var sequence = Create(returnSequences: true);
        AssertClose(expected, Read(sequence.forward(input)), 1e-12);

        using var last = Create(returnSequences: false);
        var final = last.forward(input);
        Assert.Equal(new long[] { Batch, Units }, final.shape);
        var lastSteps = Enumerable.Range(0, Batch).SelectMany(b => expected.Skip((b * Time + Time - 1) * Units).Take(Units)).ToArray();
        AssertClose(lastSteps, Read(final), 1e-12);
    }

    [Theory]
    [InlineData(Activation.Tanh, true)]   // Keras' default
    [InlineData(Activation.Relu, true)]
    [InlineData(Activation.Tanh, false)]  // reset before the recurrent product
    [InlineData(Activation.Elu, true)]    // no fused kernel: the cell loop
    public void GruMatchesPlainArithmetic(Activation activation, bool resetAfter)
    {
        const int Batch = 2, Time = 3, Features = 2, Units = 3;
        using var gru = new Gru(Features, Units, activation, returnSequences: true, resetAfter: resetAfter);
        gru.to(ScalarType.Float64);
        var kernel = Values(Features * 3 * Units, 0.7, 5);
        var recurrent = Values(Units * 3 * Units, 0.5, 6);
        var bias = Values((resetAfter ? 2 : 1) * 3 * Units, 0.4, 7);
        Assign(gru.Kernel, kernel);
        Assign(gru.RecurrentKernel, recurrent);
        Assign(gru.Bias!, bias);
        var x = Values(Batch * Time * Features, 1.0, 8);
        var input = tensor(x, [Batch, Time, Features]);
        var act = Plain(activation);

        var expected = new double[Batch * Time * Units];
        for (var b = 0; b < Batch; b++)
        {
            var h = new double[Units];
            for (var t = 0; t < Time; t++)
            {
                double InputPart(int j)
                {
                    var sum = bias[j];
                    for (var f = 0; f < Features; f++)
                        sum += x[(b * Time + t) * Features + f] * kernel[f * 3 * Units + j];
                    return sum;
                }

                double RecurrentPart(int j, double[] state)
                {
                    var sum = resetAfter ? bias[3 * Units + j] : 0;
                    for (var k = 0; k < Units; k++)
                        sum += state[k] * recurrent[k * 3 * Units + j];
                    return sum;
                }

                var next = new double[Units];
                var z = new double[Units];
                var r = new double[Units];
                for (var u = 0; u < Units; u++)
                {
                    z[u] = Sigmoid(InputPart(u) + RecurrentPart(u, h));
                    r[u] = Sigmoid(InputPart(Units + u) + RecurrentPart(Units + u, h));
                }
                var resetState = h.Select((value, k) => r[k] * value).ToArray();
                for (var u = 0; u < Units; u++)
                {
                    var candidate = resetAfter
                        ? act(InputPart(2 * Units + u) + r[u] * RecurrentPart(2 * Units + u, h))
                        : act(InputPart(2 * Units + u) + RecurrentPart(2 * Units + u, resetState));
                    next[u] = z[u] * h[u] + (1 - z[u]) * candidate;
                    expected[(b * Time + t) * Units + u] = next[u];
                }
                h = next;
            }
        }

        AssertClose(expected, Read(gru.forward(input)), 1e-12);
    }

    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Softplus)] // no fused kernel: the cell loop
    public void SimpleRnnMatchesPlainArithmetic(Activation activation)
    {
        const int Batch = 2, Time = 3, Features = 2, Units = 2;
        using var rnn = new SimpleRnn(Features, Units, activation, returnSequences: true);
        rnn.to(ScalarType.Float64);
        var kernel = Values(Features * Units, 0.8, 9);
        var recurrent = Values(Units * Units, 0.6, 10);
        var bias = Values(Units, 0.2, 11);
        Assign(rnn.Kernel, kernel);
        Assign(rnn.RecurrentKernel, recurrent);
        Assign(rnn.Bias!, bias);
        var x = Values(Batch * Time * Features, 1.0, 12);
        var input = tensor(x, [Batch, Time, Features]);
        var act = Plain(activation);

        var expected = new double[Batch * Time * Units];
        for (var b = 0; b < Batch; b++)
        {
            var h = new double[Units];
            for (var t = 0; t < Time; t++)
            {
                var next = new double[Units];
                for (var u = 0; u < Units; u++)
                {
                    var sum = bias[u];
                    for (var f = 0; f < Features; f++)
                        sum += x[(b * Time + t) * Features + f] * kernel[f * Units + u];
                    for (var k = 0; k < Units; k++)
                        sum += h[k] * recurrent[k * Units + u];
                    next[u] = act(sum);
                    expected[(b * Time + t) * Units + u] = next[u];
                }
                h = next;
            }
        }

        AssertClose(expected, Read(rnn.forward(input)), 1e-12);
    }

    [Fact]
    public void RecurrentLayersRejectInputsOfAnotherShape()
    {
        using var lstm = new Lstm(3, 4);
        Assert.Throws<ArgumentException>(() => lstm.forward(zeros(2, 5, 6)));
        Assert.Throws<ArgumentException>(() => lstm.forward(zeros(2, 3)));
        using var gru = new Gru(3, 4);
        Assert.Throws<ArgumentException>(() => gru.forward(zeros(2, 0, 3)));
    }

    [Fact]
    public void DenseIsXTimesKernelPlusBiasThenActivation()
    {
        using var dense = new Dense(3, 2, Activation.Relu);
        dense.to(ScalarType.Float64);
        Assign(dense.Kernel, [1, -1, 2, 0.5, -3, 1]);
        Assign(dense.Bias!, [0.5, -0.25]);
        var input = tensor(new double[] { 1, 2, 3, -1, 0, 1 }, [2, 3]);
        // Row 1: [1 + 4 - 9 + 0.5, -1 + 1 + 3 - 0.25] = [-3.5, 2.75]; row 2: [-1 - 3 + 0.5, 1 + 1 - 0.25] = [-3.5, 1.75].
        AssertClose([-3.5, 2.75, -3.5, 1.75], Read(dense.ForwardLinear(input)), 1e-12);
        AssertClose([0, 2.75, 0, 1.75], Read(dense.forward(input)), 1e-12);

        // On the last axis of a 3-D input, each row as above.
        var sequence = dense.forward(input.view(1, 2, 3));
        Assert.Equal(new long[] { 1, 2, 2 }, sequence.shape);
        AssertClose([0, 2.75, 0, 1.75], Read(sequence), 1e-12);
    }

    [Theory]
    [InlineData("valid", 1, 1)]
    [InlineData("same", 2, 1)]
    [InlineData("same", 1, 1)]
    [InlineData("causal", 1, 2)]
    public void Conv1DMatchesPlainArithmetic(string padding, int stride, int dilation)
    {
        const int Batch = 2, Length = 7, Channels = 2, Filters = 3, Kernel = 3;
        using var conv = new Conv1D(Channels, Filters, Kernel, stride, padding, dilation);
        conv.to(ScalarType.Float64);
        var kernel = Values(Kernel * Channels * Filters, 0.5, 13);
        var bias = Values(Filters, 0.1, 14);
        Assign(conv.Kernel, kernel);
        Assign(conv.Bias!, bias);
        var x = Values(Batch * Length * Channels, 1.0, 15);
        var input = tensor(x, [Batch, Length, Channels]);

        var span = (Kernel - 1) * dilation + 1;
        int outputs, before;
        switch (padding)
        {
            case "same":
                outputs = (Length + stride - 1) / stride;
                before = Math.Max((outputs - 1) * stride + span - Length, 0) / 2;
                break;
            case "causal":
                outputs = Length;
                before = span - 1;
                break;
            default:
                outputs = (Length - span) / stride + 1;
                before = 0;
                break;
        }
        var expected = new double[Batch * outputs * Filters];
        for (var b = 0; b < Batch; b++)
        for (var o = 0; o < outputs; o++)
        for (var f = 0; f < Filters; f++)
        {
            var sum = bias[f];
            for (var k = 0; k < Kernel; k++)
            {
                var position = o * stride + k * dilation - before;
                if (position < 0 || position >= Length)
                    continue;
                for (var c = 0; c < Channels; c++)
                    sum += x[(b * Length + position) * Channels + c] * kernel[(k * Channels + c) * Filters + f];
            }
            expected[(b * outputs + o) * Filters + f] = sum;
        }

        var output = conv.forward(input);
        Assert.Equal(new long[] { Batch, outputs, Filters }, output.shape);
        AssertClose(expected, Read(output), 1e-12);
    }

    [Theory]
    [InlineData("valid", 1)]
    [InlineData("same", 2)]
    public void Conv2DMatchesPlainArithmetic(string padding, int stride)
    {
        const int Height = 5, Width = 4, Channels = 2, Filters = 2, KernelHeight = 3, KernelWidth = 2;
        using var conv = new Conv2D(Channels, Filters, (KernelHeight, KernelWidth), (stride, stride), padding);
        conv.to(ScalarType.Float64);
        var kernel = Values(KernelHeight * KernelWidth * Channels * Filters, 0.5, 16);
        var bias = Values(Filters, 0.1, 17);
        Assign(conv.Kernel, kernel);
        Assign(conv.Bias!, bias);
        var x = Values(Height * Width * Channels, 1.0, 18);
        var input = tensor(x, [1, Height, Width, Channels]);

        (int Outputs, int Before) Axis(int length, int window) => padding == "same"
            ? ((length + stride - 1) / stride, Math.Max(((length + stride - 1) / stride - 1) * stride + window - length, 0) / 2)
            : ((length - window) / stride + 1, 0);
        var (outHeight, top) = Axis(Height, KernelHeight);
        var (outWidth, left) = Axis(Width, KernelWidth);
        var expected = new double[outHeight * outWidth * Filters];
        for (var i = 0; i < outHeight; i++)
        for (var j = 0; j < outWidth; j++)
        for (var f = 0; f < Filters; f++)
        {
            var sum = bias[f];
            for (var ki = 0; ki < KernelHeight; ki++)
            for (var kj = 0; kj < KernelWidth; kj++)
            {
                int row = i * stride + ki - top, column = j * stride + kj - left;
                if (row < 0 || row >= Height || column < 0 || column >= Width)
                    continue;
                for (var c = 0; c < Channels; c++)
                    sum += x[(row * Width + column) * Channels + c] * kernel[((ki * KernelWidth + kj) * Channels + c) * Filters + f];
            }
            expected[(i * outWidth + j) * Filters + f] = sum;
        }

        var output = conv.forward(input);
        Assert.Equal(new long[] { 1, outHeight, outWidth, Filters }, output.shape);
        AssertClose(expected, Read(output), 1e-12);
    }

    [Fact]
    public void MaxPoolingSamePadsWithCellsThatNeverWin()
    {
        // All negative, so a zero-padded cell would win the max at the ragged edge.
        using var pool = new MaxPooling1D(2, 2, "same");
        var output = pool.forward(tensor(new float[] { -5, -4, -3, -2, -1 }, [1, 5, 1]));
        Assert.Equal(new long[] { 1, 3, 1 }, output.shape);
        Assert.Equal(new float[] { -4, -2, -1 }, output.data<float>().ToArray());

        using var pool2 = new MaxPooling2D((2, 2), (2, 2), "same");
        var pooled = pool2.forward(tensor(Enumerable.Range(0, 9).Select(i => -(float)i).ToArray(), [1, 3, 3, 1]));
        Assert.Equal(new long[] { 1, 2, 2, 1 }, pooled.shape);
        Assert.Equal(new float[] { 0, -2, -6, -8 }, pooled.data<float>().ToArray());
    }

    [Fact]
    public void BatchNormalizationUsesBatchStatisticsAndMovesTheAveragesLikeKeras()
    {
        using var norm = new BatchNormalization(2, momentum: 0.9, epsilon: 0.001);
        norm.to(ScalarType.Float64);
        double[] values = [1, 10, 3, 20, 5, 30, 7, 40];
        var input = tensor(values, [4, 2]);
        // Feature 0: mean 4, biased variance 5; feature 1: mean 25, biased variance 125.
        var expected = values.Select((v, i) => i % 2 == 0 ? (v - 4) / Math.Sqrt(5.001) : (v - 25) / Math.Sqrt(125.001)).ToArray();
        AssertClose(expected, Read(norm.forward(input)), 1e-12);
        AssertClose([0.4, 2.5], Read(norm.MovingMean), 1e-12);
        AssertClose([0.9 + 0.5, 0.9 + 12.5], Read(norm.MovingVariance), 1e-12);

        norm.eval();
        var expectedEval = values.Select((v, i) => i % 2 == 0 ? (v - 0.4) / Math.Sqrt(1.401) : (v - 2.5) / Math.Sqrt(13.401)).ToArray();
        AssertClose(expectedEval, Read(norm.forward(input)), 1e-12);
        AssertClose([0.4, 2.5], Read(norm.MovingMean), 1e-12);

        // Any leading axes: each position of (batch, time) is a sample.
        norm.train();
        var sequence = norm.forward(input.view(2, 2, 2));
        Assert.Equal(new long[] { 2, 2, 2 }, sequence.shape);
        AssertClose(expected, Read(sequence), 1e-12);
    }

    [Fact]
    public void DropoutIsIdentityWhenEvaluatingAndScalesWhenTraining()
    {
        using var dropout = new Dropout(0.5);
        Assert.True(dropout.training);
        var input = ones(1000);
        var trained = dropout.forward(input).data<float>().ToArray();
        Assert.All(trained, v => Assert.True(v == 0 || v == 2));
        Assert.InRange(trained.Count(v => v == 0), 400, 600);

        dropout.eval();
        Assert.All(dropout.forward(input).data<float>().ToArray(), v => Assert.Equal(1f, v));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1));
    }

    [Fact]
    public void EmbeddingLooksUpRows()
    {
        using var embedding = new Embedding(4, 2);
        Assign(embedding.Embeddings, [0, 1, 10, 11, 20, 21, 30, 31]);
        var output = embedding.forward(tensor(new long[] { 3, 0, 2 }, [1, 3]));
        Assert.Equal(new long[] { 1, 3, 2 }, output.shape);
        Assert.Equal(new float[] { 30, 31, 0, 1, 20, 21 }, output.data<float>().ToArray());

        // Indices that arrive as floats (a dataset's features) are looked up the same.
        var fromFloats = embedding.forward(tensor(new float[] { 1, 3 }, [2]));
        Assert.Equal(new float[] { 10, 11, 30, 31 }, fromFloats.data<float>().ToArray());
    }

    [Fact]
    public void ShapeLayers()
    {
        var input = arange(24, ScalarType.Float32).view(2, 3, 4);
        using var flatten = new Flatten();
        var flat = flatten.forward(input);
        Assert.Equal(new long[] { 2, 12 }, flat.shape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (float)i), flat.data<float>().ToArray());
        using var reshape = new Reshape(6, -1);
        Assert.Equal(new long[] { 2, 6, 2 }, reshape.forward(input).shape);
        // A (batch,) vector becomes one feature per sample.
        Assert.Equal(new long[] { 4, 1 }, flatten.forward(ones(4)).shape);
    }

    [Theory]
    [MemberData(nameof(ActivationCases))]
    public void ActivationsFollowKerasFormulas(Activation activation)
    {
        double[] x = [-2.5, -1, -0.2, 0, 0.3, 1, 2.4, 4];
        var input = tensor(x, [2, 4]);
        using var layer = new ActivationLayer(activation);
        var output = Read(layer.forward(input));
        if (activation == Activation.Softmax)
        {
            // Over the last axis: each row of four.
            var expected = x.Chunk(4).SelectMany(row => row.Select(v => Math.Exp(v) / row.Sum(Math.Exp))).ToArray();
            AssertClose(expected, output, 1e-12);
        }
        else
        {
            AssertClose(x.Select(Plain(activation)).ToArray(), output, 1e-12);
        }
        AssertClose(x, Read(layer.ForwardLinear(input)), 0);
        Assert.Equal(activation, Activations.Parse(activation.KerasName()));
    }

    public static TheoryData<Activation> ActivationCases => new(Enum.GetValues<Activation>());

    [Fact]
    public void ActivationNamesAreKeras()
    {
        Assert.Equal("hard_sigmoid", Activation.HardSigmoid.KerasName());
        Assert.Equal(Activation.Swish, Activations.Parse("silu"));
        Assert.Equal(Activation.Linear, Activations.Parse(null));
        Assert.Equal(Activation.Linear, Activations.Parse(""));
        var error = Assert.Throws<ArgumentException>(() => Activations.Parse("Relu"));
        Assert.Contains("hard_sigmoid", error.Message);
    }

    [Fact]
    public void TheReferenceModelHasKerasNamesShapesAndCount()
    {
        using var model = new ReferenceModel(CPU, seed: 1);
        var weights = model.NamedWeights().Select(w => $"{w.Name} [{string.Join(", ", w.Tensor.shape)}]");
        Assert.Equal(
        [
            "lstm.kernel [28, 512]", "lstm.recurrent_kernel [128, 512]", "lstm.bias [512]",
            "lstm_1.kernel [128, 512]", "lstm_1.recurrent_kernel [128, 512]", "lstm_1.bias [512]",
            "dense.kernel [128, 32]", "dense.bias [32]", "dense_1.kernel [32, 10]", "dense_1.bias [10]",
        ], weights);
        // The names are TorchSharp's own, so state_dict and named_parameters agree with them.
        Assert.Equal(model.NamedWeights().Select(w => w.Name), model.state_dict().Keys);
        Assert.Equal(model.NamedWeights().Select(w => w.Name), model.named_parameters().Select(p => p.name));
        Assert.Equal(["lstm", "dropout", "lstm_1", "dropout_1", "dense", "dropout_2", "dense_1"], model.Layers.Select(l => l.Name));
        Assert.Equal(216_426, model.WeightCount);
        Assert.Equal(216_426, model.TrainableWeightCount);
        Assert.Equal(10, model.TrainableParameters().Count);
        Assert.All(model.parameters(), p => Assert.True(p.requires_grad));

        // A new model trains, as any TorchSharp module does; train() and eval() reach every layer.
        Assert.All(model.children(), c => Assert.True(c.training));
        model.eval();
        Assert.All(model.children(), c => Assert.False(c.training));
        model.train();
        Assert.All(model.children(), c => Assert.True(c.training));
        model.eval();
        Assert.All(model.children(), c => Assert.False(c.training));

        var probabilities = model.forward(rand(3, 28, 28));
        Assert.Equal(new long[] { 3, 10 }, probabilities.shape);
        AssertClose([1, 1, 1], probabilities.sum(1).to(ScalarType.Float64).data<double>().ToArray(), 1e-5);
    }

    private static string Describe(Layer layer) =>
        string.Join(", ", layer.Weights().Select(w => $"{w.Name} [{string.Join(", ", w.Tensor.shape)}]{(w.Trainable ? "" : " frozen")}"));

    [Fact]
    public void EveryLayerHasKerasWeightsInKerasOrder()
    {
        using var lstm = new Lstm(5, 4);
        Assert.Equal("kernel [5, 16], recurrent_kernel [4, 16], bias [16]", Describe(lstm));
        Assert.Equal(4 * 4 * (5 + 4 + 1), lstm.WeightCount);
        using var gru = new Gru(5, 4);
        Assert.Equal("kernel [5, 12], recurrent_kernel [4, 12], bias [2, 12]", Describe(gru));
        Assert.Equal(3 * 4 * (5 + 4 + 2), gru.WeightCount);
        using var rnn = new SimpleRnn(5, 4, useBias: false);
        Assert.Equal("kernel [5, 4], recurrent_kernel [4, 4]", Describe(rnn));
        Assert.Null(rnn.Bias);
        using var conv1 = new Conv1D(3, 4, 5);
        Assert.Equal("kernel [5, 3, 4], bias [4]", Describe(conv1));
        using var conv2 = new Conv2D(2, 3, (3, 2));
        Assert.Equal("kernel [3, 2, 2, 3], bias [3]", Describe(conv2));
        Assert.Equal(3 * 2 * 2 * 3 + 3, conv2.WeightCount);
        using var embedding = new Embedding(6, 4);
        Assert.Equal("embeddings [6, 4]", Describe(embedding));
        using var dense = new Dense(3, 2, useBias: false);
        Assert.Equal("kernel [3, 2]", Describe(dense));

        // Keras counts the moving statistics, which are buffers here: state_dict holds them, the optimizer never sees them.
        using var norm = new BatchNormalization(3);
        Assert.Equal("gamma [3], beta [3], moving_mean [3] frozen, moving_variance [3] frozen", Describe(norm));
        Assert.Equal(12, norm.WeightCount);
        Assert.Equal(["gamma", "beta"], norm.named_parameters().Select(p => p.name));
        Assert.Equal(["moving_mean", "moving_variance"], norm.named_buffers().Select(b => b.name));
        using var unscaled = new BatchNormalization(3, center: false, scale: false);
        Assert.Equal("moving_mean [3] frozen, moving_variance [3] frozen", Describe(unscaled));

        Layer[] stateless = [new Dropout(0.1), new Flatten(), new Reshape(2), new MaxPooling1D(2, 2), new MaxPooling2D((2, 2), (2, 2)), new ActivationLayer(Activation.Relu)];
        Assert.All(stateless, l => Assert.Equal(0, l.WeightCount));
    }

    [Fact]
    public void WeightsFollowTheModuleToAnotherDtype()
    {
        using var lstm = new Lstm(3, 2);
        var before = lstm.Kernel.data<float>().ToArray();
        lstm.to(ScalarType.Float64);
        // The properties look the parameter up, so they see the converted one, still trainable.
        Assert.Equal(ScalarType.Float64, lstm.Kernel.dtype);
        Assert.True(lstm.Kernel.requires_grad);
        Assert.Equal(before.Select(v => (double)v), Read(lstm.Kernel));
        Assert.All(lstm.Weights(), w => Assert.Equal(ScalarType.Float64, w.Tensor.dtype));

        using var norm = new BatchNormalization(2);
        norm.to(ScalarType.Float64);
        Assert.Equal(ScalarType.Float64, norm.MovingMean.dtype);
        Assert.Same(norm.get_buffer("moving_mean"), norm.MovingMean);
    }

    [Fact]
    public void LstmInitializersFollowKeras()
    {
        using var lstm = new Lstm(28, 16);
        var bias = lstm.Bias!.data<float>().ToArray();
        Assert.All(bias[..16], v => Assert.Equal(0f, v));
        Assert.All(bias[16..32], v => Assert.Equal(1f, v));
        Assert.All(bias[32..], v => Assert.Equal(0f, v));

        // glorot_uniform: within sqrt(6 / (fan_in + fan_out)), spread like a uniform distribution.
        var limit = Math.Sqrt(6.0 / (28 + 64));
        var kernel = lstm.Kernel.data<float>().ToArray();
        Assert.All(kernel, v => Assert.InRange(v, -limit, limit));
        var std = Math.Sqrt(kernel.Select(v => (double)v * v).Average());
        Assert.InRange(std, 0.9 * limit / Math.Sqrt(3), 1.1 * limit / Math.Sqrt(3));

        // orthogonal (16, 64): orthonormal rows.
        var recurrent = lstm.RecurrentKernel.detach();
        var gram = recurrent.matmul(recurrent.t()).data<float>().ToArray();
        for (var i = 0; i < 16; i++)
            for (var j = 0; j < 16; j++)
                Assert.Equal(i == j ? 1.0 : 0.0, gram[i * 16 + j], 4);

        using var plain = new Lstm(28, 16, unitForgetBias: false, biasInitializer: "ones");
        Assert.All(plain.Bias!.data<float>().ToArray(), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void GruBiasHasKerasResetAfterShape()
    {
        using var gru = new Gru(5, 4);
        Assert.Equal(new long[] { 2, 12 }, gru.Bias!.shape);
        using var plain = new Gru(5, 4, resetAfter: false);
        Assert.Equal(new long[] { 12 }, plain.Bias!.shape);
    }

    [Fact]
    public void UnknownInitializersAndPaddingsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new Dense(2, 2, kernelInitializer: "glorot"));
        Assert.Throws<ArgumentException>(() => new Conv2D(1, 1, (2, 2), padding: "causal"));
        Assert.Throws<ArgumentException>(() => new MaxPooling1D(2, 2, "full"));
    }

    /// <summary>libtorch's errors reach .NET as exceptions carrying its message; the process and the layer carry on.</summary>
    public static TheoryData<Func<Layer>, long[], string> ShapeMismatches => new()
    {
        { () => new Dense(3, 2), [2, 4], "mat1 and mat2 shapes cannot be multiplied (2x4 and 3x2)" },
        { () => new Dense(3, 2), [2, 5, 4], "mat1 and mat2 shapes cannot be multiplied (10x4 and 3x2)" },
        { () => new Conv2D(2, 3, (3, 3)), [1, 5, 5, 3], "to have 2 channels, but got 3 channels instead" },
        { () => new Reshape(5), [2, 3], "shape '[2, 5]' is invalid for input of size 6" },
        { () => new BatchNormalization(3), [4, 2], "running_mean should contain 2 elements not 3" },
    };

    [Theory]
    [MemberData(nameof(ShapeMismatches))]
    public void AShapeMismatchInALayerIsAnExceptionWithLibtorchsMessage(Func<Layer> create, long[] inputShape, string message)
    {
        using var layer = create();
        layer.eval();
        var error = Assert.Throws<ExternalException>(() => layer.forward(zeros(inputShape)));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void ALayerWorksAfterALibtorchError()
    {
        using var dense = new Dense(3, 2);
        Assert.Throws<ExternalException>(() => dense.forward(zeros(2, 4)));
        Assert.Equal(new long[] { 2, 2 }, dense.forward(zeros(2, 3)).shape);
    }
}

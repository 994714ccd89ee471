using ModelDsl.Runtime.Layers;

namespace ModelDsl.Runtime.Tests;

/// <summary>Layer forward passes against plain C# arithmetic, Keras' weight layouts, names and initializers.</summary>
public class LayerTests
{
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static double Relu(double x) => Math.Max(0, x);

    private static Func<double, double> Plain(Activation activation) => activation switch
    {
        Activation.Relu => Relu,
        Activation.Sigmoid => Sigmoid,
        Activation.Tanh => Math.Tanh,
        Activation.HardSigmoid => x => Math.Clamp(0.2 * x + 0.5, 0, 1),
        Activation.Softsign => x => x / (1 + Math.Abs(x)),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    // Deterministic, varied values: weights that exercise every gate differently.
    private static double[] Values(int count, double scale, int salt) =>
        Enumerable.Range(0, count).Select(i => scale * Math.Sin(1.3 * i + salt)).ToArray();

    private static void Assign(Tensor target, double[] values)
    {
        using var noGrad = new NoGradScope();
        using var source = Tensor.From(values, target.Shape);
        target.CopyFrom(source);
    }

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
        lstm.To(DType.Float64);
        Assign(lstm.Kernel, [0.5, -0.5, 1.0, 0.25]);
        Assign(lstm.RecurrentKernel, [0.1, 0.2, -0.3, 0.4]);
        Assign(lstm.Bias!, [0, 1, 0, 0]);
        using var input = Tensor.From(new double[] { 2.0, 1.0 }, 1, 2, 1);

        // t = 1, x = 2: gates = [1.0, 0.0, 2.0, 0.5]; c1 = sigmoid(1) * relu(2) = 1.4621171573; h1 = sigmoid(0.5) * relu(c1).
        var c1 = Sigmoid(1.0) * 2.0;
        var h1 = Sigmoid(0.5) * c1;
        // t = 2, x = 1: gates = x kernel + h1 recurrent + bias.
        double gi = 0.5 + 0.1 * h1, gf = -0.5 + 0.2 * h1 + 1, gc = 1.0 - 0.3 * h1, go = 0.25 + 0.4 * h1;
        var c2 = Sigmoid(gf) * c1 + Sigmoid(gi) * Relu(gc);
        var h2 = Sigmoid(go) * Relu(c2);
        Assert.Equal(1.4621171572600098, c1, 12);

        using var output = lstm.Forward(input);
        Assert.Equal(new long[] { 1, 2, 1 }, output.Shape);
        AssertClose([h1, h2], output.ToArray<double>(), 1e-12);
    }

    [Theory]
    [InlineData(Activation.Relu, Activation.Sigmoid)]        // the reference model: one node, hand-written backward
    [InlineData(Activation.Relu, Activation.HardSigmoid)]
    [InlineData(Activation.Tanh, Activation.Sigmoid)]        // libtorch's fused LSTM
    [InlineData(Activation.Softsign, Activation.HardSigmoid)] // the generic cell loop
    public void LstmMatchesPlainArithmetic(Activation activation, Activation recurrentActivation)
    {
        const int Batch = 2, Time = 4, Features = 3, Units = 3;
        using var lstm = new Lstm(Features, Units, activation, recurrentActivation, returnSequences: true);
        lstm.To(DType.Float64);
        var kernel = Values(Features * 4 * Units, 0.6, 1);
        var recurrent = Values(Units * 4 * Units, 0.5, 2);
        var bias = Values(4 * Units, 0.3, 3);
        Assign(lstm.Kernel, kernel);
        Assign(lstm.RecurrentKernel, recurrent);
        Assign(lstm.Bias!, bias);
        var x = Values(Batch * Time * Features, 1.0, 4);
        using var input = Tensor.From(x, Batch, Time, Features);

        var expected = RunLstm(x, Batch, Time, Features, kernel, recurrent, bias, Units, Plain(activation), Plain(recurrentActivation));
        using var sequence = lstm.Forward(input);
        AssertClose(expected, sequence.ToArray<double>(), 1e-12);

        using var last = new Lstm(Features, Units, activation, recurrentActivation, returnSequences: false);
        last.To(DType.Float64);
        Assign(last.Kernel, kernel);
        Assign(last.RecurrentKernel, recurrent);
        Assign(last.Bias!, bias);
        using var final = last.Forward(input);
        Assert.Equal(new long[] { Batch, Units }, final.Shape);
        var lastSteps = Enumerable.Range(0, Batch).SelectMany(b => expected.Skip((b * Time + Time - 1) * Units).Take(Units)).ToArray();
        AssertClose(lastSteps, final.ToArray<double>(), 1e-12);
    }

    [Theory]
    [InlineData(Activation.Tanh, true)]   // fused, gates reordered for libtorch
    [InlineData(Activation.Relu, true)]   // the cell loop
    [InlineData(Activation.Tanh, false)]  // reset before the recurrent product
    public void GruMatchesPlainArithmetic(Activation activation, bool resetAfter)
    {
        const int Batch = 2, Time = 3, Features = 2, Units = 3;
        using var gru = new Gru(Features, Units, activation, returnSequences: true, resetAfter: resetAfter);
        gru.To(DType.Float64);
        var kernel = Values(Features * 3 * Units, 0.7, 5);
        var recurrent = Values(Units * 3 * Units, 0.5, 6);
        var bias = Values((resetAfter ? 2 : 1) * 3 * Units, 0.4, 7);
        Assign(gru.Kernel, kernel);
        Assign(gru.RecurrentKernel, recurrent);
        Assign(gru.Bias!, bias);
        var x = Values(Batch * Time * Features, 1.0, 8);
        using var input = Tensor.From(x, Batch, Time, Features);
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

        using var output = gru.Forward(input);
        AssertClose(expected, output.ToArray<double>(), 1e-12);
    }

    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Sigmoid)]
    public void SimpleRnnMatchesPlainArithmetic(Activation activation)
    {
        const int Batch = 2, Time = 3, Features = 2, Units = 2;
        using var rnn = new SimpleRnn(Features, Units, activation, returnSequences: true);
        rnn.To(DType.Float64);
        var kernel = Values(Features * Units, 0.8, 9);
        var recurrent = Values(Units * Units, 0.6, 10);
        var bias = Values(Units, 0.2, 11);
        Assign(rnn.Kernel, kernel);
        Assign(rnn.RecurrentKernel, recurrent);
        Assign(rnn.Bias!, bias);
        var x = Values(Batch * Time * Features, 1.0, 12);
        using var input = Tensor.From(x, Batch, Time, Features);
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

        using var output = rnn.Forward(input);
        AssertClose(expected, output.ToArray<double>(), 1e-12);
    }

    [Fact]
    public void DenseIsXTimesKernelPlusBiasThenActivation()
    {
        using var dense = new Dense(3, 2, Activation.Relu);
        dense.To(DType.Float64);
        Assign(dense.Kernel, [1, -1, 2, 0.5, -3, 1]);
        Assign(dense.Bias!, [0.5, -0.25]);
        using var input = Tensor.From(new double[] { 1, 2, 3, -1, 0, 1 }, 2, 3);
        // Row 1: [1 + 4 - 9 + 0.5, -1 + 1 + 3 - 0.25] = [-3.5, 2.75]; row 2: [-1 - 3 + 0.5, 1 + 1 - 0.25] = [-3.5, 1.75].
        using var linear = dense.ForwardLinear(input);
        AssertClose([-3.5, 2.75, -3.5, 1.75], linear.ToArray<double>(), 1e-12);
        using var output = dense.Forward(input);
        AssertClose([0, 2.75, 0, 1.75], output.ToArray<double>(), 1e-12);
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
        conv.To(DType.Float64);
        var kernel = Values(Kernel * Channels * Filters, 0.5, 13);
        var bias = Values(Filters, 0.1, 14);
        Assign(conv.Kernel, kernel);
        Assign(conv.Bias!, bias);
        var x = Values(Batch * Length * Channels, 1.0, 15);
        using var input = Tensor.From(x, Batch, Length, Channels);

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

        using var output = conv.Forward(input);
        Assert.Equal(new long[] { Batch, outputs, Filters }, output.Shape);
        AssertClose(expected, output.ToArray<double>(), 1e-12);
    }

    [Theory]
    [InlineData("valid", 1)]
    [InlineData("same", 2)]
    public void Conv2DMatchesPlainArithmetic(string padding, int stride)
    {
        const int Height = 5, Width = 4, Channels = 2, Filters = 2, KernelHeight = 3, KernelWidth = 2;
        using var conv = new Conv2D(Channels, Filters, KernelHeight, KernelWidth, stride, stride, padding);
        conv.To(DType.Float64);
        var kernel = Values(KernelHeight * KernelWidth * Channels * Filters, 0.5, 16);
        var bias = Values(Filters, 0.1, 17);
        Assign(conv.Kernel, kernel);
        Assign(conv.Bias!, bias);
        var x = Values(Height * Width * Channels, 1.0, 18);
        using var input = Tensor.From(x, 1, Height, Width, Channels);

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

        using var output = conv.Forward(input);
        Assert.Equal(new long[] { 1, outHeight, outWidth, Filters }, output.Shape);
        AssertClose(expected, output.ToArray<double>(), 1e-12);
    }

    [Fact]
    public void MaxPoolingSamePadsWithCellsThatNeverWin()
    {
        // All negative, so a zero-padded cell would win the max at the ragged edge.
        using var pool = new MaxPooling1D(2, 2, "same");
        using var input = Tensor.From(new float[] { -5, -4, -3, -2, -1 }, 1, 5, 1);
        using var output = pool.Forward(input);
        Assert.Equal(new long[] { 1, 3, 1 }, output.Shape);
        Assert.Equal(new float[] { -4, -2, -1 }, output.ToArray<float>());

        using var pool2 = new MaxPooling2D(2, 2, 2, 2, "same");
        using var image = Tensor.From(Enumerable.Range(0, 9).Select(i => -(float)i).ToArray(), 1, 3, 3, 1);
        using var pooled = pool2.Forward(image);
        Assert.Equal(new long[] { 1, 2, 2, 1 }, pooled.Shape);
        Assert.Equal(new float[] { 0, -2, -6, -8 }, pooled.ToArray<float>());
    }

    [Fact]
    public void BatchNormalizationUsesBatchStatisticsAndMovesTheAveragesLikeKeras()
    {
        using var norm = new BatchNormalization(2, momentum: 0.9, epsilon: 0.001);
        norm.To(DType.Float64);
        using var input = Tensor.From(new double[] { 1, 10, 3, 20, 5, 30, 7, 40 }, 4, 2);
        using var output = norm.Forward(input);
        // Feature 0: mean 4, biased variance 5; feature 1: mean 25, biased variance 125.
        var expected = new[] { 1.0, 10, 3, 20, 5, 30, 7, 40 }.Select((v, i) => i % 2 == 0 ? (v - 4) / Math.Sqrt(5.001) : (v - 25) / Math.Sqrt(125.001)).ToArray();
        AssertClose(expected, output.ToArray<double>(), 1e-12);
        AssertClose([0.4, 2.5], norm.MovingMean.ToArray<double>(), 1e-12);
        AssertClose([0.9 + 0.5, 0.9 + 12.5], norm.MovingVariance.ToArray<double>(), 1e-12);

        norm.Eval();
        using var evaluated = norm.Forward(input);
        var expectedEval = new[] { 1.0, 10, 3, 20, 5, 30, 7, 40 }.Select((v, i) => i % 2 == 0 ? (v - 0.4) / Math.Sqrt(1.401) : (v - 2.5) / Math.Sqrt(13.401)).ToArray();
        AssertClose(expectedEval, evaluated.ToArray<double>(), 1e-12);
        AssertClose([0.4, 2.5], norm.MovingMean.ToArray<double>(), 1e-12);
        Assert.Equal(["gamma", "beta", "moving_mean", "moving_variance"], norm.NamedWeights().Select(w => w.Name));
    }

    [Fact]
    public void DropoutIsIdentityWhenEvaluatingAndScalesWhenTraining()
    {
        using var dropout = new Dropout(0.5);
        using var input = Tensor.Ones([1000]);
        using (var trained = dropout.Forward(input))
        {
            var values = trained.ToArray<float>();
            Assert.All(values, v => Assert.True(v == 0 || v == 2));
            Assert.InRange(values.Count(v => v == 0), 400, 600);
        }
        dropout.Eval();
        using var evaluated = dropout.Forward(input);
        Assert.All(evaluated.ToArray<float>(), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void EmbeddingLooksUpRows()
    {
        using var embedding = new Embedding(4, 2);
        Assign(embedding.Embeddings, [0, 1, 10, 11, 20, 21, 30, 31]);
        using var indices = Tensor.From(new long[] { 3, 0, 2 }, 1, 3);
        using var output = embedding.Forward(indices);
        Assert.Equal(new long[] { 1, 3, 2 }, output.Shape);
        Assert.Equal(new float[] { 30, 31, 0, 1, 20, 21 }, output.ToArray<float>());
    }

    [Fact]
    public void ShapeLayers()
    {
        using var input = Tensor.Zeros([2, 3, 4]);
        using var flat = new Flatten().Forward(input);
        Assert.Equal(new long[] { 2, 12 }, flat.Shape);
        using var reshaped = new Reshape(6, -1).Forward(input);
        Assert.Equal(new long[] { 2, 6, 2 }, reshaped.Shape);
    }

    private sealed class Stack : Module
    {
        public Stack(params (string Name, Layer Layer)[] layers)
        {
            foreach (var (name, layer) in layers)
                RegisterModule(name, layer);
        }
    }

    [Fact]
    public void TheReferenceModelHasKerasNamesShapesAndCount()
    {
        using var model = new Stack(
            ("lstm", new Lstm(28, 128, Activation.Relu, returnSequences: true)),
            ("dropout", new Dropout(0.2)),
            ("lstm_1", new Lstm(128, 128, Activation.Relu)),
            ("dropout_1", new Dropout(0.2)),
            ("dense", new Dense(128, 32, Activation.Relu)),
            ("dropout_2", new Dropout(0.2)),
            ("dense_1", new Dense(32, 10, Activation.Softmax)));

        var weights = model.NamedWeights().Select(w => $"{w.Name} [{string.Join(", ", w.Tensor.Shape)}]");
        Assert.Equal(
        [
            "lstm/kernel [28, 512]", "lstm/recurrent_kernel [128, 512]", "lstm/bias [512]",
            "lstm_1/kernel [128, 512]", "lstm_1/recurrent_kernel [128, 512]", "lstm_1/bias [512]",
            "dense/kernel [128, 32]", "dense/bias [32]", "dense_1/kernel [32, 10]", "dense_1/bias [10]",
        ], weights);
        Assert.Equal(216_426, model.WeightCount);
        Assert.Equal(216_426, model.TrainableWeightCount);
        Assert.All(model.Parameters(), p => Assert.True(p.RequiresGrad));

        model.Eval();
        Assert.All(model.NamedChildren(), c => Assert.False(c.Module.Training));
    }

    [Fact]
    public void LstmInitializersFollowKeras()
    {
        using var lstm = new Lstm(28, 16);
        var bias = lstm.Bias!.ToArray<float>();
        Assert.All(bias[..16], v => Assert.Equal(0f, v));
        Assert.All(bias[16..32], v => Assert.Equal(1f, v));
        Assert.All(bias[32..], v => Assert.Equal(0f, v));

        // glorot_uniform: within sqrt(6 / (fan_in + fan_out)), spread like a uniform distribution.
        var limit = Math.Sqrt(6.0 / (28 + 64));
        var kernel = lstm.Kernel.ToArray<float>();
        Assert.All(kernel, v => Assert.InRange(v, -limit, limit));
        var std = Math.Sqrt(kernel.Select(v => (double)v * v).Average());
        Assert.InRange(std, 0.9 * limit / Math.Sqrt(3), 1.1 * limit / Math.Sqrt(3));

        // orthogonal (16, 64): orthonormal rows.
        using var recurrent = lstm.RecurrentKernel.Detach();
        using var transposed = recurrent.Transpose(0, 1);
        using var gram = recurrent.MatMul(transposed);
        var values = gram.ToArray<float>();
        for (var i = 0; i < 16; i++)
            for (var j = 0; j < 16; j++)
                Assert.Equal(i == j ? 1.0 : 0.0, values[i * 16 + j], 4);
    }

    [Fact]
    public void GruBiasHasKerasResetAfterShape()
    {
        using var gru = new Gru(5, 4);
        Assert.Equal(new long[] { 2, 12 }, gru.Bias!.Shape);
        using var plain = new Gru(5, 4, resetAfter: false);
        Assert.Equal(new long[] { 12 }, plain.Bias!.Shape);
    }

    [Fact]
    public void UnknownInitializersAndPaddingsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new Dense(2, 2, kernelInitializer: "glorot"));
        Assert.Throws<ArgumentException>(() => new Conv2D(1, 1, 2, 2, padding: "causal"));
    }
}

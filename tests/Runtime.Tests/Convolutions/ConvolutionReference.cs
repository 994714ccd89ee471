using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Convolutions;

/// <summary>One spatial axis of a reference convolution: input size, window, stride, dilation, padding before, output size.</summary>
internal readonly record struct Axis(int Size, int Kernel, int Stride, int Dilation, int Before, int Outputs)
{
    public int Span => (Kernel - 1) * Dilation + 1;

    /// <summary>Keras' output size and leading padding of a convolution (TensorFlow's "same": the odd cell after).</summary>
    public static Axis Forward(string padding, int size, int kernel, int stride = 1, int dilation = 1)
    {
        var span = (kernel - 1) * dilation + 1;
        switch (padding)
        {
            case "valid":
                return new(size, kernel, stride, dilation, 0, (size - span) / stride + 1);
            case "same":
                var outputs = (size + stride - 1) / stride;
                return new(size, kernel, stride, dilation, Math.Max((outputs - 1) * stride + span - size, 0) / 2, outputs);
            case "causal":
                return new(size, kernel, stride, dilation, span - 1, (size - 1) / stride + 1);
            default:
                throw new ArgumentOutOfRangeException(nameof(padding), padding, null);
        }
    }

    /// <summary>
    /// Keras' output size of a transposed convolution (keras.layers.Conv*Transpose.compute_output_shape), and the
    /// cells of the uncropped result, (size - 1) * stride + span long, it drops before: half the surplus for "same".
    /// </summary>
    public static Axis Transposed(string padding, int size, int kernel, int stride = 1, int dilation = 1, int? outputPadding = null)
    {
        var span = (kernel - 1) * dilation + 1;
        var outputs = (padding, outputPadding) switch
        {
            ("valid", null) => size * stride + Math.Max(span - stride, 0),
            ("valid", { } extra) => (size - 1) * stride + span + extra,
            ("same", null) => size * stride,
            ("same", { } extra) => (size - 1) * stride + span - 2 * (span / 2) + extra,
            _ => throw new ArgumentOutOfRangeException(nameof(padding), padding, null),
        };
        var surplus = (size - 1) * stride + span - outputs;
        return new(size, kernel, stride, dilation, padding == "same" ? Math.Max(surplus, 0) / 2 : 0, outputs);
    }
}

/// <summary>
/// Plain-loop convolutions over channels-last arrays in Keras' weight layouts, the references the layers are held to.
/// 1-D cases use a height axis of size 1.
/// </summary>
internal static class ConvolutionReference
{
    public static readonly Axis Unit = new(1, 1, 1, 1, 0, 1);

    /// <summary>Deterministic, varied values.</summary>
    public static double[] Values(long count, double scale, int salt) =>
        Enumerable.Range(0, (int)count).Select(i => scale * Math.Sin(1.3 * i + salt)).ToArray();

    public static void Assign(Tensor target, double[] values)
    {
        using var noGrad = no_grad();
        target.copy_(tensor(values, target.shape, target.dtype));
    }

    public static double[] Read(Tensor t) => t.contiguous().data<double>().ToArray();

    public static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    /// <summary>Keras' grouped convolution: x (batch, h, w, channels), kernel (kh, kw, channels / groups, filters).</summary>
    public static double[] Correlate(double[] x, int batch, Axis rows, Axis columns, int channels, double[] kernel, int filters, int groups, double[]? bias)
    {
        var perGroupIn = channels / groups;
        var perGroupOut = filters / groups;
        var y = new double[batch * rows.Outputs * columns.Outputs * filters];
        for (var b = 0; b < batch; b++)
        for (var i = 0; i < rows.Outputs; i++)
        for (var j = 0; j < columns.Outputs; j++)
        for (var f = 0; f < filters; f++)
        {
            var group = f / perGroupOut;
            var sum = bias?[f] ?? 0;
            for (var ki = 0; ki < rows.Kernel; ki++)
            for (var kj = 0; kj < columns.Kernel; kj++)
            {
                int row = i * rows.Stride + ki * rows.Dilation - rows.Before, column = j * columns.Stride + kj * columns.Dilation - columns.Before;
                if (row < 0 || row >= rows.Size || column < 0 || column >= columns.Size)
                    continue;
                for (var c = 0; c < perGroupIn; c++)
                    sum += x[((b * rows.Size + row) * columns.Size + column) * channels + group * perGroupIn + c]
                        * kernel[((ki * columns.Kernel + kj) * perGroupIn + c) * filters + f];
            }
            y[((b * rows.Outputs + i) * columns.Outputs + j) * filters + f] = sum;
        }
        return y;
    }

    /// <summary>
    /// Keras' transposed convolution by its definition: input cell (i, j) adds x * kernel at output
    /// (i * stride + k * dilation - before) for every tap; kernel (kh, kw, filters, channels); bias on every cell.
    /// </summary>
    public static double[] CorrelateTransposed(double[] x, int batch, Axis rows, Axis columns, int channels, double[] kernel, int filters, double[]? bias)
    {
        var y = new double[batch * rows.Outputs * columns.Outputs * filters];
        for (var b = 0; b < batch; b++)
        for (var i = 0; i < rows.Size; i++)
        for (var j = 0; j < columns.Size; j++)
        for (var ki = 0; ki < rows.Kernel; ki++)
        for (var kj = 0; kj < columns.Kernel; kj++)
        {
            int row = i * rows.Stride + ki * rows.Dilation - rows.Before, column = j * columns.Stride + kj * columns.Dilation - columns.Before;
            if (row < 0 || row >= rows.Outputs || column < 0 || column >= columns.Outputs)
                continue;
            for (var f = 0; f < filters; f++)
            for (var c = 0; c < channels; c++)
                y[((b * rows.Outputs + row) * columns.Outputs + column) * filters + f] +=
                    x[((b * rows.Size + i) * columns.Size + j) * channels + c] * kernel[((ki * columns.Kernel + kj) * filters + f) * channels + c];
        }
        if (bias is not null)
            for (var k = 0; k < y.Length; k++)
                y[k] += bias[k % filters];
        return y;
    }

    /// <summary>Keras' depthwise convolution: kernel (kh, kw, channels, multiplier), output channel c * multiplier + m.</summary>
    public static double[] Depthwise(double[] x, int batch, Axis rows, Axis columns, int channels, double[] kernel, int multiplier, double[]? bias)
    {
        var outChannels = channels * multiplier;
        var y = new double[batch * rows.Outputs * columns.Outputs * outChannels];
        for (var b = 0; b < batch; b++)
        for (var i = 0; i < rows.Outputs; i++)
        for (var j = 0; j < columns.Outputs; j++)
        for (var c = 0; c < channels; c++)
        for (var m = 0; m < multiplier; m++)
        {
            var sum = bias?[c * multiplier + m] ?? 0;
            for (var ki = 0; ki < rows.Kernel; ki++)
            for (var kj = 0; kj < columns.Kernel; kj++)
            {
                int row = i * rows.Stride + ki * rows.Dilation - rows.Before, column = j * columns.Stride + kj * columns.Dilation - columns.Before;
                if (row < 0 || row >= rows.Size || column < 0 || column >= columns.Size)
                    continue;
                sum += x[((b * rows.Size + row) * columns.Size + column) * channels + c] * kernel[((ki * columns.Kernel + kj) * channels + c) * multiplier + m];
            }
            y[((b * rows.Outputs + i) * columns.Outputs + j) * outChannels + c * multiplier + m] = sum;
        }
        return y;
    }

    /// <summary>The pointwise step: every cell's channels times the (channels, filters) matrix, plus the bias.</summary>
    public static double[] Pointwise(double[] x, int channels, double[] kernel, int filters, double[]? bias)
    {
        var cells = x.Length / channels;
        var y = new double[cells * filters];
        for (var p = 0; p < cells; p++)
        for (var f = 0; f < filters; f++)
        {
            var sum = bias?[f] ?? 0;
            for (var c = 0; c < channels; c++)
                sum += x[p * channels + c] * kernel[c * filters + f];
            y[p * filters + f] = sum;
        }
        return y;
    }
}

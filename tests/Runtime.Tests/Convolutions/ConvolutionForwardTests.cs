using ModelDsl.Runtime.Layers;
using TorchSharp;
using static ModelDsl.Runtime.Tests.Convolutions.ConvolutionReference;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Convolutions;

/// <summary>The convolution layers' forwards against plain loops over Keras' weight layouts (float64, 1e-12).</summary>
public class ConvolutionForwardTests
{
    private const double Tolerance = 1e-12;

    [Theory]
    [InlineData("valid", 1, 1, 1)]
    [InlineData("same", 2, 1, 2)]
    [InlineData("same", 1, 3, 1)]
    [InlineData("causal", 1, 2, 3)]
    [InlineData("causal", 3, 1, 1)]
    public void Conv1DWithGroupsAndDilation(string padding, int stride, int dilation, int groups)
    {
        const int Batch = 2, Length = 10, Channels = 6, Filters = 6, Kernel = 3;
        using var conv = new Conv1D(Channels, Filters, Kernel, stride, padding, dilation, groups);
        conv.to(ScalarType.Float64);
        var kernel = Values(conv.Kernel.numel(), 0.5, 1);
        var bias = Values(Filters, 0.1, 2);
        Assign(conv.Kernel, kernel);
        Assign(conv.Bias!, bias);
        var x = Values(Batch * Length * Channels, 1, 3);

        var steps = Axis.Forward(padding, Length, Kernel, stride, dilation);
        var expected = Correlate(x, Batch, Unit, steps, Channels, kernel, Filters, groups, bias);

        var output = conv.forward(tensor(x, [Batch, Length, Channels]));
        Assert.Equal(new long[] { Batch, steps.Outputs, Filters }, output.shape);
        AssertClose(expected, Read(output), Tolerance);
    }

    [Fact]
    public void CausalConv1DOutputSeesOnlyThePast()
    {
        using var conv = new Conv1D(1, 1, 3, padding: "causal", dilationRate: 2, useBias: false);
        conv.to(ScalarType.Float64);
        Assign(conv.Kernel, [1, 1, 1]);
        var x = new double[] { 1, 2, 4, 8, 16, 32, 64 };
        var output = Read(conv.forward(tensor(x, [1, 7, 1])));
        // y[t] = x[t] + x[t - 2] + x[t - 4], missing terms zero.
        AssertClose([1, 2, 5, 10, 21, 42, 84], output, Tolerance);
    }

    [Theory]
    [InlineData("valid", 1, 1, 1, 1)]
    [InlineData("valid", 2, 1, 1, 2)]
    [InlineData("same", 1, 2, 1, 2)]
    [InlineData("same", 1, 1, 3, 4)]
    [InlineData("same", 3, 2, 1, 1)]
    public void Conv2DWithGroupsAndDilation(string padding, int strideHeight, int strideWidth, int dilation, int groups)
    {
        const int Batch = 2, Height = 7, Width = 8, Channels = 4, Filters = 4;
        var kernelSize = (3, 2);
        var dilationRate = strideHeight > 1 || strideWidth > 1 ? (1, 1) : (dilation, 1);
        using var conv = new Conv2D(Channels, Filters, kernelSize, (strideHeight, strideWidth), padding, dilationRate, groups);
        conv.to(ScalarType.Float64);
        Assert.Equal(new long[] { 3, 2, Channels / groups, Filters }, conv.Kernel.shape);
        var kernel = Values(conv.Kernel.numel(), 0.5, 4);
        var bias = Values(Filters, 0.1, 5);
        Assign(conv.Kernel, kernel);
        Assign(conv.Bias!, bias);
        var x = Values(Batch * Height * Width * Channels, 1, 6);

        var rows = Axis.Forward(padding, Height, 3, strideHeight, dilationRate.Item1);
        var columns = Axis.Forward(padding, Width, 2, strideWidth, dilationRate.Item2);
        var expected = Correlate(x, Batch, rows, columns, Channels, kernel, Filters, groups, bias);

        var output = conv.forward(tensor(x, [Batch, Height, Width, Channels]));
        Assert.Equal(new long[] { Batch, rows.Outputs, columns.Outputs, Filters }, output.shape);
        AssertClose(expected, Read(output), Tolerance);
    }

    [Theory]
    [InlineData("valid", 1, 1, null)]
    [InlineData("valid", 2, 1, null)]
    [InlineData("valid", 3, 1, 2)]
    [InlineData("valid", 1, 2, null)]
    [InlineData("same", 1, 1, null)]
    [InlineData("same", 2, 1, null)]
    [InlineData("same", 3, 1, 1)]
    [InlineData("same", 2, 1, 0)]
    [InlineData("same", 1, 3, null)]
    public void Conv1DTransposeMatchesTheScatterDefinition(string padding, int stride, int dilation, int? outputPadding)
    {
        const int Batch = 2, Length = 5, Channels = 3, Filters = 2, Kernel = 4;
        using var conv = new Conv1DTranspose(Channels, Filters, Kernel, stride, padding, outputPadding, dilation, Activation.Linear);
        conv.to(ScalarType.Float64);
        Assert.Equal(new long[] { Kernel, Filters, Channels }, conv.Kernel.shape);
        var kernel = Values(conv.Kernel.numel(), 0.5, 7);
        var bias = Values(Filters, 0.1, 8);
        Assign(conv.Kernel, kernel);
        Assign(conv.Bias!, bias);
        var x = Values(Batch * Length * Channels, 1, 9);

        var steps = Axis.Transposed(padding, Length, Kernel, stride, dilation, outputPadding);
        var expected = CorrelateTransposed(x, Batch, Unit, steps, Channels, kernel, Filters, bias);

        var output = conv.forward(tensor(x, [Batch, Length, Channels]));
        Assert.Equal(new long[] { Batch, steps.Outputs, Filters }, output.shape);
        AssertClose(expected, Read(output), Tolerance);
    }

    [Theory]
    [InlineData("valid", 2, 3, null)]
    [InlineData("valid", 2, 2, 1)]
    [InlineData("same", 2, 3, null)]
    [InlineData("same", 3, 2, 2)]
    [InlineData("same", 1, 1, null)]
    public void Conv2DTransposeMatchesTheScatterDefinition(string padding, int strideHeight, int strideWidth, int? outputPadding)
    {
        const int Batch = 2, Height = 3, Width = 4, Channels = 2, Filters = 3;
        (int, int)? extra = outputPadding is { } p ? (Math.Min(p, strideHeight - 1), Math.Min(p, strideWidth - 1)) : null;
        using var conv = new Conv2DTranspose(Channels, Filters, (3, 2), (strideHeight, strideWidth), padding, extra, activation: Activation.Linear);
        conv.to(ScalarType.Float64);
        Assert.Equal(new long[] { 3, 2, Filters, Channels }, conv.Kernel.shape);
        var kernel = Values(conv.Kernel.numel(), 0.5, 10);
        var bias = Values(Filters, 0.1, 11);
        Assign(conv.Kernel, kernel);
        Assign(conv.Bias!, bias);
        var x = Values(Batch * Height * Width * Channels, 1, 12);

        var rows = Axis.Transposed(padding, Height, 3, strideHeight, 1, extra?.Item1);
        var columns = Axis.Transposed(padding, Width, 2, strideWidth, 1, extra?.Item2);
        var expected = CorrelateTransposed(x, Batch, rows, columns, Channels, kernel, Filters, bias);

        var output = conv.forward(tensor(x, [Batch, Height, Width, Channels]));
        Assert.Equal(new long[] { Batch, rows.Outputs, columns.Outputs, Filters }, output.shape);
        Assert.Equal((rows.Outputs, columns.Outputs), ((int)conv.OutputSize(Height, Width).Height, (int)conv.OutputSize(Height, Width).Width));
        AssertClose(expected, Read(output), Tolerance);
    }

    /// <summary>
    /// TensorFlow defines the transposed convolution as the gradient of the convolution with the same arguments, so
    /// &lt;conv(u), v&gt; = &lt;conv_transpose(v), u&gt; for one kernel wherever the transposed output has conv's input size.
    /// This pins where "same" crops, independently of the scatter reference.
    /// </summary>
    [Theory]
    [InlineData("valid", 7, 3, 2, 1, null)]
    [InlineData("valid", 8, 3, 2, 1, 1)]
    [InlineData("valid", 10, 2, 3, 1, 2)]
    [InlineData("valid", 9, 3, 1, 2, null)]
    [InlineData("same", 8, 3, 2, 1, null)]
    [InlineData("same", 7, 3, 2, 1, 0)]
    [InlineData("same", 9, 4, 3, 1, null)]
    [InlineData("same", 8, 4, 3, 1, 2)]
    [InlineData("same", 6, 2, 3, 1, null)]
    [InlineData("same", 6, 5, 2, 1, null)]
    [InlineData("same", 7, 3, 1, 3, null)]
    public void Conv1DTransposeIsTheAdjointOfConv1D(string padding, int length, int kernelSize, int stride, int dilation, int? outputPadding)
    {
        const int Channels = 2, Filters = 3;
        using var conv = new Conv1D(Channels, Filters, kernelSize, stride, padding, dilation, useBias: false);
        using var transposed = new Conv1DTranspose(Filters, Channels, kernelSize, stride, padding, outputPadding, dilation, useBias: false);
        conv.to(ScalarType.Float64);
        transposed.to(ScalarType.Float64);
        // Conv's kernel (k, channels, filters) is the transposed layer's (k, its filters, its input channels).
        var kernel = Values(conv.Kernel.numel(), 0.5, 13);
        Assign(conv.Kernel, kernel);
        Assign(transposed.Kernel, kernel);

        var u = tensor(Values(2 * length * Channels, 1, 14), [2, length, Channels]);
        var convolved = conv.forward(u);
        var v = tensor(Values(convolved.numel(), 1, 15), convolved.shape);
        var back = transposed.forward(v);

        Assert.Equal(u.shape, back.shape);
        Assert.Equal(length, transposed.OutputLength(convolved.size(1)));
        Assert.Equal((convolved * v).sum().item<double>(), (back * u).sum().item<double>(), 1e-10);
    }

    [Theory]
    [InlineData("valid", 7, 6, 2, 2, null, null)]
    [InlineData("same", 8, 6, 2, 3, null, null)]
    [InlineData("same", 7, 5, 2, 3, 0, 2)]
    public void Conv2DTransposeIsTheAdjointOfConv2D(string padding, int height, int width, int strideHeight, int strideWidth, int? paddingHeight,
        int? paddingWidth)
    {
        const int Channels = 2, Filters = 3;
        (int, int)? outputPadding = paddingHeight is { } h ? (h, paddingWidth!.Value) : null;
        using var conv = new Conv2D(Channels, Filters, (3, 4), (strideHeight, strideWidth), padding, useBias: false);
        using var transposed = new Conv2DTranspose(Filters, Channels, (3, 4), (strideHeight, strideWidth), padding, outputPadding, useBias: false);
        conv.to(ScalarType.Float64);
        transposed.to(ScalarType.Float64);
        var kernel = Values(conv.Kernel.numel(), 0.5, 16);
        Assign(conv.Kernel, kernel);
        Assign(transposed.Kernel, kernel);

        var u = tensor(Values(height * width * Channels, 1, 17), [1, height, width, Channels]);
        var convolved = conv.forward(u);
        var v = tensor(Values(convolved.numel(), 1, 18), convolved.shape);
        var back = transposed.forward(v);

        Assert.Equal(u.shape, back.shape);
        Assert.Equal((convolved * v).sum().item<double>(), (back * u).sum().item<double>(), 1e-10);
    }

    [Theory]
    [InlineData("valid", 1, 1, 1)]
    [InlineData("same", 2, 1, 2)]
    [InlineData("same", 1, 2, 3)]
    public void DepthwiseConv2DFiltersEachChannelAlone(string padding, int stride, int dilation, int multiplier)
    {
        const int Batch = 2, Height = 6, Width = 5, Channels = 3;
        using var conv = new DepthwiseConv2D(Channels, (3, 2), (stride, stride), padding, multiplier, (dilation, dilation));
        conv.to(ScalarType.Float64);
        Assert.Equal(new long[] { 3, 2, Channels, multiplier }, conv.DepthwiseKernel.shape);
        Assert.Equal(new long[] { Channels * multiplier }, conv.Bias!.shape);
        var kernel = Values(conv.DepthwiseKernel.numel(), 0.5, 19);
        var bias = Values(Channels * multiplier, 0.1, 20);
        Assign(conv.DepthwiseKernel, kernel);
        Assign(conv.Bias!, bias);
        var x = Values(Batch * Height * Width * Channels, 1, 21);

        var rows = Axis.Forward(padding, Height, 3, stride, dilation);
        var columns = Axis.Forward(padding, Width, 2, stride, dilation);
        var expected = Depthwise(x, Batch, rows, columns, Channels, kernel, multiplier, bias);

        var output = conv.forward(tensor(x, [Batch, Height, Width, Channels]));
        Assert.Equal(new long[] { Batch, rows.Outputs, columns.Outputs, Channels * multiplier }, output.shape);
        AssertClose(expected, Read(output), Tolerance);
    }

    [Theory]
    [InlineData("valid", 1, 1, 1)]
    [InlineData("same", 2, 1, 2)]
    [InlineData("same", 1, 2, 3)]
    public void SeparableConv2DIsDepthwiseThenPointwise(string padding, int stride, int dilation, int multiplier)
    {
        const int Batch = 2, Height = 5, Width = 6, Channels = 3, Filters = 4;
        using var conv = new SeparableConv2D(Channels, Filters, (2, 3), (stride, stride), padding, (dilation, dilation), multiplier);
        conv.to(ScalarType.Float64);
        Assert.Equal(new long[] { 2, 3, Channels, multiplier }, conv.DepthwiseKernel.shape);
        Assert.Equal(new long[] { 1, 1, Channels * multiplier, Filters }, conv.PointwiseKernel.shape);
        var depthwise = Values(conv.DepthwiseKernel.numel(), 0.5, 22);
        var pointwise = Values(conv.PointwiseKernel.numel(), 0.5, 23);
        var bias = Values(Filters, 0.1, 24);
        Assign(conv.DepthwiseKernel, depthwise);
        Assign(conv.PointwiseKernel, pointwise);
        Assign(conv.Bias!, bias);
        var x = Values(Batch * Height * Width * Channels, 1, 25);

        var rows = Axis.Forward(padding, Height, 2, stride, dilation);
        var columns = Axis.Forward(padding, Width, 3, stride, dilation);
        var expected = Pointwise(Depthwise(x, Batch, rows, columns, Channels, depthwise, multiplier, null), Channels * multiplier, pointwise,
            Filters, bias);

        var output = conv.forward(tensor(x, [Batch, Height, Width, Channels]));
        Assert.Equal(new long[] { Batch, rows.Outputs, columns.Outputs, Filters }, output.shape);
        AssertClose(expected, Read(output), Tolerance);
    }

    [Theory]
    [InlineData("valid", 1, 1, 1)]
    [InlineData("same", 2, 1, 2)]
    [InlineData("same", 1, 3, 1)]
    public void SeparableConv1DIsDepthwiseThenPointwise(string padding, int stride, int dilation, int multiplier)
    {
        const int Batch = 2, Length = 9, Channels = 2, Filters = 3, Kernel = 3;
        using var conv = new SeparableConv1D(Channels, Filters, Kernel, stride, padding, dilation, multiplier, Activation.Tanh);
        conv.to(ScalarType.Float64);
        Assert.Equal(new long[] { Kernel, Channels, multiplier }, conv.DepthwiseKernel.shape);
        Assert.Equal(new long[] { 1, Channels * multiplier, Filters }, conv.PointwiseKernel.shape);
        var depthwise = Values(conv.DepthwiseKernel.numel(), 0.5, 26);
        var pointwise = Values(conv.PointwiseKernel.numel(), 0.5, 27);
        var bias = Values(Filters, 0.1, 28);
        Assign(conv.DepthwiseKernel, depthwise);
        Assign(conv.PointwiseKernel, pointwise);
        Assign(conv.Bias!, bias);
        var x = Values(Batch * Length * Channels, 1, 29);

        var steps = Axis.Forward(padding, Length, Kernel, stride, dilation);
        var expected = Pointwise(Depthwise(x, Batch, Unit, steps, Channels, depthwise, multiplier, null), Channels * multiplier, pointwise,
            Filters, bias).Select(Math.Tanh).ToArray();

        var output = conv.forward(tensor(x, [Batch, Length, Channels]));
        Assert.Equal(new long[] { Batch, steps.Outputs, Filters }, output.shape);
        AssertClose(expected, Read(output), Tolerance);
    }

    [Fact]
    public void TransposedBiasReachesCellsNoInputReaches()
    {
        // Kernel 1, stride 3, valid: outputs 0, 3, 6 come from the input, the rest hold only the bias.
        using var conv = new Conv1DTranspose(1, 1, 1, 3);
        conv.to(ScalarType.Float64);
        Assign(conv.Kernel, [2]);
        Assign(conv.Bias!, [0.5]);
        var output = Read(conv.forward(tensor(new double[] { 1, 2, 3 }, [1, 3, 1])));
        AssertClose([2.5, 0.5, 0.5, 4.5, 0.5, 0.5, 6.5, 0.5, 0.5], output, Tolerance);
    }
}

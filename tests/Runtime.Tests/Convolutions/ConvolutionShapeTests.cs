using ModelDsl.Runtime.Layers;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Convolutions;

/// <summary>
/// Output shapes over odd sizes, strides, dilations and paddings against Keras' formulas
/// (keras.ops.operation_utils.compute_conv_output_shape, compute_conv_transpose_output_shape), and weight counts.
/// </summary>
public class ConvolutionShapeTests
{
    private static readonly int[] Sizes = [1, 2, 5, 7, 8, 13];

    /// <summary>Keras' convolution output size, or null where Keras finds no complete window ("valid").</summary>
    private static int? KerasConvolution(string padding, int size, int kernel, int stride, int dilation)
    {
        var span = dilation * (kernel - 1) + 1;
        return padding switch
        {
            "valid" => size >= span ? (size - span) / stride + 1 : null,
            "same" or "causal" => (size - 1) / stride + 1,
            _ => throw new ArgumentOutOfRangeException(nameof(padding)),
        };
    }

    private static int KerasTransposed(string padding, int size, int kernel, int stride, int dilation, int? outputPadding)
    {
        var span = kernel + (kernel - 1) * (dilation - 1);
        return (padding, outputPadding) switch
        {
            ("valid", null) => size * stride + Math.Max(span - stride, 0),
            ("same", null) => size * stride,
            ("valid", { } extra) => (size - 1) * stride + span + extra,
            (_, { } extra) => (size - 1) * stride + span - 2 * (span / 2) + extra,
            _ => throw new ArgumentOutOfRangeException(nameof(padding)),
        };
    }

    public static TheoryData<string, int, int, int> ConvolutionCases()
    {
        var data = new TheoryData<string, int, int, int>();
        foreach (var padding in new[] { "valid", "same", "causal" })
        foreach (var (kernel, stride, dilation) in new[] { (1, 1, 1), (3, 1, 1), (3, 2, 1), (2, 3, 1), (4, 3, 1), (3, 1, 2), (2, 1, 3), (5, 4, 1) })
            data.Add(padding, kernel, stride, dilation);
        return data;
    }

    [Theory]
    [MemberData(nameof(ConvolutionCases))]
    public void Conv1DAndSeparableConv1DFollowKeras(string padding, int kernel, int stride, int dilation)
    {
        using var conv = new Conv1D(2, 3, kernel, stride, padding, dilation);
        using var separable = padding == "causal" ? null : new SeparableConv1D(2, 3, kernel, stride, padding, dilation, depthMultiplier: 2);
        foreach (var size in Sizes)
        {
            var expected = KerasConvolution(padding, size, kernel, stride, dilation);
            if (expected is null)
                continue;
            using var input = zeros(1, size, 2);
            Assert.Equal(new long[] { 1, expected.Value, 3 }, conv.forward(input).shape);
            if (separable is not null)
                Assert.Equal(new long[] { 1, expected.Value, 3 }, separable.forward(input).shape);
        }
    }

    [Theory]
    [MemberData(nameof(ConvolutionCases))]
    public void TwoDimensionalConvolutionsFollowKerasPerAxis(string padding, int kernel, int stride, int dilation)
    {
        if (padding == "causal")
            return;
        // The width axis takes a different window so that the axes cannot be swapped unnoticed.
        var kernelSize = (kernel, kernel + 1);
        var strides = (stride, dilation > 1 ? 1 : stride + 1);
        var dilationRate = (dilation, 1);
        using var conv = new Conv2D(2, 4, kernelSize, strides, padding, dilationRate, groups: 2);
        using var separable = new SeparableConv2D(2, 4, kernelSize, strides, padding, dilationRate, depthMultiplier: 3);
        using var depthwise = new DepthwiseConv2D(2, kernelSize, strides, padding, 3, dilationRate);
        foreach (var height in Sizes)
        foreach (var width in new[] { 3, 8, 11 })
        {
            var rows = KerasConvolution(padding, height, kernelSize.Item1, strides.Item1, dilationRate.Item1);
            var columns = KerasConvolution(padding, width, kernelSize.Item2, strides.Item2, dilationRate.Item2);
            if (rows is null || columns is null)
                continue;
            using var input = zeros(2, height, width, 2);
            Assert.Equal(new long[] { 2, rows.Value, columns.Value, 4 }, conv.forward(input).shape);
            Assert.Equal(new long[] { 2, rows.Value, columns.Value, 4 }, separable.forward(input).shape);
            Assert.Equal(new long[] { 2, rows.Value, columns.Value, 6 }, depthwise.forward(input).shape);
        }
    }

    public static TheoryData<string, int, int, int, int?> TransposedCases()
    {
        var data = new TheoryData<string, int, int, int, int?>();
        foreach (var padding in new[] { "valid", "same" })
        foreach (var (kernel, stride, dilation) in new[] { (1, 1, 1), (3, 1, 1), (3, 2, 1), (2, 3, 1), (4, 3, 1), (5, 2, 1), (3, 1, 2), (2, 1, 3) })
        {
            data.Add(padding, kernel, stride, dilation, null);
            for (var extra = 0; extra < stride; extra++)
                data.Add(padding, kernel, stride, dilation, extra);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(TransposedCases))]
    public void TransposedConvolutionsFollowKeras(string padding, int kernel, int stride, int dilation, int? outputPadding)
    {
        using var conv1 = new Conv1DTranspose(2, 3, kernel, stride, padding, outputPadding, dilation);
        using var conv2 = new Conv2DTranspose(2, 3, (kernel, kernel + 1), (stride, stride), padding,
            outputPadding is { } p ? (p, p) : null, (dilation, dilation));
        foreach (var size in Sizes)
        {
            var length = KerasTransposed(padding, size, kernel, stride, dilation, outputPadding);
            var width = KerasTransposed(padding, size + 1, kernel + 1, stride, dilation, outputPadding);
            Assert.Equal(length, conv1.OutputLength(size));
            Assert.Equal((length, width), ((int)conv2.OutputSize(size, size + 1).Height, (int)conv2.OutputSize(size, size + 1).Width));
            if (length < 1 || width < 1)
            {
                Assert.Throws<ArgumentException>(() => conv2.forward(zeros(1, size, size + 1, 2)));
                continue;
            }
            using var steps = zeros(1, size, 2);
            Assert.Equal(new long[] { 1, length, 3 }, conv1.forward(steps).shape);
            using var image = zeros(1, size, size + 1, 2);
            Assert.Equal(new long[] { 1, length, width, 3 }, conv2.forward(image).shape);
        }
    }

    [Fact]
    public void OneConv1DTakesAnyNumberOfSteps()
    {
        using var conv = new Conv1D(3, 2, 3, padding: "causal", dilationRate: 2);
        using var transposed = new Conv1DTranspose(3, 2, 3, 2, "same");
        foreach (var steps in new[] { 1, 4, 17 })
        {
            using var input = zeros(2, steps, 3);
            Assert.Equal(new long[] { 2, steps, 2 }, conv.forward(input).shape);
            Assert.Equal(new long[] { 2, 2 * steps, 2 }, transposed.forward(input).shape);
        }
    }

    private static string Describe(Layer layer) =>
        string.Join(", ", layer.Weights().Select(w => $"{w.Name} [{string.Join(", ", w.Tensor.shape)}]"));

    /// <summary>Keras' weight names, shapes and order, and its parameter counts (model.summary()).</summary>
    [Fact]
    public void WeightsHaveKerasNamesShapesAndCounts()
    {
        using var conv1 = new Conv1D(6, 4, 5, groups: 2);
        Assert.Equal("kernel [5, 3, 4], bias [4]", Describe(conv1));
        Assert.Equal(5 * 3 * 4 + 4, conv1.WeightCount);
        using var conv2 = new Conv2D(6, 9, (3, 2), groups: 3, useBias: false);
        Assert.Equal("kernel [3, 2, 2, 9]", Describe(conv2));
        using var transposed1 = new Conv1DTranspose(3, 5, 4);
        Assert.Equal("kernel [4, 5, 3], bias [5]", Describe(transposed1));
        using var transposed2 = new Conv2DTranspose(3, 5, (4, 2));
        Assert.Equal("kernel [4, 2, 5, 3], bias [5]", Describe(transposed2));
        Assert.Equal(4 * 2 * 5 * 3 + 5, transposed2.WeightCount);
        using var separable1 = new SeparableConv1D(3, 8, 5, depthMultiplier: 2);
        Assert.Equal("depthwise_kernel [5, 3, 2], pointwise_kernel [1, 6, 8], bias [8]", Describe(separable1));
        using var separable2 = new SeparableConv2D(3, 8, (3, 3), depthMultiplier: 2);
        Assert.Equal("depthwise_kernel [3, 3, 3, 2], pointwise_kernel [1, 1, 6, 8], bias [8]", Describe(separable2));
        // Keras' summary of SeparableConv2D(8, 3, depth_multiplier=2) on 3 channels: 54 + 48 + 8.
        Assert.Equal(110, separable2.WeightCount);
        using var depthwise = new DepthwiseConv2D(3, (3, 3), depthMultiplier: 2);
        Assert.Equal("depthwise_kernel [3, 3, 3, 2], bias [6]", Describe(depthwise));
        Assert.Equal(60, depthwise.WeightCount);
    }

    [Fact]
    public void ArgumentsAreExposedAsGiven()
    {
        using var conv = new Conv2D(4, 6, (3, 5), (2, 1), "same", groups: 2, activation: Activation.Relu, useBias: false);
        Assert.Equal((4, 6, (3, 5), (2, 1), "same", (1, 1), 2, Activation.Relu, false),
            (conv.InputChannels, conv.Filters, conv.KernelSize, conv.Strides, conv.Padding, conv.DilationRate, conv.Groups, conv.Activation, conv.UseBias));
        using var causal = new Conv1D(2, 3, 4, padding: "causal", dilationRate: 3);
        Assert.Equal(("causal", 3, 1, 1), (causal.Padding, causal.DilationRate, causal.Strides, causal.Groups));
        using var transposed = new Conv2DTranspose(2, 3, (3, 3), (2, 2), outputPadding: (1, 0));
        Assert.Equal(((int, int)?)(1, 0), transposed.OutputPadding);
        Assert.Null(new Conv1DTranspose(2, 3, 3).OutputPadding);
        using var separable = new SeparableConv2D(2, 3, (3, 3), dilationRate: (2, 2), depthMultiplier: 4);
        Assert.Equal(((2, 2), 4, "valid"), (separable.DilationRate, separable.DepthMultiplier, separable.Padding));
    }
}

using ModelDsl.Runtime.Layers;

namespace ModelDsl.Runtime.Tests.Convolutions;

/// <summary>
/// The convolution layers' backward passes against central finite differences in float64
/// (<see cref="GradientTests.CheckGradients"/>). Runs with the other tests that reseed libtorch's generator.
/// </summary>
[Collection(NativeGlobalState.Name)]
public class ConvolutionGradientTests
{
    [Theory]
    [InlineData("valid", 1, 1, 2)]
    [InlineData("same", 2, 1, 3)]
    [InlineData("causal", 1, 3, 6)]
    public void Conv1DWithGroups(string padding, int strides, int dilation, int groups) =>
        GradientTests.CheckGradients(new Conv1D(6, 6, 3, strides, padding, dilation, groups, Activation.Tanh), [2, 9, 6]);

    [Theory]
    [InlineData("valid", 1, 1, 1, 2)]
    [InlineData("same", 2, 1, 1, 1)]
    [InlineData("same", 1, 1, 2, 4)]
    public void Conv2DWithDilationAndGroups(string padding, int strideHeight, int strideWidth, int dilation, int groups) =>
        GradientTests.CheckGradients(
            new Conv2D(4, 4, (3, 2), (strideHeight, strideWidth), padding, (dilation, 1), groups, Activation.Sigmoid), [2, 6, 5, 4]);

    [Theory]
    [InlineData("valid", 1, 1, null)]
    [InlineData("valid", 3, 1, 1)]
    [InlineData("same", 2, 1, null)]
    [InlineData("same", 3, 1, 2)]
    [InlineData("same", 1, 2, null)]
    public void Conv1DTranspose(string padding, int strides, int dilation, int? outputPadding) =>
        GradientTests.CheckGradients(new Conv1DTranspose(3, 2, 3, strides, padding, outputPadding, dilation, Activation.Tanh), [2, 5, 3]);

    [Theory]
    [InlineData("valid", 2, 1, false)]
    [InlineData("same", 2, 3, false)]
    [InlineData("same", 3, 2, true)]
    public void Conv2DTranspose(string padding, int strideHeight, int strideWidth, bool outputPadding) =>
        GradientTests.CheckGradients(
            new Conv2DTranspose(2, 3, (3, 2), (strideHeight, strideWidth), padding, outputPadding ? (1, 1) : null, activation: Activation.Sigmoid),
            [2, 4, 3, 2]);

    [Fact]
    public void Conv2DTransposeWithDilation() =>
        GradientTests.CheckGradients(new Conv2DTranspose(2, 2, (2, 3), padding: "same", dilationRate: (2, 1), useBias: false), [1, 4, 4, 2]);

    [Theory]
    [InlineData("valid", 1, 1, 1)]
    [InlineData("same", 2, 1, 2)]
    [InlineData("same", 1, 2, 3)]
    public void SeparableConv1D(string padding, int strides, int dilation, int depthMultiplier) =>
        GradientTests.CheckGradients(new SeparableConv1D(3, 4, 3, strides, padding, dilation, depthMultiplier, Activation.Tanh), [2, 8, 3]);

    [Theory]
    [InlineData("valid", 1, 1, 1)]
    [InlineData("same", 2, 1, 2)]
    [InlineData("same", 1, 2, 2)]
    public void SeparableConv2D(string padding, int strides, int dilation, int depthMultiplier) =>
        GradientTests.CheckGradients(
            new SeparableConv2D(2, 3, (3, 2), (strides, strides), padding, (dilation, dilation), depthMultiplier, Activation.Tanh), [2, 6, 5, 2]);

    [Theory]
    [InlineData("valid", 1, 1, 1)]
    [InlineData("same", 2, 1, 3)]
    [InlineData("same", 1, 2, 2)]
    public void DepthwiseConv2D(string padding, int strides, int dilation, int depthMultiplier) =>
        GradientTests.CheckGradients(
            new DepthwiseConv2D(3, (2, 3), (strides, strides), padding, depthMultiplier, (dilation, dilation), Activation.Sigmoid), [2, 5, 6, 3]);
}

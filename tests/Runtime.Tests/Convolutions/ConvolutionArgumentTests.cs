using ModelDsl.Runtime.Layers;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Convolutions;

/// <summary>Arguments Keras rejects get an ArgumentException naming the parameter and the value.</summary>
public class ConvolutionArgumentTests
{
    public static TheoryData<Func<Layer>, string> OutOfRange => new()
    {
        { () => new Conv1D(0, 2, 3), "inputChannels" },
        { () => new Conv1D(2, 0, 3), "filters" },
        { () => new Conv1D(2, 2, 0), "kernelSize" },
        { () => new Conv1D(2, 2, 3, strides: 0), "strides" },
        { () => new Conv1D(2, 2, 3, dilationRate: -1), "dilationRate" },
        { () => new Conv1D(2, 2, 3, groups: 0), "groups" },
        { () => new Conv2D(2, 2, (3, 0)), "kernelSize" },
        { () => new Conv2D(2, 2, (3, 3), strides: (0, 1)), "strides" },
        { () => new Conv2D(2, 2, (3, 3), dilationRate: (1, 0)), "dilationRate" },
        { () => new Conv1DTranspose(2, 2, 3, strides: 2, outputPadding: 2), "outputPadding" },
        { () => new Conv1DTranspose(2, 2, 3, outputPadding: 1), "outputPadding" },
        { () => new Conv1DTranspose(2, 2, 3, strides: 2, outputPadding: -1), "outputPadding" },
        { () => new Conv2DTranspose(2, 2, (3, 3), strides: (2, 3), outputPadding: (1, 3)), "outputPadding" },
        { () => new Conv2DTranspose(2, 0, (3, 3)), "filters" },
        { () => new SeparableConv1D(2, 2, 3, depthMultiplier: 0), "depthMultiplier" },
        { () => new SeparableConv2D(2, 2, (0, 3)), "kernelSize" },
        { () => new DepthwiseConv2D(2, (3, 3), depthMultiplier: 0), "depthMultiplier" },
        { () => new DepthwiseConv2D(0, (3, 3)), "inputChannels" },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void SizesBelowTheirMinimumAreRejected(Func<Layer> create, string parameter)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(create);
        Assert.Equal(parameter, error.ParamName);
    }

    public static TheoryData<Func<Layer>, string, string> Invalid => new()
    {
        { () => new Conv1D(6, 4, 3, groups: 3), "groups", "groups 3 must divide both the input channels (6) and filters (4)" },
        { () => new Conv2D(3, 6, (3, 3), groups: 2), "groups", "input channels (3)" },
        { () => new Conv1D(2, 2, 3, strides: 2, dilationRate: 2), "dilationRate", "strides > 1 is not supported together with dilation_rate > 1" },
        { () => new Conv2D(2, 2, (3, 3), (1, 2), dilationRate: (2, 1)), "dilationRate", "strides (1, 2), dilation_rate (2, 1)" },
        { () => new Conv1DTranspose(2, 2, 3, 2, dilationRate: 2), "dilationRate", "Conv1DTranspose" },
        { () => new Conv2DTranspose(2, 2, (3, 3), (2, 2), dilationRate: (2, 2)), "dilationRate", "Conv2DTranspose" },
        { () => new SeparableConv1D(2, 2, 3, 2, dilationRate: 2), "dilationRate", "SeparableConv1D" },
        { () => new SeparableConv2D(2, 2, (3, 3), (2, 2), dilationRate: (2, 2)), "dilationRate", "SeparableConv2D" },
        { () => new DepthwiseConv2D(2, (3, 3), (2, 1), dilationRate: (1, 2)), "dilationRate", "DepthwiseConv2D" },
        { () => new Conv2D(1, 1, (2, 2), padding: "causal"), "padding", "unknown padding 'causal'; expected valid or same" },
        { () => new Conv1DTranspose(1, 1, 2, padding: "causal"), "padding", "unknown padding 'causal'" },
        { () => new Conv2DTranspose(1, 1, (2, 2), padding: "full"), "padding", "unknown padding 'full'" },
        { () => new SeparableConv1D(1, 1, 2, padding: "causal"), "padding", "unknown padding 'causal'" },
        { () => new SeparableConv2D(1, 1, (2, 2), padding: "SAME"), "padding", "unknown padding 'SAME'" },
        { () => new DepthwiseConv2D(1, (2, 2), padding: "causal"), "padding", "unknown padding 'causal'" },
        { () => new Conv1D(1, 1, 2, padding: "full"), "padding", "expected valid, same or causal" },
        { () => new SeparableConv2D(1, 1, (2, 2), pointwiseInitializer: "glorot"), "name", "unknown initializer 'glorot'" },
        { () => new DepthwiseConv2D(1, (2, 2), depthwiseInitializer: "he"), "name", "unknown initializer 'he'" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void InvalidCombinationsAreRejectedWithTheReason(Func<Layer> create, string parameter, string message)
    {
        var error = Assert.ThrowsAny<ArgumentException>(create);
        Assert.Equal(parameter, error.ParamName);
        Assert.Contains(message, error.Message);
    }

    public static TheoryData<Func<Layer>, long[], string> WrongRank => new()
    {
        { () => new Conv1D(2, 2, 3), [4, 2], "Conv1D needs a 3-D input (batch, steps, channels), got [4, 2]" },
        { () => new Conv2D(2, 2, (3, 3)), [1, 5, 2], "Conv2D needs a 4-D input (batch, height, width, channels), got [1, 5, 2]" },
        { () => new Conv1DTranspose(2, 2, 3), [1, 5, 5, 2], "Conv1DTranspose needs a 3-D input" },
        { () => new Conv2DTranspose(2, 2, (3, 3)), [5, 2], "Conv2DTranspose needs a 4-D input" },
        { () => new SeparableConv1D(2, 2, 3), [5, 2], "SeparableConv1D needs a 3-D input" },
        { () => new SeparableConv2D(2, 2, (3, 3)), [5, 5, 2], "SeparableConv2D needs a 4-D input" },
        { () => new DepthwiseConv2D(2, (3, 3)), [5, 5, 2], "DepthwiseConv2D needs a 4-D input" },
    };

    [Theory]
    [MemberData(nameof(WrongRank))]
    public void AnInputOfTheWrongRankIsRejected(Func<Layer> create, long[] shape, string message)
    {
        using var layer = create();
        var error = Assert.Throws<ArgumentException>(() => layer.forward(zeros(shape)));
        Assert.Equal("input", error.ParamName);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void AnEmptyTransposedOutputIsRejected()
    {
        // "same" with an even kernel and output_padding 0: (1 - 1) * 2 + 4 % 2 + 0 = 0 steps.
        using var conv = new Conv1DTranspose(2, 2, 4, 2, "same", outputPadding: 0);
        var error = Assert.Throws<ArgumentException>(() => conv.forward(zeros(1, 1, 2)));
        Assert.Contains("empty output", error.Message);
    }
}

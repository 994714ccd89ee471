using ModelDsl.Runtime.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Convolutions;

/// <summary>Every convolution's forward frees its temporaries: inside a dispose scope only the result stays alive.</summary>
public class ConvolutionMemoryTests
{
    private static long LiveTensors => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

    public static TheoryData<string, Func<Layer>, Func<Tensor>> LayerCases => new()
    {
        { "conv1d groups", () => new Conv1D(4, 6, 3, 2, "same", groups: 2, activation: Activation.Relu), () => rand(2, 7, 4) },
        { "conv2d dilated", () => new Conv2D(2, 4, (3, 3), padding: "same", dilationRate: (2, 1), groups: 2), () => rand(2, 6, 5, 2) },
        { "conv1d transpose", () => new Conv1DTranspose(3, 2, 3, 2, "same", activation: Activation.Tanh), () => rand(2, 5, 3) },
        { "conv1d transpose cropped and extended", () => new Conv1DTranspose(3, 2, 4, 3, "same", 2), () => rand(2, 5, 3) },
        { "conv2d transpose", () => new Conv2DTranspose(3, 2, (3, 2), (2, 3), "valid", (1, 2)), () => rand(2, 4, 3, 3) },
        { "conv2d transpose no bias", () => new Conv2DTranspose(3, 2, (3, 3), (2, 2), "same", useBias: false), () => rand(2, 4, 3, 3) },
        { "separable conv1d", () => new SeparableConv1D(3, 4, 3, 2, "same", depthMultiplier: 2, activation: Activation.Sigmoid), () => rand(2, 7, 3) },
        { "separable conv2d", () => new SeparableConv2D(3, 4, (3, 3), (2, 2), "same", depthMultiplier: 2), () => rand(2, 5, 6, 3) },
        { "depthwise conv2d", () => new DepthwiseConv2D(3, (3, 3), padding: "same", depthMultiplier: 2, activation: Activation.Relu), () => rand(2, 5, 6, 3) },
    };

    [Theory]
    [MemberData(nameof(LayerCases))]
    public void AForwardInADisposeScopeLeavesOnlyItsResult(string name, Func<Layer> create, Func<Tensor> createInput)
    {
        using var layer = create();
        using var input = createInput();
        foreach (var gradients in new[] { true, false })
        {
            using var mode = set_grad_enabled(gradients);
            var before = LiveTensors;
            Tensor output;
            using (NewDisposeScope())
                output = layer.forward(input).DetachFromDisposeScope();
            Assert.True(before + 1 == LiveTensors, $"{name} (gradients {gradients}) left {LiveTensors - before - 1} more tensors alive");
            output.Dispose();
            Assert.Equal(before, LiveTensors);
        }
    }
}

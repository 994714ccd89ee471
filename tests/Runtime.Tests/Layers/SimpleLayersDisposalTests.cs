using ModelDsl.Runtime.Layers;
using TorchSharp;
using static ModelDsl.Runtime.Tests.Layers.LayerTestHelpers;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Layers;

/// <summary>Every simple layer's forward, training or not, with gradients or not, leaves only its result alive; the stateless ones hold no weights.</summary>
[Collection(NativeGlobalState.Name)]
public class SimpleLayersDisposalTests
{
    /// <summary>A layer, and an input it takes.</summary>
    public static TheoryData<string, Func<Layer>, Func<Tensor>> LayerCases => new()
    {
        { "leaky relu", () => new LeakyRelu(), () => randn(2, 3) },
        { "prelu", () => new PRelu([3, 4], sharedAxes: [1]), () => randn(2, 3, 4) },
        { "relu", () => new Relu(6, 0.1, 0.5), () => randn(2, 3) },
        { "elu", () => new Elu(0.5), () => randn(2, 3) },
        { "softmax", () => new Softmax(1), () => randn(2, 3, 4) },
        { "global average 1d", () => new GlobalAveragePooling1D(), () => randn(2, 5, 3) },
        { "global average 2d", () => new GlobalAveragePooling2D(true), () => randn(2, 5, 4, 3) },
        { "global max 1d", () => new GlobalMaxPooling1D(true), () => randn(2, 5, 3) },
        { "global max 2d", () => new GlobalMaxPooling2D(), () => randn(2, 5, 4, 3) },
        { "average 1d valid", () => new AveragePooling1D(2), () => randn(2, 5, 3) },
        { "average 1d same", () => new AveragePooling1D(3, 2, "same"), () => randn(2, 6, 3) },
        { "average 2d valid", () => new AveragePooling2D((2, 2)), () => randn(2, 5, 5, 3) },
        { "average 2d same", () => new AveragePooling2D((2, 3), (2, 2), "same"), () => randn(2, 5, 6, 3) },
        { "up sampling 1d", () => new UpSampling1D(), () => randn(2, 3, 2) },
        { "up sampling 2d nearest", () => new UpSampling2D(), () => randn(2, 3, 3, 2) },
        { "up sampling 2d bilinear", () => new UpSampling2D((2, 3), "bilinear"), () => randn(2, 3, 3, 2) },
        { "zero padding 1d", () => new ZeroPadding1D(), () => randn(2, 3, 2) },
        { "zero padding 2d", () => new ZeroPadding2D(((1, 0), (0, 2))), () => randn(2, 3, 3, 2) },
        { "cropping 1d", () => new Cropping1D(), () => randn(2, 5, 2) },
        { "cropping 2d", () => new Cropping2D(((1, 0), (0, 2))), () => randn(2, 4, 5, 2) },
        { "repeat vector", () => new RepeatVector(3), () => randn(2, 4) },
        { "permute", () => new Permute(2, 1), () => randn(2, 3, 4) },
        { "layer normalization", () => new LayerNormalization([3, 4]), () => randn(2, 3, 4) },
        { "layer normalization inner axis", () => new LayerNormalization([3, 4], 1), () => randn(2, 3, 4) },
        { "spatial dropout 1d", () => new SpatialDropout1D(0.5), () => randn(2, 5, 3) },
        { "spatial dropout 2d", () => new SpatialDropout2D(0.5), () => randn(2, 5, 4, 3) },
        { "gaussian noise", () => new GaussianNoise(0.1), () => randn(2, 3) },
        { "gaussian dropout", () => new GaussianDropout(0.1), () => randn(2, 3) },
    };

    [Theory]
    [MemberData(nameof(LayerCases))]
    public void AForwardInADisposeScopeLeavesOnlyItsResult(string name, Func<Layer> create, Func<Tensor> createInput)
    {
        using var layer = create();
        using var input = createInput();
        foreach (var training in new[] { true, false })
        {
            layer.train(training);
            foreach (var gradients in new[] { true, false })
            {
                using var mode = set_grad_enabled(gradients);
                var before = LiveTensors;
                Tensor output;
                using (NewDisposeScope())
                    output = layer.forward(input).DetachFromDisposeScope();
                Assert.True(before + 1 == LiveTensors, $"{name} (training {training}, gradients {gradients}) left {LiveTensors - before - 1} more tensors alive");
                output.Dispose();
                Assert.Equal(before, LiveTensors);
            }
        }
    }

    [Fact]
    public void OnlyPReluAndLayerNormalizationHaveWeights()
    {
        var stateless = LayerCases.Select(row => (string)row[0]).Where(name => name is not ("prelu" or "layer normalization" or "layer normalization inner axis"));
        foreach (var name in stateless)
        {
            using var layer = ((Func<Layer>)LayerCases.Single(row => (string)row[0] == name)[1])();
            Assert.True(layer.WeightCount == 0, $"{name} has {layer.WeightCount} weights");
        }
    }

    [Fact]
    public void WeightsFollowTheLayerToAnotherDtype()
    {
        using var prelu = new PRelu([3], alphaInitializer: "random_uniform");
        prelu.to(ScalarType.Float64);
        Assert.Equal(ScalarType.Float64, prelu.Alpha.dtype);
        Assert.True(prelu.Alpha.requires_grad);
        using var norm = new LayerNormalization([3]);
        norm.to(ScalarType.Float64);
        Assert.Equal(ScalarType.Float64, norm.Gamma!.dtype);
        Assert.Equal(ScalarType.Float64, norm.forward(randn(2, 3, ScalarType.Float64)).dtype);
    }
}

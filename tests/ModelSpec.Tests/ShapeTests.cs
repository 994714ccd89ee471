using static ModelDsl.Spec.Tests.TestModels;

namespace ModelDsl.Spec.Tests;

/// <summary>Keras' output shapes and parameter counts, layer by layer.</summary>
public class ShapeTests
{
    [Theory]
    [InlineData("[28, 28, 1]", "- conv2d: {filters: 32, kernel_size: 3}", "26, 26, 32", 320, 320)]
    [InlineData("[28, 28, 1]", "- conv2d: {filters: 32, kernel_size: 3, strides: 2, padding: same}", "14, 14, 32", 320, 320)]
    [InlineData("[28, 28, 1]", "- conv2d: {filters: 32, kernel_size: 3, strides: 2}", "13, 13, 32", 320, 320)]
    [InlineData("[28, 28, 1]", "- conv2d: {filters: 8, kernel_size: [3, 5], strides: [1, 2]}", "26, 12, 8", 128, 128)]
    [InlineData("[32, 32, 3]", "- conv2d: {filters: 16, kernel_size: 3, use_bias: false}", "30, 30, 16", 432, 432)]
    [InlineData("[26, 26, 32]", "- max_pooling2d", "13, 13, 32", 0, 0)]
    [InlineData("[25, 25, 8]", "- max_pooling2d: {pool_size: 3, strides: 2}", "12, 12, 8", 0, 0)]
    [InlineData("[5, 5, 1]", "- max_pooling2d: {padding: same}", "3, 3, 1", 0, 0)]
    [InlineData("[100, 8]", "- conv1d: {filters: 16, kernel_size: 5}", "96, 16", 656, 656)]
    [InlineData("[10, 1]", "- conv1d: {filters: 4, kernel_size: 3, dilation_rate: 2}", "6, 4", 16, 16)]
    [InlineData("[10, 1]", "- conv1d: {filters: 4, kernel_size: 3, strides: 3, padding: same}", "4, 4", 16, 16)]
    [InlineData("[10, 4]", "- max_pooling1d", "5, 4", 0, 0)]
    [InlineData("[11, 4]", "- max_pooling1d: {pool_size: 3, strides: 2}", "5, 4", 0, 0)]
    [InlineData("[28, 28]", "- lstm: 128", "128", 80_384, 80_384)]
    [InlineData("[28, 28]", "- lstm: {units: 128, return_sequences: true}", "28, 128", 80_384, 80_384)]
    [InlineData("[28, 28]", "- lstm: {units: 16, use_bias: false}", "16", 2_816, 2_816)]
    [InlineData("[28, 28]", "- gru: 64", "64", 18_048, 18_048)]
    [InlineData("[28, 28]", "- gru: {units: 64, reset_after: false}", "64", 17_856, 17_856)]
    [InlineData("[10, 8]", "- simple_rnn: 32", "32", 1_312, 1_312)]
    [InlineData("[784]", "- dense: 10", "10", 7_850, 7_850)]
    [InlineData("[784]", "- dense: {units: 10, use_bias: false}", "10", 7_840, 7_840)]
    [InlineData("[10, 8]", "- dense: 4", "10, 4", 36, 36)]
    [InlineData("[26, 26, 32]", "- flatten", "21632", 0, 0)]
    [InlineData("[784]", "- flatten", "784", 0, 0)]
    [InlineData("[28]", "- reshape: [-1, 7]", "4, 7", 0, 0)]
    [InlineData("[100]", "- embedding: {input_dim: 1000, output_dim: 64}", "100, 64", 64_000, 64_000)]
    [InlineData("[10]", "- batch_normalization", "10", 40, 20)]
    [InlineData("[10]", "- batch_normalization: {center: false}", "10", 40, 10)]
    [InlineData("[4, 10]", "- batch_normalization", "4, 10", 40, 20)]
    [InlineData("[10]", "- dropout: 0.5", "10", 0, 0)]
    [InlineData("[10]", "- activation: tanh", "10", 0, 0)]
    public void InfersKerasShapesAndCounts(string input, string layer, string output, long parameters, long trainable)
    {
        var spec = SpecOf(WithLayers(input, layer));
        var bound = spec.Layers[0];
        Assert.Equal(output, string.Join(", ", bound.OutputShape));
        Assert.Equal(parameters, bound.Parameters);
        Assert.Equal(trainable, bound.TrainableParameters);
    }

    [Fact]
    public void ConvolutionalModelEndToEnd()
    {
        var spec = SpecOf("""
            model: MnistCnn
            input: [28, 28, 1]
            preprocess: {rescale: 0.00392156862745098}
            layers:
              - conv2d: {filters: 32, kernel_size: 3, activation: relu}
              - max_pooling2d
              - conv2d: {filters: 64, kernel_size: 3, activation: relu}
              - max_pooling2d
              - flatten
              - dropout: 0.5
              - dense: {units: 10, activation: softmax}
            compile: {optimizer: adam, loss: sparse_categorical_crossentropy, metrics: [accuracy]}
            """);
        Assert.Equal(
            new[] { "26, 26, 32", "13, 13, 32", "11, 11, 64", "5, 5, 64", "1600", "1600", "10" },
            spec.Layers.Select(l => string.Join(", ", l.OutputShape)));
        Assert.Equal(34_826, spec.TotalParameters);

        // A name wider than Keras' first column widens it, where Keras would cut the name off.
        Assert.Equal("""
            Model: "MnistCnn"
            ____________________________________________________________________
             Layer (type)                   Output Shape              Param #
            ====================================================================
             conv2d (Conv2D)                (None, 26, 26, 32)        320
             max_pooling2d (MaxPooling2D)   (None, 13, 13, 32)        0
             conv2d_1 (Conv2D)              (None, 11, 11, 64)        18496
             max_pooling2d_1 (MaxPooling2D) (None, 5, 5, 64)          0
             flatten (Flatten)              (None, 1600)              0
             dropout (Dropout)              (None, 1600)              0
             dense (Dense)                  (None, 10)                16010
            ====================================================================
            Total params: 34,826
            Trainable params: 34,826
            Non-trainable params: 0
            ____________________________________________________________________

            """.Replace("\r\n", "\n"), ModelSummary.Format(spec));
    }

    [Fact]
    public void ShapeKeepingLayersAreLookedThroughWhenNamingTheSource()
    {
        var analysis = Analyze(WithLayers("[28, 28]", "- gru: 16\n- batch_normalization\n- activation: relu\n- dropout: 0.1\n- simple_rnn: 4"));
        Assert.Equal(
            "layer 5 'simple_rnn' needs a 3-D input (batch, time, features) but layer 1 'gru' gives (batch, 16); set return_sequences: true on layer 1",
            Single(analysis, "MDSL030").Message);
    }

    [Theory]
    [InlineData("[28, 28, 1]", "- lstm: 8", "layer 1 'lstm' needs a 3-D input (batch, time, features) but the input gives (batch, 28, 28, 1); declare the input as [time, features], such as input: [28, 28]")]
    [InlineData("[784]", "- dense: 64\n- lstm: 8", "layer 2 'lstm' needs a 3-D input (batch, time, features) but layer 1 'dense' gives (batch, 64); add reshape: [64, 1] before layer 2 to make it (time, features)")]
    public void RecurrentInputHints(string input, string layers, string message)
    {
        Assert.Equal(message, Single(Analyze(WithLayers(input, layers)), "MDSL030").Message);
    }

    [Theory]
    [InlineData("[784]", "- conv2d: {filters: 2, kernel_size: 3}", "MDSL031", "layer 1 'conv2d' needs a 4-D input (batch, height, width, channels) but the input gives (batch, 784); declare the input as [height, width, channels], such as input: [28, 28, 1]")]
    [InlineData("[28, 28]", "- lstm: 8\n- max_pooling1d", "MDSL031", "layer 2 'max_pooling1d' needs a 3-D input (batch, steps, channels) but layer 1 'lstm' gives (batch, 8); set return_sequences: true on layer 1")]
    [InlineData("[8, 8, 3]", "- conv1d: {filters: 2, kernel_size: 3}", "MDSL031", "layer 1 'conv1d' needs a 3-D input (batch, steps, channels) but the input gives (batch, 8, 8, 3); for images use conv2d, or add reshape: [8, 24] before layer 1")]
    [InlineData("[784]", "- reshape: [28, 28]\n- max_pooling2d", "MDSL032", "layer 2 'max_pooling2d' needs a 4-D input (batch, height, width, channels) but layer 1 'reshape' gives (batch, 28, 28), which has no channel axis; add reshape: [28, 28, 1] before layer 2 for one channel")]
    [InlineData("[null]", "- dense: 4", "MDSL038", "layer 1 'dense' needs its input's last axis fixed, but axis 1 of (batch, None), which the input gives, has no fixed size (None); give the last axis of 'input' a size")]
    [InlineData("[4, 1]", "- conv1d: {filters: 2, kernel_size: 3, dilation_rate: 2}", "MDSL034", "layer 1 'conv1d' has a kernel span (kernel_size 3 with dilation_rate 2) of 5 along the steps axis, but the input gives (batch, 4, 1), only 4 long there; use padding: same, or a smaller kernel_size")]
    [InlineData("[3, 8]", "- max_pooling1d: 4", "MDSL034", "layer 1 'max_pooling1d' has a pool_size of 4 along the steps axis, but the input gives (batch, 3, 8), only 3 long there; use padding: same, or a smaller pool_size")]
    [InlineData("[10]", "- reshape: [3, -1]", "MDSL033", "layer 1 'reshape' cannot reshape (batch, 10) (10 values per sample), which the input gives, to (3, -1) (a multiple of 3 values per sample)")]
    [InlineData("[2147483647, 2]", "- lstm: 2147483647", "MDSL036", "layer 1 'lstm' is too large: the parameter count does not fit in 64 bits")]
    public void ShapeErrorsNameTheSourceAndTheFix(string input, string layers, string id, string message)
    {
        Assert.Equal(message, Single(Analyze(WithLayers(input, layers)), id).Message);
    }

    [Fact]
    public void InferenceStopsAtTheFirstShapeError()
    {
        var analysis = Analyze(WithLayers("[28, 28]", "- conv2d: {filters: 4, kernel_size: 3}\n- conv2d: {filters: 4, kernel_size: 3}\n- lstm: 3"));
        Assert.Single(analysis.Diagnostics, d => d.Severity == Severity.Error);
    }
}

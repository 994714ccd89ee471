using static ModelDsl.Spec.Tests.TestModels;

namespace ModelDsl.Spec.Tests;

/// <summary>Every layer kind binds with Keras' names and defaults, in its long and short forms.</summary>
public class LayerTests
{
    public static IEnumerable<object[]> Defaults() => new[]
    {
        new object[] { "[784]", "- dense: {units: 10}", "dense {units: 10, activation: linear, use_bias: true, kernel_initializer: glorot_uniform, bias_initializer: zeros, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null}" },
        new object[] { "[784]", "- dense: 10", "dense {units: 10, activation: linear, use_bias: true, kernel_initializer: glorot_uniform, bias_initializer: zeros, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null}" },
        new object[] { "[784]", "- dropout: {rate: 0.25}", "dropout {rate: 0.25}" },
        new object[] { "[784]", "- dropout: 0.25", "dropout {rate: 0.25}" },
        new object[] { "[28, 28]", "- lstm: {units: 8}", "lstm {units: 8, activation: tanh, recurrent_activation: sigmoid, use_bias: true, kernel_initializer: glorot_uniform, recurrent_initializer: orthogonal, bias_initializer: zeros, unit_forget_bias: true, kernel_regularizer: null, recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null, dropout: 0, recurrent_dropout: 0, return_sequences: false, go_backwards: false}" },
        new object[] { "[28, 28]", "- lstm: 8", "lstm {units: 8, activation: tanh, recurrent_activation: sigmoid, use_bias: true, kernel_initializer: glorot_uniform, recurrent_initializer: orthogonal, bias_initializer: zeros, unit_forget_bias: true, kernel_regularizer: null, recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null, dropout: 0, recurrent_dropout: 0, return_sequences: false, go_backwards: false}" },
        new object[] { "[28, 28]", "- gru: {units: 8}", "gru {units: 8, activation: tanh, recurrent_activation: sigmoid, use_bias: true, kernel_initializer: glorot_uniform, recurrent_initializer: orthogonal, bias_initializer: zeros, kernel_regularizer: null, recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null, dropout: 0, recurrent_dropout: 0, return_sequences: false, go_backwards: false, reset_after: true}" },
        new object[] { "[28, 28]", "- simple_rnn: {units: 8}", "simple_rnn {units: 8, activation: tanh, use_bias: true, kernel_initializer: glorot_uniform, recurrent_initializer: orthogonal, bias_initializer: zeros, kernel_regularizer: null, recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null, dropout: 0, recurrent_dropout: 0, return_sequences: false, go_backwards: false}" },
        new object[] { "[100, 8]", "- conv1d: {filters: 16, kernel_size: 3}", "conv1d {filters: 16, kernel_size: [3], strides: [1], padding: valid, dilation_rate: [1], groups: 1, activation: linear, use_bias: true, kernel_initializer: glorot_uniform, bias_initializer: zeros, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null}" },
        new object[] { "[28, 28, 1]", "- conv2d: {filters: 32, kernel_size: 3}", "conv2d {filters: 32, kernel_size: [3, 3], strides: [1, 1], padding: valid, dilation_rate: [1, 1], groups: 1, activation: linear, use_bias: true, kernel_initializer: glorot_uniform, bias_initializer: zeros, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null}" },
        new object[] { "[100, 8]", "- max_pooling1d", "max_pooling1d {pool_size: [2], strides: [2], padding: valid}" },
        new object[] { "[100, 8]", "- max_pooling1d: 4", "max_pooling1d {pool_size: [4], strides: [4], padding: valid}" },
        new object[] { "[28, 28, 1]", "- max_pooling2d: {}", "max_pooling2d {pool_size: [2, 2], strides: [2, 2], padding: valid}" },
        new object[] { "[28, 28, 1]", "- max_pooling2d: [3, 2]", "max_pooling2d {pool_size: [3, 2], strides: [3, 2], padding: valid}" },
        new object[] { "[28, 28]", "- flatten", "flatten {}" },
        new object[] { "[28, 28]", "- flatten:", "flatten {}" },
        new object[] { "[784]", "- reshape: [28, 28, 1]", "reshape {target_shape: [28, 28, 1]}" },
        new object[] { "[784]", "- reshape: {target_shape: [-1, 28]}", "reshape {target_shape: [28, 28]}" },
        new object[] { "[784]", "- batch_normalization", "batch_normalization {momentum: 0.99, epsilon: 0.001, center: true, scale: true}" },
        new object[] { "[100]", "- embedding: {input_dim: 1000, output_dim: 64}", "embedding {input_dim: 1000, output_dim: 64, embeddings_initializer: uniform, embeddings_regularizer: null, activity_regularizer: null}" },
        new object[] { "[784]", "- activation: relu", "activation {activation: relu}" },
        new object[] { "[784]", "- activation: {activation: silu}", "activation {activation: swish}" },
    };

    [Theory]
    [MemberData(nameof(Defaults))]
    public void BindsWithKerasDefaults(string input, string layer, string expected)
    {
        var spec = SpecOf(WithLayers(input, layer));
        Assert.Equal(expected, spec.Layers[0].Config.ToString());
        Assert.Equal(expected.Split(' ')[0], spec.Layers[0].Name);
    }

    [Fact]
    public void AKerasLayerModelDslLacksIsNamedAsSuchWithTheSupportedList()
    {
        var message = Single(Analyze(WithLayers("[8, 8]", "- multi_head_attention: {}")), "MDSL011").Message;
        Assert.Equal("unknown layer type 'multi_head_attention' in layer 1; Keras has 'multi_head_attention', but ModelDsl does not support it; supported: " + string.Join(", ", LayerCatalog.Names), message);
        Assert.Contains("leaky_relu, prelu", message);
    }

    [Theory]
    [InlineData("l2", "l2(0.01)")]
    [InlineData("l1", "l1(0.01)")]
    [InlineData("l1_l2", "l1_l2(l1=0.01, l2=0.01)")]
    [InlineData("l2(0.001)", "l2(0.001)")]
    [InlineData("'l1_l2(l1=0.02, l2=0.003)'", "l1_l2(l1=0.02, l2=0.003)")]
    [InlineData("{l2: 0.0005}", "l2(0.0005)")]
    [InlineData("{l1_l2: {l1: 0.1}}", "l1_l2(l1=0.1, l2=0.01)")]
    [InlineData("~", "null")]
    public void RegularizersReadInKerasForms(string written, string expected)
    {
        var config = SpecOf(WithLayers("[8]", $"- dense: {{units: 4, kernel_regularizer: {written}}}")).Layers[0].Config;
        Assert.Equal(expected, config["kernel_regularizer"]?.ToString() ?? "null");
    }

    public static IEnumerable<object[]> Explicit() => new[]
    {
        new object[] { "[784]", "- dense: {units: 5, activation: relu, use_bias: false, kernel_initializer: he_normal, bias_initializer: ones}", "dense {units: 5, activation: relu, use_bias: false, kernel_initializer: he_normal, bias_initializer: ones, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null}" },
        new object[] { "[28, 28]", "- lstm: {units: 4, activation: relu, recurrent_activation: hard_sigmoid, return_sequences: true, use_bias: false, unit_forget_bias: false, kernel_initializer: lecun_normal, recurrent_initializer: glorot_normal, bias_initializer: ones}", "lstm {units: 4, activation: relu, recurrent_activation: hard_sigmoid, use_bias: false, kernel_initializer: lecun_normal, recurrent_initializer: glorot_normal, bias_initializer: ones, unit_forget_bias: false, kernel_regularizer: null, recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null, dropout: 0, recurrent_dropout: 0, return_sequences: true, go_backwards: false}" },
        new object[] { "[28, 28]", "- gru: {units: 4, reset_after: false, return_sequences: true, activation: ~}", "gru {units: 4, activation: linear, recurrent_activation: sigmoid, use_bias: true, kernel_initializer: glorot_uniform, recurrent_initializer: orthogonal, bias_initializer: zeros, kernel_regularizer: null, recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null, dropout: 0, recurrent_dropout: 0, return_sequences: true, go_backwards: false, reset_after: false}" },
        new object[] { "[28, 28]", "- simple_rnn: {units: 4, activation: relu, return_sequences: true, use_bias: false}", "simple_rnn {units: 4, activation: relu, use_bias: false, kernel_initializer: glorot_uniform, recurrent_initializer: orthogonal, bias_initializer: zeros, kernel_regularizer: null, recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null, dropout: 0, recurrent_dropout: 0, return_sequences: true, go_backwards: false}" },
        new object[] { "[100, 8]", "- conv1d: {filters: 4, kernel_size: [5], strides: 1, padding: same, dilation_rate: 2, activation: relu}", "conv1d {filters: 4, kernel_size: [5], strides: [1], padding: same, dilation_rate: [2], groups: 1, activation: relu, use_bias: true, kernel_initializer: glorot_uniform, bias_initializer: zeros, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null}" },
        new object[] { "[28, 28, 3]", "- conv2d: {filters: 8, kernel_size: [3, 5], strides: [2, 1], padding: same, use_bias: false}", "conv2d {filters: 8, kernel_size: [3, 5], strides: [2, 1], padding: same, dilation_rate: [1, 1], groups: 1, activation: linear, use_bias: false, kernel_initializer: glorot_uniform, bias_initializer: zeros, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null}" },
        new object[] { "[100, 8]", "- max_pooling1d: {pool_size: 3, strides: 1, padding: same}", "max_pooling1d {pool_size: [3], strides: [1], padding: same}" },
        new object[] { "[28, 28, 1]", "- max_pooling2d: {pool_size: 3, strides: [2, 1]}", "max_pooling2d {pool_size: [3, 3], strides: [2, 1], padding: valid}" },
        new object[] { "[28, 28, 1]", "- max_pooling2d: {pool_size: 2, strides: null}", "max_pooling2d {pool_size: [2, 2], strides: [2, 2], padding: valid}" },
        new object[] { "[16]", "- batch_normalization: {momentum: 0.9, epsilon: 1e-5, center: false, scale: false}", "batch_normalization {momentum: 0.9, epsilon: 1E-05, center: false, scale: false}" },
        new object[] { "[100]", "- embedding: {input_dim: 50, output_dim: 8, embeddings_initializer: random_normal, embeddings_regularizer: null, activity_regularizer: null}", "embedding {input_dim: 50, output_dim: 8, embeddings_initializer: random_normal, embeddings_regularizer: null, activity_regularizer: null}" },
    };

    [Theory]
    [MemberData(nameof(Explicit))]
    public void EveryArgumentOverridesItsDefault(string input, string layer, string expected)
    {
        Assert.Equal(expected, SpecOf(WithLayers(input, layer)).Layers[0].Config.ToString());
    }

    [Fact]
    public void AutomaticNamesCountPerKindLikeKeras()
    {
        var spec = SpecOf(WithLayers("[28, 28]", "- lstm: {units: 8, return_sequences: true}\n- dropout: 0.1\n- lstm: {units: 8, name: encoder}\n- dense: 4\n- dropout: 0.1\n- dense: 4\n- dense: 1"));
        Assert.Equal(new[] { "lstm", "dropout", "encoder", "dense", "dropout_1", "dense_1", "dense_2" }, spec.Layers.Select(l => l.Name));
        Assert.Equal(Enumerable.Range(1, 7), spec.Layers.Select(l => l.Index));
    }

    [Fact]
    public void AWrittenNameMayNotCollideWithAnAutomaticOne()
    {
        var analysis = Analyze(WithLayers("[4]", "- dense: 4\n- dense: {units: 4, name: dense}"));
        Assert.Equal("the layer name 'dense' is already used by layer 1 'dense'; names must be unique", Single(analysis, "MDSL022").Message);
    }

    [Fact]
    public void AnEmbeddingModelTakesIntegerInput()
    {
        var spec = SpecOf(WithLayers("[100]", "- embedding: {input_dim: 1000, output_dim: 16}\n- lstm: 8\n- dense: {units: 1, activation: sigmoid}", "{loss: binary_crossentropy}"));
        Assert.Equal("int64", spec.InputDType);
        Assert.Equal("int64", SpecOf("input_dtype: int32\n" + WithLayers("[100]", "- embedding: {input_dim: 10, output_dim: 2}")).InputDType);
        Assert.Equal("float32", SpecOf("input_dtype: float32\n" + WithLayers("[100]", "- dense: 2")).InputDType);
    }

    [Fact]
    public void IntegerInputIntoAFloatLayerIsAnError()
    {
        var analysis = Analyze("input_dtype: int64\n" + WithLayers("[100]", "- dense: 2"));
        Assert.Equal("input_dtype int64 feeds layer 1 'dense', which needs float values; only an embedding layer takes integer indices", Single(analysis, "MDSL035").Message);
        analysis = Analyze("input_dtype: float32\n" + WithLayers("[100]", "- embedding: {input_dim: 10, output_dim: 2}"));
        Assert.Equal("layer 1 'embedding' takes integer indices, but input_dtype is float32; set input_dtype: int64 or leave it out", Single(analysis, "MDSL035").Message);
    }

    [Theory]
    [InlineData("- LSTM: 8", "unknown layer type 'LSTM' in layer 1; did you mean 'lstm'?")]
    [InlineData("- MaxPooling2D", "unknown layer type 'MaxPooling2D' in layer 1; did you mean 'max_pooling2d'?")]
    [InlineData("- maxpool2d", "unknown layer type 'maxpool2d' in layer 1; did you mean 'max_pooling2d'?")]
    [InlineData("- SimpleRNN: 4", "unknown layer type 'SimpleRNN' in layer 1; did you mean 'simple_rnn'?")]
    [InlineData("- tanh", "unknown layer type 'tanh' in layer 1; an activation on its own is written '- activation: tanh'")]
    public void UnknownLayerTypesGetTheRightHint(string layer, string message)
    {
        Assert.Equal(message, Single(Analyze(WithLayers("[28, 28]", layer)), "MDSL011").Message);
    }

    [Theory]
    [InlineData("- dense: {units: 4, return_sequences: true}", "MDSL010", "unknown key 'return_sequences' in layer 1 'dense'; it is an argument of lstm, gru, simple_rnn, not of dense")]
    [InlineData("- dense: {units: 4, input_shape: [784]}", "MDSL010", "unknown key 'input_shape' in layer 1 'dense'; the input shape is declared once, at the top level, like input: [28, 28]")]
    [InlineData("- dense: {unit: 4}", "MDSL010", "unknown key 'unit' in layer 1 'dense'; did you mean 'units'?")]
    [InlineData("- dense: {units: 4, kernel_constraint: max_norm}", "MDSL023", "'kernel_constraint' is a Keras argument of dense that ModelDsl does not support")]
    [InlineData("- dense: {units: 4, kernel_regularizer: l3}", "MDSL013", "'kernel_regularizer' of layer 1 'dense' must be one of 'l1', 'l2', 'l1_l2', but got 'l3' (did you mean 'l1'?)")]
    [InlineData("- dense: {units: 4, kernel_regularizer: {l2: -1}}", "MDSL013", "the factor of 'kernel_regularizer' of layer 1 'dense' must be a number of at least 0, but got -1")]
    [InlineData("- embedding: {input_dim: 4, output_dim: 2, input_length: 784}", "MDSL023", "'input_length' is a Keras argument of embedding that ModelDsl does not support; the sequence length comes from 'input'")]
    [InlineData("- flatten: 3", "MDSL012", "the arguments of layer 1 'flatten' must be a mapping of its Keras arguments, but got 3")]
    [InlineData("- dense: {activation: relu}", "MDSL014", "layer 1 'dense' is missing the required key 'units' (the number of output features, e.g. units: 10)")]
    [InlineData("- conv2d: {filters: 4, kernel_size: [3, 3, 3]}", "MDSL013", "'kernel_size' of layer 1 'conv2d' must be a positive integer or a list of 2 of them, but got a list [3, 3, 3]")]
    [InlineData("- conv2d: {filters: 4, kernel_size: 3, padding: full}", "MDSL013", "'padding' of layer 1 'conv2d' must be one of 'valid', 'same', but got 'full'")]
    [InlineData("- conv2d: {filters: 4, kernel_size: 3, padding: vaild}", "MDSL013", "'padding' of layer 1 'conv2d' must be one of 'valid', 'same', but got 'vaild' (did you mean 'valid'?)")]
    [InlineData("- conv2d: {filters: 4, kernel_size: [3, 0]}", "MDSL013", "the second value of 'kernel_size' of layer 1 'conv2d' must be a positive integer, but got 0")]
    [InlineData("- dense: {units: 99999999999}", "MDSL013", "'units' of layer 1 'dense' must be a positive integer no larger than 2147483647, but got 99999999999")]
    [InlineData("- dense: {units: -3}", "MDSL013", "'units' of layer 1 'dense' must be a positive integer, but got -3")]
    [InlineData("- dense: {units: 2.5}", "MDSL012", "'units' of layer 1 'dense' must be a positive integer, but got 2.5")]
    [InlineData("- dense: {units: 4, use_bias: yes}", "MDSL012", "'use_bias' of layer 1 'dense' must be true or false, but got 'yes' (YAML 1.2 spells booleans true and false)")]
    [InlineData("- dense: {units: 4, use_bias: 'false'}", "MDSL012", "'use_bias' of layer 1 'dense' must be true or false, but got the string \"false\" (remove the quotes)")]
    [InlineData("- dropout: .inf", "MDSL013", "'rate' of layer 1 'dropout' must be a number at least 0 and less than 1, but got .inf")]
    [InlineData("- dropout: 1e999", "MDSL013", "'rate' of layer 1 'dropout' must be a number at least 0 and less than 1, but got 1e999")]
    [InlineData("- reshape: [2, -1, -1]", "MDSL013", "dimension 3 of 'target_shape' of layer 1 'reshape' must be a positive integer, as only one dimension may be -1, but got -1")]
    [InlineData("- reshape: [2, 0]", "MDSL013", "dimension 2 of 'target_shape' of layer 1 'reshape' must be a positive integer or -1, but got 0")]
    [InlineData("- conv1d: {filters: 2, kernel_size: 3, strides: 2, dilation_rate: 2}", "MDSL013", "'dilation_rate' of layer 1 'conv1d' must be 1 when strides is greater than 1, but got 2")]
    [InlineData("- dense: {units: 4, name: 'my layer'}", "MDSL020", "the layer name 'my layer' is not a valid layer name; use up to 512 letters, digits and _, not starting with a digit")]
    [InlineData("- {type: dense, units: 4}", "MDSL024", "layer 1 must be one key naming its type, like '- dense: {units: 10}', but it has the keys type, units; write the type as the key, with its arguments under it")]
    [InlineData("- {dense: 4, dropout: 0.5}", "MDSL024", "layer 1 must be one key naming its type, like '- dense: {units: 10}', but it has the keys dense, dropout; write each layer as its own list item starting with '-'")]
    [InlineData("- [dense, 4]", "MDSL024", "layer 1 must be one key naming its type, like '- dense: {units: 10}', but got a list")]
    [InlineData("- bidirectional: {layer: {dense: 4}}", "MDSL013", "'layer' of layer 1 'bidirectional' must be an lstm, gru or simple_rnn layer, but got dense; for a dense applied at every time step use time_distributed: {layer: {dense: ...}}")]
    [InlineData("- bidirectional: {layer: {lstm: 4}, merge_mode: cat}", "MDSL013", "'merge_mode' of layer 1 'bidirectional' must be one of 'concat', 'sum', 'mul', 'ave', but got 'cat' (did you mean 'concat'?)")]
    [InlineData("- bidirectional: {merge_mode: sum}", "MDSL014", "layer 1 'bidirectional' is missing the required key 'layer' (the recurrent layer to run both ways, e.g. layer: {lstm: {units: 64}})")]
    [InlineData("- time_distributed: {layer: {lstm: 4}}", "MDSL013", "'layer' of layer 1 'time_distributed' must be a layer with a per-sample shape rule, but got lstm, which already runs over the time steps; use it without time_distributed")]
    [InlineData("- conv2d: {filters: 4, kernel_size: 3, padding: causal}", "MDSL013", "'padding' of layer 1 'conv2d' must be one of 'valid', 'same', but got 'causal' (causal padding is for conv1d over time steps; an image has no past and future)")]
    [InlineData("- conv2d: {filters: 4, kernel_size: 3, strides: 2, dilation_rate: 2}", "MDSL013", "'dilation_rate' of layer 1 'conv2d' must be 1 when strides is greater than 1, but got [2, 2]")]
    public void LayerArgumentsAreChecked(string layer, string id, string message)
    {
        Assert.Equal(message, Single(Analyze(WithLayers("[16, 16, 1]", layer)), id).Message);
    }
}

using static ModelDsl.Spec.Tests.TestModels;

namespace ModelDsl.Spec.Tests;

/// <summary>DESIGN.md's reference model: every field, every shape, Keras' parameter counts and summary.</summary>
public class ReferenceModelTests
{
    private static readonly ModelSpec Model = SpecOf(Reference);

    [Fact]
    public void HasNoDiagnostics() => Assert.Empty(Analyze(Reference).Diagnostics);

    [Fact]
    public void BindsTheTopLevel()
    {
        Assert.Equal("MnistLstm", Model.Name);
        Assert.Equal("Examples.Mnist", Model.Namespace);
        Assert.Equal(new[] { 28, 28 }, Model.InputShape);
        Assert.Equal("float32", Model.InputDType);
        Assert.Equal(new PreprocessSpec(0.00392156862745098), Model.Preprocess);
        Assert.Equal(new[] { 10 }, Model.OutputShape);
        Assert.Equal(0, Model.Span.Start);
    }

    [Fact]
    public void BindsCompileWithKerasDefaults()
    {
        Assert.Equal("adam {learning_rate: 0.001, beta_1: 0.9, beta_2: 0.999, epsilon: 1E-07, amsgrad: false, decay: 1E-05, clipnorm: null, clipvalue: null, global_clipnorm: null}", Model.Compile.Optimizer.ToString());
        Assert.Equal(new LossSpec("sparse_categorical_crossentropy", false), Model.Compile.Loss);
        Assert.Equal(new[] { new MetricSpec("accuracy", "sparse_categorical_accuracy") }, Model.Compile.Metrics);
        Assert.Equal(new FitSpec(3, 32, true, 42, 0), Model.Fit);
    }

    [Fact]
    public void NamesShapesAndCountsEveryLayerAsKeras()
    {
        var expected = new (string Name, int[] Input, int[] Output, long Parameters)[]
        {
            ("lstm", new[] { 28, 28 }, new[] { 28, 128 }, 80_384),
            ("dropout", new[] { 28, 128 }, new[] { 28, 128 }, 0),
            ("lstm_1", new[] { 28, 128 }, new[] { 128 }, 131_584),
            ("dropout_1", new[] { 128 }, new[] { 128 }, 0),
            ("dense", new[] { 128 }, new[] { 32 }, 4_128),
            ("dropout_2", new[] { 32 }, new[] { 32 }, 0),
            ("dense_1", new[] { 32 }, new[] { 10 }, 330),
        };
        Assert.Equal(expected.Length, Model.Layers.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            var layer = Model.Layers[i];
            Assert.Equal(i + 1, layer.Index);
            Assert.Equal(expected[i].Name, layer.Name);
            Assert.Equal(expected[i].Input, layer.InputShape);
            Assert.Equal(expected[i].Output, layer.OutputShape);
            Assert.Equal(expected[i].Parameters, layer.Parameters);
            Assert.Equal(expected[i].Parameters, layer.TrainableParameters);
            Assert.Equal(i + 5, layer.Span.StartLine);
        }

        Assert.Equal(
            "lstm {units: 128, activation: relu, recurrent_activation: sigmoid, use_bias: true, kernel_initializer: glorot_uniform, "
            + "recurrent_initializer: orthogonal, bias_initializer: zeros, unit_forget_bias: true, kernel_regularizer: null, recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null, dropout: 0, recurrent_dropout: 0, return_sequences: true, go_backwards: false}",
            Model.Layers[0].Config.ToString());
        Assert.Equal("dropout {rate: 0.2}", Model.Layers[1].Config.ToString());
        Assert.Equal("dense {units: 10, activation: softmax, use_bias: true, kernel_initializer: glorot_uniform, bias_initializer: zeros, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null}", Model.Layers[6].Config.ToString());
    }

    [Fact]
    public void Has216426Parameters()
    {
        Assert.Equal(216_426, Model.TotalParameters);
        Assert.Equal(216_426, Model.TrainableParameters);
    }

    [Fact]
    public void SummaryIsKerasLike()
    {
        const string expected = """
            Model: "MnistLstm"
            _________________________________________________________________
             Layer (type)                Output Shape              Param #
            =================================================================
             lstm (LSTM)                 (None, 28, 128)           80384
             dropout (Dropout)           (None, 28, 128)           0
             lstm_1 (LSTM)               (None, 128)               131584
             dropout_1 (Dropout)         (None, 128)               0
             dense (Dense)               (None, 32)                4128
             dropout_2 (Dropout)         (None, 32)                0
             dense_1 (Dense)             (None, 10)                330
            =================================================================
            Total params: 216,426
            Trainable params: 216,426
            Non-trainable params: 0
            _________________________________________________________________

            """;
        Assert.Equal(expected.Replace("\r\n", "\n"), ModelSummary.Format(Model));
    }

    [Fact]
    public void AnalysisIsValueEqualAcrossRuns()
    {
        // The incremental generator caches on equality: the same text must give an equal analysis.
        var first = Analyze(Reference);
        var second = Analyze(new string(Reference.ToCharArray()));
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.NotEqual(first, Analyze(Reference.Replace("epochs: 3", "epochs: 4")));
    }

    [Fact]
    public void CommentsAndLayoutDoNotChangeTheModel()
    {
        const string block = """
            model: MnistLstm
            namespace: Examples.Mnist
            input:
              - 28
              - 28
            preprocess:
              rescale: 0.00392156862745098
            layers:
              - lstm:
                  units: 128
                  activation: relu
                  return_sequences: true
              - dropout: {rate: 0.2}
              - lstm: {units: 128, activation: relu}
              - dropout: 0.2
              - dense: {units: 32, activation: relu}
              - dropout: 0.2
              - dense: {units: 10, activation: softmax}
            compile:
              optimizer:
                adam:
                  learning_rate: 0.001
                  decay: 1e-5
              loss: sparse_categorical_crossentropy
              metrics:
                - accuracy
            fit: {epochs: 3, batch_size: 32, shuffle: true, seed: 42}
            """;
        var other = SpecOf(block);
        Assert.Equal(Model.Layers.Select(l => (l.Name, l.Config, l.OutputShape, l.Parameters)), other.Layers.Select(l => (l.Name, l.Config, l.OutputShape, l.Parameters)));
        Assert.Equal(Model.Compile, other.Compile);
        Assert.Equal(Model.Fit, other.Fit);
    }
}

using static ModelDsl.Spec.Tests.TestModels;

namespace ModelDsl.Spec.Tests;

/// <summary>compile, fit, preprocess and the model's names, with Keras' defaults and aliases.</summary>
public class TrainingTests
{
    private const string Classifier = "- dense: {units: 10, activation: softmax}";

    private static ModelSpec Compiled(string compile) => SpecOf(WithLayers("[784]", Classifier, compile));

    [Theory]
    [InlineData("adam", "adam {learning_rate: 0.001, beta_1: 0.9, beta_2: 0.999, epsilon: 1E-07, amsgrad: false, decay: 0, clipnorm: null, clipvalue: null, global_clipnorm: null}")]
    [InlineData("Adam", "adam {learning_rate: 0.001, beta_1: 0.9, beta_2: 0.999, epsilon: 1E-07, amsgrad: false, decay: 0, clipnorm: null, clipvalue: null, global_clipnorm: null}")]
    [InlineData("adamw", "adamw {learning_rate: 0.001, weight_decay: 0.004, beta_1: 0.9, beta_2: 0.999, epsilon: 1E-07, amsgrad: false, decay: 0, clipnorm: null, clipvalue: null, global_clipnorm: null}")]
    [InlineData("sgd", "sgd {learning_rate: 0.01, momentum: 0, nesterov: false, decay: 0, clipnorm: null, clipvalue: null, global_clipnorm: null}")]
    [InlineData("RMSprop", "rmsprop {learning_rate: 0.001, rho: 0.9, momentum: 0, epsilon: 1E-07, decay: 0, clipnorm: null, clipvalue: null, global_clipnorm: null}")]
    public void OptimizersHaveKerasDefaults(string written, string expected)
    {
        var spec = Compiled($"{{optimizer: {written}, loss: sparse_categorical_crossentropy}}");
        Assert.Equal(expected, spec.Compile.Optimizer.ToString());
    }

    [Fact]
    public void OptimizerArgumentsOverrideDefaults()
    {
        Assert.Equal(
            "nadam {learning_rate: 0.002, beta_1: 0.9, beta_2: 0.999, epsilon: 1E-07, decay: 0, clipnorm: 1, clipvalue: null, global_clipnorm: null}",
            Compiled("{optimizer: {nadam: {learning_rate: 0.002, clipnorm: 1}}, loss: mse}").Compile.Optimizer.ToString());
        Assert.Equal(
            "adagrad {learning_rate: 0.001, initial_accumulator_value: 0.5, epsilon: 1E-07, decay: 0, clipnorm: null, clipvalue: null, global_clipnorm: 2.5}",
            Compiled("{optimizer: {adagrad: {initial_accumulator_value: 0.5, global_clipnorm: 2.5}}, loss: mse}").Compile.Optimizer.ToString());
        Assert.Equal(
            "sgd {learning_rate: 0.1, momentum: 0.9, nesterov: true, decay: 0.0001, clipnorm: null, clipvalue: null, global_clipnorm: null}",
            Compiled("{optimizer: {sgd: {learning_rate: 0.1, decay: 1e-4, momentum: 0.9, nesterov: true}}, loss: mse}").Compile.Optimizer.ToString());
        Assert.Equal(
            "adamw {learning_rate: 0.002, weight_decay: 0.01, beta_1: 0.8, beta_2: 0.99, epsilon: 1E-08, amsgrad: true, decay: 0, clipnorm: null, clipvalue: null, global_clipnorm: null}",
            Compiled("{optimizer: {adamw: {learning_rate: 0.002, beta_1: 0.8, beta_2: 0.99, epsilon: 1e-8, amsgrad: true, weight_decay: 0.01}}, loss: mse}").Compile.Optimizer.ToString());
        Assert.Equal(
            "rmsprop {learning_rate: 0.01, rho: 0.95, momentum: 0.5, epsilon: 1E-06, decay: 0, clipnorm: null, clipvalue: null, global_clipnorm: null}",
            Compiled("{optimizer: {rmsprop: {learning_rate: 0.01, rho: 0.95, momentum: 0.5, epsilon: 1e-6}}, loss: mse}").Compile.Optimizer.ToString());
    }

    [Fact]
    public void CompileWithoutOptimizerUsesKerasDefaultRmsprop()
    {
        Assert.Equal("rmsprop", Compiled("{loss: mse}").Compile.Optimizer.Kind);
    }

    [Theory]
    [InlineData("sparse_categorical_crossentropy", "sparse_categorical_crossentropy", false)]
    [InlineData("{categorical_crossentropy: {from_logits: false}}", "categorical_crossentropy", false)]
    [InlineData("binary_crossentropy", "binary_crossentropy", false)]
    [InlineData("mean_squared_error", "mse", false)]
    [InlineData("MSE", "mse", false)]
    [InlineData("mae", "mae", false)]
    [InlineData("{mean_absolute_error: ~}", "mae", false)]
    public void LossesResolveAliases(string written, string name, bool fromLogits)
    {
        Assert.Equal(new LossSpec(name, fromLogits), SpecOf(WithLayers("[784]", "- dense: {units: 10, activation: sigmoid}", $"{{loss: {written}}}")).Compile.Loss);
    }

    [Fact]
    public void FromLogitsWithALinearOutputIsTheStableForm()
    {
        var analysis = Analyze(WithLayers("[784]", "- dense: 10", "{loss: {sparse_categorical_crossentropy: {from_logits: true}}}"));
        Assert.Empty(analysis.Diagnostics);
        Assert.Equal(new LossSpec("sparse_categorical_crossentropy", true), analysis.Spec!.Compile.Loss);
    }

    [Theory]
    [InlineData("sparse_categorical_crossentropy", "softmax", 10, "sparse_categorical_accuracy")]
    [InlineData("categorical_crossentropy", "softmax", 10, "categorical_accuracy")]
    [InlineData("binary_crossentropy", "sigmoid", 1, "binary_accuracy")]
    [InlineData("mse", "linear", 1, "binary_accuracy")]
    [InlineData("mse", "linear", 3, "categorical_accuracy")]
    public void AccuracyResolvesAsKerasDoes(string loss, string activation, int units, string kind)
    {
        var spec = SpecOf(WithLayers("[8]", $"- dense: {{units: {units}, activation: {activation}}}", $"{{loss: {loss}, metrics: [accuracy, acc]}}"));
        Assert.Equal(new[] { new MetricSpec("accuracy", kind), new MetricSpec("acc", kind) }, spec.Compile.Metrics);
    }

    [Fact]
    public void ExplicitMetricsKeepTheirNames()
    {
        var spec = SpecOf(WithLayers("[8]", "- dense: 2", "{loss: mse, metrics: [mae, mean_squared_error, categorical_accuracy]}"));
        Assert.Equal(
            new[] { new MetricSpec("mae", "mean_absolute_error"), new MetricSpec("mean_squared_error", "mean_squared_error"), new MetricSpec("categorical_accuracy", "categorical_accuracy") },
            spec.Compile.Metrics);
    }

    [Fact]
    public void FitDefaultsAreKeras()
    {
        Assert.Equal(new FitSpec(1, 32, true, null, 0), Compiled("{loss: mse}").Fit);
        Assert.Equal(new FitSpec(5, 128, false, 7, 0.1), SpecOf(WithLayers("[784]", Classifier, "{loss: mse}") + "fit: {epochs: 5, batch_size: 128, shuffle: false, seed: 7, validation_split: 0.1}").Fit);
    }

    [Fact]
    public void NamesComeFromTheFileAndTheDefaultNamespace()
    {
        var analysis = ModelAnalyzer.AnalyzeYaml("src/models/mnist-lstm.model.yaml", WithLayers("[784]", Classifier, "{loss: mse}"), "My.App");
        Assert.Equal(("MnistLstm", "My.App"), (analysis.Spec!.Name, analysis.Spec.Namespace));
        Assert.Null(ModelAnalyzer.AnalyzeYaml("a.model.yaml", WithLayers("[784]", Classifier, "{loss: mse}"), null).Spec!.Namespace);
    }

    [Theory]
    [InlineData("mnist-lstm.model.yaml", "MnistLstm")]
    [InlineData("dir/my_first.net.model.yaml", "MyFirstNet")]
    [InlineData("C:\\models\\Tiny.MODEL.YAML", "Tiny")]
    [InlineData("cnn.yaml", "Cnn")]
    [InlineData("already-PascalCase.model.yaml", "AlreadyPascalCase")]
    public void DefaultNameIsTheFileNameInPascalCase(string path, string name)
    {
        Assert.Equal(name, ModelAnalyzer.DefaultName(path.Replace('\\', System.IO.Path.DirectorySeparatorChar)));
    }

    [Fact]
    public void AFileNameThatIsNoClassNameNeedsModel()
    {
        var text = WithLayers("[784]", Classifier, "{loss: mse}");
        var diagnostic = Single(ModelAnalyzer.AnalyzeYaml("3d.model.yaml", text, null), "MDSL020");
        Assert.Equal("the class name taken from the file name '3d' is not a valid C# class name; set one with model: MyModel", diagnostic.Message);
        Assert.Equal((0, 0), (diagnostic.Span.StartLine, diagnostic.Span.StartColumn));
        Assert.NotNull(ModelAnalyzer.AnalyzeYaml("3d.model.yaml", "model: Net3d\n" + text, null).Spec);
    }

    [Theory]
    [InlineData("preprocess: {rescale: 1/255}", "MDSL012", "'rescale' in preprocess must be a non-zero number, such as 0.00392156862745098 for 1/255, but got '1/255' (YAML does no arithmetic; write 0.00392156862745098)")]
    [InlineData("preprocess: {rescale: 0}", "MDSL013", "'rescale' in preprocess must be a non-zero number, such as 0.00392156862745098 for 1/255, but got 0")]
    [InlineData("preprocess: {scale: 0.5}", "MDSL010", "unknown key 'scale' in preprocess; did you mean 'rescale'?")]
    [InlineData("namespace: My..App", "MDSL020", "the namespace 'My..App' is not a valid C# namespace; use dotted identifiers such as Examples.Mnist")]
    [InlineData("model: class", "MDSL020", "the model name 'class' is not a valid C# class name; use up to 512 letters, digits and _, not starting with a digit")]
    [InlineData("epochs: 3", "MDSL010", "unknown key 'epochs' in the model; it belongs under 'fit'")]
    [InlineData("input_shape: [784]", "MDSL010", "unknown key 'input_shape' in the model; did you mean 'input'?")]
    [InlineData("sequential: []", "MDSL010", "unknown key 'sequential' in the model; did you mean 'layers'? (a model file is always Sequential: list its layers under 'layers')")]
    [InlineData("fit: {epochs: 0}", "MDSL013", "'epochs' in fit must be a positive integer, but got 0")]
    [InlineData("fit: {validation_split: 1}", "MDSL013", "'validation_split' in fit must be a number at least 0 and less than 1, but got 1")]
    [InlineData("fit: {validation_data: x}", "MDSL010", "unknown key 'validation_data' in fit; validation data is passed to Train() in C#")]
    [InlineData("fit: [3]", "MDSL012", "'fit' must be a mapping such as {epochs: 3, batch_size: 32}, but got a list [3]")]
    [InlineData("input_dtype: float16", "MDSL013", "'input_dtype' must be float32 or int64, but got 'float16'")]
    public void TopLevelSectionsAreChecked(string line, string id, string message)
    {
        Assert.Equal(message, Single(Analyze(line + "\n" + WithLayers("[784]", Classifier, "{loss: sparse_categorical_crossentropy}")), id).Message);
    }

    [Theory]
    [InlineData("{loss: sparse_categorical_crossentropy, lr: 0.1}", "MDSL010", "unknown key 'lr' in compile; it is an optimizer argument, as optimizer: {adam: {learning_rate: 0.001}}")]
    [InlineData("{loss: sparse_categorical_crossentropy, optimizer: {adam: {lr: 0.1}}}", "MDSL010", "unknown key 'lr' in optimizer 'adam'; did you mean 'learning_rate'? (Keras renamed lr to learning_rate)")]
    [InlineData("{loss: sparse_categorical_crossentropy, optimizer: {adam: {learning_rate: -1}}}", "MDSL013", "'learning_rate' of optimizer 'adam' must be a positive number, but got -1")]
    [InlineData("{loss: sparse_categorical_crossentropy, optimizer: {adam: {use_ema: true}}}", "MDSL023", "'use_ema' is a Keras argument of optimizer 'adam' that ModelDsl does not support")]
    [InlineData("{loss: sparse_categorical_crossentropy, optimizer: {sgd: {clipnorm: 1, clipvalue: 0.5}}}", "MDSL013", "'clipvalue' of optimizer 'sgd' must be left out when clipnorm is set (Keras clips one way at a time), but got 0.5")]
    [InlineData("{loss: sparse_categorical_crossentropy, optimizer: ftrl}", "MDSL017", "unknown optimizer 'ftrl'; Keras has it, but ModelDsl does not support it; supported: adam, adamw, sgd, rmsprop, nadam, adamax, adagrad, adadelta")]
    [InlineData("{loss: sparse_categorical_crossentropy, optimizer: {adam: 0.1}}", "MDSL012", "the arguments of optimizer 'adam' must be a mapping such as {learning_rate: 0.001}, but got 0.1")]
    [InlineData("{loss: sparse_categorical_crossentropy, optimizer: {adam: {}, sgd: {}}}", "MDSL012", "'optimizer' in compile must be an optimizer name such as adam, or one name with its arguments such as {adam: {learning_rate: 0.001}}, but got a mapping with the keys adam, sgd")]
    [InlineData("{loss: huber}", "MDSL018", "unknown loss 'huber'; Keras has it, but ModelDsl does not support it; supported: sparse_categorical_crossentropy, categorical_crossentropy, binary_crossentropy, mean_squared_error, mse, mean_absolute_error, mae")]
    [InlineData("{loss: SparseCategoricalCrossentropy}", "MDSL018", "unknown loss 'SparseCategoricalCrossentropy'; did you mean 'sparse_categorical_crossentropy'?")]
    [InlineData("{loss: {mse: {from_logits: true}}}", "MDSL010", "unknown key 'from_logits' in loss 'mse'; only the cross-entropy losses take from_logits")]
    [InlineData("{loss: {sparse_categorical_crossentropy: {label_smoothing: 0.1}}}", "MDSL023", "'label_smoothing' is a Keras argument of loss 'sparse_categorical_crossentropy' that ModelDsl does not support")]
    [InlineData("{loss: sparse_categorical_crossentropy, metrics: accuracy}", "MDSL012", "'metrics' in compile must be a list of metric names, such as [accuracy], but got 'accuracy' (write [accuracy])")]
    [InlineData("{loss: sparse_categorical_crossentropy, metrics: [loss]}", "MDSL019", "unknown metric 'loss'; the loss is always reported, as 'loss'")]
    [InlineData("{loss: sparse_categorical_crossentropy, metrics: [accuracy, accuracy]}", "MDSL022", "the metric 'accuracy' is already used by metric 1; names must be unique")]
    [InlineData("{optimizer: adam}", "MDSL014", "compile is missing the required key 'loss' (e.g. loss: sparse_categorical_crossentropy for integer class labels)")]
    [InlineData("{loss: sparse_categorical_crossentropy, epochs: 3}", "MDSL010", "unknown key 'epochs' in compile; it belongs under 'fit'")]
    public void CompileIsChecked(string compile, string id, string message)
    {
        Assert.Equal(message, Single(Analyze(WithLayers("[784]", Classifier, compile)), id).Message);
    }

    [Theory]
    [InlineData("- dense: 10", "{loss: sparse_categorical_crossentropy}", "MDSL042", "layer 1 'dense' ends in no activation (raw scores), but loss 'sparse_categorical_crossentropy' expects probabilities from a softmax; use activation: softmax, or set from_logits: true on the loss")]
    [InlineData("- dense: {units: 3, activation: softmax}", "{loss: binary_crossentropy}", "MDSL042", "layer 1 'dense' ends in softmax, but loss 'binary_crossentropy' expects probabilities from a sigmoid; use activation: sigmoid, or categorical_crossentropy for one class per sample")]
    [InlineData("- dense: {units: 3, activation: relu}", "{loss: {categorical_crossentropy: {from_logits: true}}}", "MDSL042", "layer 1 'dense' ends in relu, but loss 'categorical_crossentropy' expects raw scores, as from_logits is true; use activation: linear")]
    [InlineData("- dense: {units: 1, activation: sigmoid}", "{loss: {binary_crossentropy: {from_logits: true}}}", "MDSL041", "layer 1 'dense' ends in sigmoid, but loss 'binary_crossentropy' has from_logits: true and applies sigmoid to it again; remove from_logits: true or use activation: linear")]
    [InlineData("- dense: 3\n- activation: softmax", "{loss: {categorical_crossentropy: {from_logits: true}}}", "MDSL041", "layer 2 'activation' ends in softmax, but loss 'categorical_crossentropy' has from_logits: true and applies softmax to it again; remove from_logits: true or use activation: linear")]
    [InlineData("- dense: {units: 1}", "{loss: categorical_crossentropy}", "MDSL040", "the output (batch, 1) of layer 1 'dense' does not fit loss 'categorical_crossentropy': with one unit there is only one class and the loss is always 0; set units to the number of classes, or use binary_crossentropy with activation: sigmoid for two classes")]
    [InlineData("- conv1d: {filters: 4, kernel_size: 3}\n- dense: {units: 10, activation: softmax}", "{loss: sparse_categorical_crossentropy}", "MDSL046", "the output (batch, 782, 10) of layer 2 'dense' gives one row of class scores per time step, so loss 'sparse_categorical_crossentropy' needs integer labels per step, (batch, 782); if each sample has one label, add flatten before layer 2")]
    [InlineData("- conv1d: {filters: 10, kernel_size: 3, activation: softmax}", "{loss: sparse_categorical_crossentropy}", "MDSL046", "the output (batch, 782, 10) of layer 1 'conv1d' gives one row of class scores per time step, so loss 'sparse_categorical_crossentropy' needs integer labels per step, (batch, 782); if each sample has one label, end the model with flatten and a dense layer with one unit per class")]
    [InlineData("- dense: {units: 10, activation: softmax}", "{loss: categorical_crossentropy, metrics: [sparse_categorical_accuracy]}", "MDSL045", "metric 'sparse_categorical_accuracy' expects integer class labels (batch), but loss 'categorical_crossentropy' trains on one-hot labels (batch, classes); use accuracy, which resolves to categorical_accuracy")]
    [InlineData("- dense: {units: 10, activation: softmax}", "{loss: sparse_categorical_crossentropy, metrics: [mae]}", "MDSL045", "metric 'mae' expects targets shaped like the output, but loss 'sparse_categorical_crossentropy' trains on integer class labels (batch); remove it, or use accuracy")]
    public void OutputIsCheckedAgainstTheLoss(string layers, string compile, string id, string message)
    {
        var input = layers.Contains("conv1d", StringComparison.Ordinal) ? "[784, 1]" : "[784]";
        Assert.Equal(message, Single(Analyze(WithLayers(input, layers, compile)), id).Message);
    }

    [Fact]
    public void RegressionLossesTakeAnyOutput()
    {
        Assert.Empty(Analyze(WithLayers("[8]", "- dense: {units: 3, activation: relu}", "{loss: mse}")).Diagnostics);
    }

    [Fact]
    public void AOneUnitSoftmaxIsReportedOnce()
    {
        var analysis = Analyze(WithLayers("[8]", "- dense: {units: 1, activation: softmax}", "{loss: {sparse_categorical_crossentropy: {from_logits: true}}}"));
        Assert.Equal(new[] { "MDSL043" }, analysis.Diagnostics.Select(d => d.Id));
    }

    [Fact]
    public void AFileWithManyProblemsListsTheFirstHundred()
    {
        var text = TestModels.WithLayers("[8]", string.Join("\n", Enumerable.Range(0, 150).Select(i => $"- dense: {{units: 4, unit{i}: 1}}")));
        var analysis = Analyze(text);
        Assert.Equal(ModelAnalyzer.MaxDiagnostics + 1, analysis.Diagnostics.Count);
        Assert.All(analysis.Diagnostics.Take(ModelAnalyzer.MaxDiagnostics), d => Assert.Equal("MDSL010", d.Id));
        var last = analysis.Diagnostics[ModelAnalyzer.MaxDiagnostics];
        Assert.Equal(("MDSL008", Severity.Error, 102), (last.Id, last.Severity, last.Span.StartLine));
        Assert.Equal("the model file has more than 100 problems; the first 100 are reported; fix those first", last.Message);
    }

    [Fact]
    public void WarningsKeepTheSpec()
    {
        var analysis = Analyze(WithLayers("[8]", "- dense: 3", "{loss: sparse_categorical_crossentropy}"));
        Assert.Equal(Severity.Warning, Assert.Single(analysis.Diagnostics).Severity);
        Assert.False(analysis.HasErrors);
        Assert.NotNull(analysis.Spec);
    }
}

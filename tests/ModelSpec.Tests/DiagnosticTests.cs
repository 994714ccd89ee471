using static ModelDsl.Spec.Tests.TestModels;

namespace ModelDsl.Spec.Tests;

/// <summary>One test per catalogue ID: the exact location (one-based line, column) and the exact message.</summary>
public class DiagnosticTests
{
    [Fact]
    public void MDSL001_YamlSyntax()
    {
        AssertDiagnostic(
            "input: [784]\nlayers:\n  - dense: 10\ncompile:\n  loss: mse\n   optimizer: adam\n",
            "MDSL001", 6, 13,
            "the model file is not valid YAML: a 'key: value' cannot start here; check this line's indentation, or quote a value that contains ': '");
    }

    [Fact]
    public void MDSL002_TabIndentation()
    {
        AssertDiagnostic(
            "input: [28, 28]\nlayers:\n\t- dense: 10\n",
            "MDSL002", 3, 1,
            "a tab is used for indentation on line 3; YAML indents with spaces only");
    }

    [Fact]
    public void MDSL003_EmptyModel()
    {
        AssertDiagnostic(
            "# nothing here yet\n\n",
            "MDSL003", 1, 1,
            "the model file is empty; expected a mapping with input, layers and compile");
    }

    [Fact]
    public void MDSL004_DuplicateKey()
    {
        AssertDiagnostic(
            WithLayers("[28, 28]", "- dense: {units: 10, activation: relu, units: 5}"),
            "MDSL004", 3, 42,
            "duplicate key 'units'; it is already set on line 3");
    }

    [Fact]
    public void MDSL005_UnsupportedYaml()
    {
        AssertDiagnostic(
            "input: &shape [28, 28]\nlayers:\n  - dense: 10\ncompile: {loss: mse}\n",
            "MDSL005", 1, 8,
            "anchors and aliases are not supported in model files; write the value out in full");
    }

    [Fact]
    public void MDSL006_MultipleDocuments()
    {
        AssertDiagnostic(
            WithLayers("[4]", "- dense: 1") + "---\ninput: [5]\n",
            "MDSL006", 5, 1,
            "a model file holds one YAML document, but a second one starts here");
    }

    [Fact]
    public void MDSL007_InvalidCharacter()
    {
        AssertDiagnostic(
            "input: [28, 28]\nlayers:\n  - dense: 1\u0007\n",
            "MDSL007", 3, 13,
            "the model file contains the control character U+0007; model files are UTF-8 text without control characters");
    }

    [Fact]
    public void MDSL008_LimitExceeded()
    {
        AssertDiagnostic(
            "input: " + new string('[', 40) + "\n",
            "MDSL008", 1, 39,
            "the model file nests lists and mappings deeper than 32 levels; model files are small documents");
    }

    [Fact]
    public void MDSL010_UnknownKey()
    {
        AssertDiagnostic(
            WithLayers("[28, 28]", "- lstm: {units: 128, return_sequence: true}\n- lstm: 64"),
            "MDSL010", 3, 24,
            "unknown key 'return_sequence' in layer 1 'lstm'; did you mean 'return_sequences'?");
    }

    [Fact]
    public void MDSL011_UnknownLayer()
    {
        AssertDiagnostic(
            WithLayers("[28, 28]", "- lstm: {units: 128, return_sequences: true}\n- lstmm: 64"),
            "MDSL011", 4, 5,
            "unknown layer type 'lstmm' in layer 2; did you mean 'lstm'?");
    }

    [Fact]
    public void MDSL012_WrongType()
    {
        AssertDiagnostic(
            WithLayers("[784]", "- dense: {units: \"128\", activation: relu}"),
            "MDSL012", 3, 20,
            "'units' of layer 1 'dense' must be a positive integer, but got the string \"128\" (remove the quotes)");
    }

    [Fact]
    public void MDSL013_OutOfRange()
    {
        AssertDiagnostic(
            WithLayers("[784]", "- dense: 64\n- dropout: 1.5\n- dense: 10"),
            "MDSL013", 4, 14,
            "'rate' of layer 2 'dropout' must be a number at least 0 and less than 1, but got 1.5");
    }

    [Fact]
    public void MDSL014_MissingKey()
    {
        AssertDiagnostic(
            "model: Mnist\nlayers:\n  - dense: 10\ncompile: {loss: mse}\n",
            "MDSL014", 1, 1,
            "the model is missing the required key 'input' (the shape of one sample without the batch axis, e.g. input: [28, 28])");
    }

    [Fact]
    public void MDSL015_UnknownActivation()
    {
        AssertDiagnostic(
            WithLayers("[784]", "- dense: {units: 10, activation: softmaxx}"),
            "MDSL015", 3, 36,
            "unknown activation 'softmaxx' in layer 1 'dense'; did you mean 'softmax'?");
    }

    [Fact]
    public void MDSL016_UnknownInitializer()
    {
        AssertDiagnostic(
            WithLayers("[784]", "- dense: {units: 10, kernel_initializer: GlorotUniform}"),
            "MDSL016", 3, 44,
            "unknown initializer 'GlorotUniform' in 'kernel_initializer' of layer 1 'dense'; did you mean 'glorot_uniform'?");
    }

    [Fact]
    public void MDSL017_UnknownOptimizer()
    {
        AssertDiagnostic(
            WithLayers("[784]", "- dense: 10", "{optimizer: {adma: {learning_rate: 0.01}}, loss: mse}"),
            "MDSL017", 4, 23,
            "unknown optimizer 'adma'; did you mean 'adam'?");
    }

    [Fact]
    public void MDSL018_UnknownLoss()
    {
        AssertDiagnostic(
            WithLayers("[784]", "- dense: {units: 10, activation: softmax}", "{loss: sparse_categorial_crossentropy}"),
            "MDSL018", 4, 17,
            "unknown loss 'sparse_categorial_crossentropy'; did you mean 'sparse_categorical_crossentropy'?");
    }

    [Fact]
    public void MDSL019_UnknownMetric()
    {
        AssertDiagnostic(
            WithLayers("[784]", "- dense: {units: 10, activation: softmax}", "{loss: sparse_categorical_crossentropy, metrics: [acuracy]}"),
            "MDSL019", 4, 60,
            "unknown metric 'acuracy'; did you mean 'accuracy'?");
    }

    [Fact]
    public void MDSL020_InvalidName()
    {
        AssertDiagnostic(
            "model: 3dNet\n" + WithLayers("[784]", "- dense: 10"),
            "MDSL020", 1, 8,
            "the model name '3dNet' is not a valid C# class name; use up to 512 letters, digits and _, not starting with a digit");
    }

    [Fact]
    public void MDSL021_NoLayers()
    {
        AssertDiagnostic(
            "input: [784]\nlayers: []\ncompile: {loss: mse}\n",
            "MDSL021", 2, 9,
            "the model has no layers; list at least one under 'layers'");
    }

    [Fact]
    public void MDSL022_DuplicateName()
    {
        AssertDiagnostic(
            WithLayers("[784]", "- dense: {units: 64, name: hidden}\n- dense: {units: 10, name: hidden}"),
            "MDSL022", 4, 30,
            "the layer name 'hidden' is already used by layer 1 'dense'; names must be unique");
    }

    [Fact]
    public void MDSL023_UnsupportedArgument()
    {
        AssertDiagnostic(
            WithLayers("[28, 28]", "- lstm: {units: 128, stateful: true}"),
            "MDSL023", 3, 24,
            "'stateful' is a Keras argument of lstm that ModelDsl does not support; every batch starts from a zero state (Keras' default, stateful: false)");
    }

    [Fact]
    public void MDSL024_MalformedLayer()
    {
        AssertDiagnostic(
            "input: [28, 28]\nlayers:\n  - lstm:\n    units: 128\ncompile: {loss: mse}\n",
            "MDSL024", 4, 5,
            "layer 1 must be one key naming its type, like '- dense: {units: 10}', but it has the keys lstm, units side by side; indent the arguments under 'lstm:' by two more spaces");
    }

    [Fact]
    public void MDSL030_RecurrentNeedsSequence()
    {
        // DESIGN.md's example, word for word.
        AssertDiagnostic(
            Reference.Replace("- lstm: {units: 128, activation: relu, return_sequences: true}", "- lstm: {units: 128, activation: relu}"),
            "MDSL030", 8, 5,
            "layer 3 'lstm' needs a 3-D input (batch, time, features) but layer 1 'lstm' gives (batch, 128); set return_sequences: true on layer 1");
    }

    [Fact]
    public void MDSL031_RankMismatch()
    {
        AssertDiagnostic(
            WithLayers("[784]", "- conv1d: {filters: 16, kernel_size: 3}"),
            "MDSL031", 3, 5,
            "layer 1 'conv1d' needs a 3-D input (batch, steps, channels) but the input gives (batch, 784); declare the input as [steps, channels], such as input: [784, 1]");
    }

    [Fact]
    public void MDSL032_MissingChannelAxis()
    {
        AssertDiagnostic(
            WithLayers("[28, 28]", "- conv2d: {filters: 32, kernel_size: 3}\n- flatten\n- dense: 10"),
            "MDSL032", 3, 5,
            "layer 1 'conv2d' needs a 4-D input (batch, height, width, channels) but the input gives (batch, 28, 28), which has no channel axis; declare input: [28, 28, 1] for one channel (grayscale)");
    }

    [Fact]
    public void MDSL033_ReshapeMismatch()
    {
        AssertDiagnostic(
            WithLayers("[28, 28]", "- flatten\n- reshape: [28, 27, 1]"),
            "MDSL033", 4, 5,
            "layer 2 'reshape' cannot reshape (batch, 784) (784 values per sample), which layer 1 'flatten' gives, to (28, 27, 1) (756 values per sample)");
    }

    [Fact]
    public void MDSL034_WindowTooLarge()
    {
        AssertDiagnostic(
            WithLayers("[10, 10, 3]", "- conv2d: {filters: 8, kernel_size: 5}\n- max_pooling2d\n- conv2d: {filters: 8, kernel_size: 5}"),
            "MDSL034", 5, 5,
            "layer 3 'conv2d' has a kernel_size of 5 along the height axis, but layer 2 'max_pooling2d' gives (batch, 3, 3, 8), only 3 long there; use padding: same, or a smaller kernel_size");
    }

    [Fact]
    public void MDSL035_DTypeMismatch()
    {
        AssertDiagnostic(
            WithLayers("[100]", "- dense: 16\n- embedding: {input_dim: 1000, output_dim: 8}"),
            "MDSL035", 4, 5,
            "layer 2 'embedding' takes integer indices, but layer 1 'dense' gives float values; an embedding layer must be the first layer");
    }

    [Fact]
    public void MDSL036_SizeOverflow()
    {
        AssertDiagnostic(
            WithLayers("[100000, 100000]", "- flatten\n- dense: 1"),
            "MDSL036", 3, 5,
            "layer 1 'flatten' is too large: it would give 10,000,000,000 values per sample, more than 2,147,483,647");
    }

    [Fact]
    public void MDSL037_ArgumentShapeMismatch()
    {
        AssertDiagnostic(
            WithLayers("[5, 3]", "- cropping1d: [3, 3]\n- flatten\n- dense: 1"),
            "MDSL037", 3, 5,
            "layer 1 'cropping1d' crops 6 of the steps, but the input gives (batch, 5, 3), only 5 long there; crop less, or pad first");
    }

    [Fact]
    public void MDSL038_VariableAxis()
    {
        AssertDiagnostic(
            WithLayers("[null]", "- embedding: {input_dim: 1000, output_dim: 16}\n- flatten\n- dense: 1"),
            "MDSL038", 4, 5,
            "layer 2 'flatten' needs every axis fixed to flatten it, but axis 1 of (batch, None, 16), which layer 1 'embedding' gives, has no fixed size (None); pool over the variable axis first, e.g. global_max_pooling1d, or give 'input' a fixed length");
    }

    [Fact]
    public void MDSL040_OutputLossMismatch()
    {
        AssertDiagnostic(
            WithLayers("[20]", "- dense: 64\n- dense: {units: 1}", "{loss: sparse_categorical_crossentropy}"),
            "MDSL040", 4, 20,
            "the output (batch, 1) of layer 2 'dense' does not fit loss 'sparse_categorical_crossentropy': it needs one unit per class, but the layer has 1; set units to the number of classes, or use binary_crossentropy with activation: sigmoid for two classes");
    }

    [Fact]
    public void MDSL041_SoftmaxFromLogits()
    {
        AssertDiagnostic(
            WithLayers("[20]", "- dense: {units: 10, activation: softmax}", "{loss: {sparse_categorical_crossentropy: {from_logits: true}}}"),
            "MDSL041", 3, 36,
            "layer 1 'dense' ends in softmax, but loss 'sparse_categorical_crossentropy' has from_logits: true and applies softmax to it again; remove from_logits: true or use activation: linear");
    }

    [Fact]
    public void MDSL042_ActivationLossMismatch()
    {
        AssertDiagnostic(
            WithLayers("[20]", "- dense: {units: 10, activation: sigmoid}", "{loss: categorical_crossentropy}"),
            "MDSL042", 3, 36,
            "layer 1 'dense' ends in sigmoid, but loss 'categorical_crossentropy' expects probabilities from a softmax; use activation: softmax, or binary_crossentropy for independent yes/no labels",
            Severity.Warning);
    }

    [Fact]
    public void MDSL043_SingleUnitSoftmax()
    {
        AssertDiagnostic(
            WithLayers("[20]", "- dense: {units: 1, activation: softmax}", "{loss: binary_crossentropy}"),
            "MDSL043", 3, 35,
            "layer 1 'dense' applies softmax to a single unit, which always outputs 1.0; use activation: sigmoid for one output, or more units");
    }

    [Fact]
    public void MDSL044_DropoutAfterOutput()
    {
        var text = Reference.Replace("  - dense: {units: 10, activation: softmax}\n", "  - dense: {units: 10, activation: softmax}\n  - dropout: 0.2\n");
        var diagnostic = AssertDiagnostic(
            text,
            "MDSL044", 13, 5,
            "layer 8 'dropout' comes after the output layer 7 'dense' and randomly zeroes the model's predictions in training; remove it (dropout belongs between hidden layers)",
            Severity.Warning);
        Assert.NotNull(Analyze(text).Spec);
        Assert.Equal($"{ModelPath}(13,5): warning MDSL044: {diagnostic.Message}", diagnostic.ToString());
    }

    [Fact]
    public void MDSL045_MetricLossMismatch()
    {
        AssertDiagnostic(
            WithLayers("[20]", "- dense: {units: 10, activation: softmax}", "{loss: sparse_categorical_crossentropy, metrics: [categorical_accuracy]}"),
            "MDSL045", 4, 60,
            "metric 'categorical_accuracy' expects one-hot labels (batch, classes), but loss 'sparse_categorical_crossentropy' trains on integer class labels (batch); use accuracy, which resolves to sparse_categorical_accuracy");
    }

    [Fact]
    public void MDSL046_PerTimestepOutput()
    {
        const string Compile = "{loss: sparse_categorical_crossentropy}";
        var model = WithLayers("[28, 28]", "- lstm: {units: 128, return_sequences: true}\n- dense: {units: 10, activation: softmax}", Compile);
        Assert.NotNull(Analyze(model).Spec);
        AssertDiagnostic(
            model,
            "MDSL046", 4, 5,
            "the output (batch, 28, 10) of layer 2 'dense' gives one row of class scores per time step, so loss 'sparse_categorical_crossentropy' needs integer labels per step, (batch, 28); if each sample has one label, set return_sequences: false on layer 1",
            Severity.Warning);
    }

    [Fact]
    public void MDSL047_NoOnnxForm()
    {
        AssertDiagnostic(
            "export: onnx\n" + WithLayers("[28, 28]", "- lstm: {units: 64, activation: gelu}\n- dense: {units: 10, activation: softmax}", "{loss: sparse_categorical_crossentropy}"),
            "MDSL047", 4, 35,
            "layer 1 'lstm' has no ONNX form: its activation 'gelu' is not one ONNX's LSTM op takes (linear, relu, sigmoid, tanh, elu, softplus, softsign, hard_sigmoid, leaky_relu); use one of those, or remove export: onnx");
    }

    [Fact]
    public void MDSL048_OnnxCudaDiffers()
    {
        var model = "export: onnx\n" + WithLayers("[28, 28]", "- lstm: {units: 128, activation: relu}\n- dense: {units: 10, activation: softmax}", "{loss: sparse_categorical_crossentropy}");
        AssertDiagnostic(
            model,
            "MDSL048", 4, 5,
            "layer 1 'lstm' exports to ONNX, but ONNX Runtime's CUDA execution provider ignores the LSTM op's activations attribute and runs cuDNN's fixed sigmoid and tanh instead of activation: relu, so its outputs on a GPU differ; the CPU provider computes it as written",
            Severity.Warning);
        Assert.Equal(ExportFormats.Onnx, SpecOf(model).Export);
    }

    [Fact]
    public void MDSL099_InternalError()
    {
        // Only a bug gets here; a null tree stands in for one, and must still come back as a located diagnostic.
        var analysis = ModelAnalyzer.Analyze(null!, ModelPath, "Model", null);
        var diagnostic = Single(analysis, "MDSL099");
        Assert.Null(analysis.Spec);
        Assert.Equal((0, 0, ModelPath), (diagnostic.Span.StartLine, diagnostic.Span.StartColumn, diagnostic.Span.Path));
        Assert.StartsWith("ModelDsl failed to analyse this model (NullReferenceException: ", diagnostic.Message);
        Assert.EndsWith("); please report it with the model file", diagnostic.Message);
    }

    [Fact]
    public void EveryCatalogueIdHasItsTest()
    {
        var tested = typeof(DiagnosticTests).GetMethods().Select(m => m.Name.Split('_')[0]).ToHashSet();
        var untested = DiagnosticCatalog.All.Select(d => d.Id).Where(id => !tested.Contains(id)).ToList();
        Assert.True(untested.Count == 0, "no test for " + string.Join(", ", untested));
    }
}

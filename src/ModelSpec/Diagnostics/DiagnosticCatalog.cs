namespace ModelDsl.Spec;

/// <summary>
/// Every diagnostic the model analysis reports. IDs are stable: a retired ID is never reused, and each one has a
/// section in docs/diagnostics.md (anchor <c>mdsl0xx</c>). Messages name what was expected, what arrived and where
/// it came from. MDSL050 to MDSL069 belong to the source generator (problems with the C# class hosting a model).
/// </summary>
public static class DiagnosticCatalog
{
    private const string HelpBase = "docs/diagnostics.md#";

    private const string Yaml = "ModelDsl.Yaml";
    private const string Schema = "ModelDsl.Schema";
    private const string Shapes = "ModelDsl.Shapes";
    private const string Training = "ModelDsl.Training";
    private const string Export = "ModelDsl.Export";
    private const string Internal = "ModelDsl.Internal";

    public static readonly ModelDiagnosticDescriptor YamlSyntax = Define(
        "MDSL001", "The model file is not valid YAML", "the model file is not valid YAML: {0}", Severity.Error, Yaml);

    public static readonly ModelDiagnosticDescriptor TabIndentation = Define(
        "MDSL002", "Tab used for indentation", "a tab is used for indentation on line {0}; YAML indents with spaces only", Severity.Error, Yaml);

    public static readonly ModelDiagnosticDescriptor EmptyModel = Define(
        "MDSL003", "The model file is empty", "the model file is empty; expected a mapping with input, layers and compile", Severity.Error, Yaml);

    public static readonly ModelDiagnosticDescriptor DuplicateKey = Define(
        "MDSL004", "Duplicate key", "duplicate key '{0}'; it is already set on line {1}", Severity.Error, Yaml);

    public static readonly ModelDiagnosticDescriptor UnsupportedYaml = Define(
        "MDSL005", "Unsupported YAML feature", "{0} are not supported in model files; {1}", Severity.Error, Yaml);

    public static readonly ModelDiagnosticDescriptor MultipleDocuments = Define(
        "MDSL006", "More than one YAML document", "a model file holds one YAML document, but a second one starts here", Severity.Error, Yaml);

    public static readonly ModelDiagnosticDescriptor InvalidCharacter = Define(
        "MDSL007", "Invalid character", "the model file contains {0}; model files are UTF-8 text without control characters", Severity.Error, Yaml);

    public static readonly ModelDiagnosticDescriptor LimitExceeded = Define(
        "MDSL008", "The model file exceeds a limit", "the model file {0}; {1}", Severity.Error, Yaml);

    public static readonly ModelDiagnosticDescriptor UnknownKey = Define(
        "MDSL010", "Unknown key", "unknown key '{0}' in {1}{2}", Severity.Error, Schema);

    public static readonly ModelDiagnosticDescriptor UnknownLayer = Define(
        "MDSL011", "Unknown layer type", "unknown layer type '{0}' in layer {1}{2}", Severity.Error, Schema);

    public static readonly ModelDiagnosticDescriptor WrongType = Define(
        "MDSL012", "Value of the wrong type", "{0} must be {1}, but got {2}", Severity.Error, Schema);

    public static readonly ModelDiagnosticDescriptor OutOfRange = Define(
        "MDSL013", "Value out of range", "{0} must be {1}, but got {2}", Severity.Error, Schema);

    public static readonly ModelDiagnosticDescriptor MissingKey = Define(
        "MDSL014", "Required key missing", "{0} is missing the required key '{1}'{2}", Severity.Error, Schema);

    public static readonly ModelDiagnosticDescriptor UnknownActivation = Define(
        "MDSL015", "Unknown activation", "unknown activation '{0}' in {1}{2}", Severity.Error, Schema);

    public static readonly ModelDiagnosticDescriptor UnknownInitializer = Define(
        "MDSL016", "Unknown initializer", "unknown initializer '{0}' in {1}{2}", Severity.Error, Schema);

    public static readonly ModelDiagnosticDescriptor UnknownOptimizer = Define(
        "MDSL017", "Unknown optimizer", "unknown optimizer '{0}'{1}", Severity.Error, Schema);

    public static readonly ModelDiagnosticDescriptor UnknownLoss = Define(
        "MDSL018", "Unknown loss", "unknown loss '{0}'{1}", Severity.Error, Schema);

    public static readonly ModelDiagnosticDescriptor UnknownMetric = Define(
        "MDSL019", "Unknown metric", "unknown metric '{0}'{1}", Severity.Error, Schema);

    public static readonly ModelDiagnosticDescriptor InvalidName = Define(
        "MDSL020", "Invalid name", "{0} '{1}' is not a valid {2}", Severity.Error, Schema);

    public static readonly ModelDiagnosticDescriptor NoLayers = Define(
        "MDSL021", "The model has no layers", "the model has no layers; list at least one under 'layers'", Severity.Error, Schema);

    public static readonly ModelDiagnosticDescriptor DuplicateName = Define(
        "MDSL022", "Duplicate name", "{0} '{1}' is already used by {2}; names must be unique", Severity.Error, Schema);

    public static readonly ModelDiagnosticDescriptor UnsupportedArgument = Define(
        "MDSL023", "Keras argument not supported", "'{0}' is a Keras argument of {1} that ModelDsl does not support{2}", Severity.Error, Schema);

    public static readonly ModelDiagnosticDescriptor MalformedLayer = Define(
        "MDSL024", "Malformed layer entry", "layer {0} must be one key naming its type, like '- dense: {{units: 10}}', but {1}", Severity.Error, Schema);

    public static readonly ModelDiagnosticDescriptor RecurrentNeedsSequence = Define(
        "MDSL030", "Recurrent layer needs a sequence", "layer {0} '{1}' needs a 3-D input (batch, time, features) but {2} gives {3}; {4}", Severity.Error, Shapes);

    public static readonly ModelDiagnosticDescriptor RankMismatch = Define(
        "MDSL031", "Input of the wrong rank", "layer {0} '{1}' needs {2} but {3} gives {4}; {5}", Severity.Error, Shapes);

    public static readonly ModelDiagnosticDescriptor MissingChannelAxis = Define(
        "MDSL032", "No channel axis", "layer {0} '{1}' needs a 4-D input (batch, height, width, channels) but {2} gives {3}, which has no channel axis; {4}", Severity.Error, Shapes);

    public static readonly ModelDiagnosticDescriptor ReshapeMismatch = Define(
        "MDSL033", "Reshape changes the element count", "layer {0} '{1}' cannot reshape {2} ({3} values per sample), which {4} gives, to {5} ({6} values per sample)", Severity.Error, Shapes);

    public static readonly ModelDiagnosticDescriptor WindowTooLarge = Define(
        "MDSL034", "Window larger than its input", "layer {0} '{1}' has a {2} of {3} along the {4} axis, but {5} gives {6}, only {7} long there; {8}", Severity.Error, Shapes);

    public static readonly ModelDiagnosticDescriptor DTypeMismatch = Define(
        "MDSL035", "Integer and float inputs mixed", "{0}", Severity.Error, Shapes);

    public static readonly ModelDiagnosticDescriptor SizeOverflow = Define(
        "MDSL036", "Size too large", "{0} is too large: {1}", Severity.Error, Shapes);

    public static readonly ModelDiagnosticDescriptor ArgumentShapeMismatch = Define(
        "MDSL037", "Argument does not fit the input", "layer {0} '{1}' {2}, but {3} gives {4}; {5}", Severity.Error, Shapes);

    public static readonly ModelDiagnosticDescriptor VariableAxis = Define(
        "MDSL038", "Variable-length axis where a size is needed", "layer {0} '{1}' {2}, but axis {3} of {4}, which {5} gives, has no fixed size (None); {6}", Severity.Error, Shapes);

    public static readonly ModelDiagnosticDescriptor OutputLossMismatch = Define(
        "MDSL040", "Output does not fit the loss", "the output {0} of layer {1} '{2}' does not fit loss '{3}': {4}", Severity.Error, Training);

    public static readonly ModelDiagnosticDescriptor SoftmaxFromLogits = Define(
        "MDSL041", "Activated output with from_logits", "layer {0} '{1}' ends in {2}, but loss '{3}' has from_logits: true and applies {4} to it again; remove from_logits: true or use activation: linear", Severity.Error, Training);

    public static readonly ModelDiagnosticDescriptor ActivationLossMismatch = Define(
        "MDSL042", "Output activation does not suit the loss", "layer {0} '{1}' ends in {2}, but loss '{3}' expects {4}; {5}", Severity.Warning, Training);

    public static readonly ModelDiagnosticDescriptor SingleUnitSoftmax = Define(
        "MDSL043", "Softmax over one unit", "layer {0} '{1}' applies softmax to a single unit, which always outputs 1.0; use activation: sigmoid for one output, or more units", Severity.Error, Training);

    public static readonly ModelDiagnosticDescriptor DropoutAfterOutput = Define(
        "MDSL044", "Dropout after the output layer", "layer {0} '{1}' comes after the output layer {2} '{3}' and randomly zeroes the model's predictions in training; remove it (dropout belongs between hidden layers)", Severity.Warning, Training);

    public static readonly ModelDiagnosticDescriptor MetricLossMismatch = Define(
        "MDSL045", "Metric does not fit the loss", "metric '{0}' expects {1}, but loss '{2}' trains on {3}; {4}", Severity.Error, Training);

    public static readonly ModelDiagnosticDescriptor PerTimestepOutput = Define(
        "MDSL046", "Output per time step", "the output {0} of layer {1} '{2}' gives one row of class scores per time step, so loss '{3}' needs integer labels per step, {4}; {5}", Severity.Warning, Training);

    public static readonly ModelDiagnosticDescriptor NoOnnxForm = Define(
        "MDSL047", "Layer has no ONNX form", "layer {0} '{1}' has no ONNX form: {2} is not one ONNX's {3} op takes ({4}); use one of those, or remove export: onnx", Severity.Error, Export);

    public static readonly ModelDiagnosticDescriptor OnnxCudaDiffers = Define(
        "MDSL048", "ONNX Runtime's CUDA provider computes the layer differently", "layer {0} '{1}' exports to ONNX, but ONNX Runtime's CUDA execution provider {2}, so its outputs on a GPU differ; the CPU provider computes it as written", Severity.Warning, Export);

    public static readonly ModelDiagnosticDescriptor InternalError = Define(
        "MDSL099", "Internal error", "ModelDsl failed to analyse this model ({0}); please report it with the model file", Severity.Error, Internal);

    /// <summary>The whole catalogue in ID order.</summary>
    public static IReadOnlyList<ModelDiagnosticDescriptor> All { get; } = new[]
    {
        YamlSyntax, TabIndentation, EmptyModel, DuplicateKey, UnsupportedYaml, MultipleDocuments, InvalidCharacter, LimitExceeded,
        UnknownKey, UnknownLayer, WrongType, OutOfRange, MissingKey, UnknownActivation, UnknownInitializer, UnknownOptimizer,
        UnknownLoss, UnknownMetric, InvalidName, NoLayers, DuplicateName, UnsupportedArgument, MalformedLayer,
        RecurrentNeedsSequence, RankMismatch, MissingChannelAxis, ReshapeMismatch, WindowTooLarge, DTypeMismatch, SizeOverflow, ArgumentShapeMismatch, VariableAxis,
        OutputLossMismatch, SoftmaxFromLogits, ActivationLossMismatch, SingleUnitSoftmax, DropoutAfterOutput, MetricLossMismatch, PerTimestepOutput,
        NoOnnxForm, OnnxCudaDiffers,
        InternalError,
    };

    /// <summary>The descriptor of <paramref name="id"/>, or null for an ID not in the catalogue.</summary>
    public static ModelDiagnosticDescriptor? Find(string id) => All.FirstOrDefault(d => d.Id == id);

    private static ModelDiagnosticDescriptor Define(string id, string title, string format, Severity severity, string category) =>
        new(id, title, format, severity, category, HelpBase + id.ToLowerInvariant());
}

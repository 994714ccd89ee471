using ModelDsl.Spec;

namespace ModelDsl.Generator.Emit;

/// <summary>
/// How one checked layer becomes a runtime layer: its type, its constructor call and the activation
/// that <c>ForwardLinear</c> leaves out. The constructor takes the input size computed at compile time,
/// then Keras' arguments; only the arguments that differ from Keras' defaults are written, by name.
/// </summary>
internal static class LayerEmitter
{
    private const string LayersNamespace = "global::ModelDsl.Runtime.Layers.";

    /// <summary>The runtime class of a layer, fully qualified.</summary>
    public static string TypeName(LayerConfig config) => LayersNamespace + config switch
    {
        DenseConfig => "Dense",
        DropoutConfig => "Dropout",
        LstmConfig => "Lstm",
        GruConfig => "Gru",
        SimpleRnnConfig => "SimpleRnn",
        Conv1DConfig => "Conv1D",
        Conv2DConfig => "Conv2D",
        MaxPooling1DConfig => "MaxPooling1D",
        MaxPooling2DConfig => "MaxPooling2D",
        FlattenConfig => "Flatten",
        ReshapeConfig => "Reshape",
        BatchNormalizationConfig => "BatchNormalization",
        EmbeddingConfig => "Embedding",
        ActivationConfig => "ActivationLayer",
        _ => throw Unsupported(config),
    };

    /// <summary>
    /// The Keras activation a layer ends in, when the runtime layer can stop before it
    /// (<c>ForwardLinear</c>); null for layers without one.
    /// </summary>
    public static string? TrailingActivation(LayerConfig config) => config switch
    {
        DenseConfig dense => dense.Activation,
        Conv1DConfig conv => conv.Activation,
        Conv2DConfig conv => conv.Activation,
        ActivationConfig activation => activation.Activation,
        _ => null,
    };

    /// <summary><c>new global::ModelDsl.Runtime.Layers.Lstm(28, 128, activation: ...)</c></summary>
    public static string Construction(LayerSpec layer)
    {
        var arguments = new Arguments();
        var inputFeatures = layer.InputShape.Count == 0 ? 0 : layer.InputShape[layer.InputShape.Count - 1];
        switch (layer.Config)
        {
            case DenseConfig c:
                arguments.Add(inputFeatures).Add(c.Units)
                    .Activation("activation", c.Activation, "linear")
                    .Named("useBias", c.UseBias, true)
                    .Named("kernelInitializer", c.KernelInitializer, "glorot_uniform")
                    .Named("biasInitializer", c.BiasInitializer, "zeros");
                break;
            case DropoutConfig c:
                arguments.Add(c.Rate);
                break;
            case LstmConfig c:
                arguments.Add(inputFeatures).Add(c.Units)
                    .Activation("activation", c.Activation, "tanh")
                    .Activation("recurrentActivation", c.RecurrentActivation, "sigmoid")
                    .Named("returnSequences", c.ReturnSequences, false)
                    .Named("useBias", c.UseBias, true)
                    .Named("unitForgetBias", c.UnitForgetBias, true)
                    .Named("kernelInitializer", c.KernelInitializer, "glorot_uniform")
                    .Named("recurrentInitializer", c.RecurrentInitializer, "orthogonal")
                    .Named("biasInitializer", c.BiasInitializer, "zeros");
                break;
            case GruConfig c:
                arguments.Add(inputFeatures).Add(c.Units)
                    .Activation("activation", c.Activation, "tanh")
                    .Activation("recurrentActivation", c.RecurrentActivation, "sigmoid")
                    .Named("returnSequences", c.ReturnSequences, false)
                    .Named("useBias", c.UseBias, true)
                    .Named("resetAfter", c.ResetAfter, true)
                    .Named("kernelInitializer", c.KernelInitializer, "glorot_uniform")
                    .Named("recurrentInitializer", c.RecurrentInitializer, "orthogonal")
                    .Named("biasInitializer", c.BiasInitializer, "zeros");
                break;
            case SimpleRnnConfig c:
                arguments.Add(inputFeatures).Add(c.Units)
                    .Activation("activation", c.Activation, "tanh")
                    .Named("returnSequences", c.ReturnSequences, false)
                    .Named("useBias", c.UseBias, true)
                    .Named("kernelInitializer", c.KernelInitializer, "glorot_uniform")
                    .Named("recurrentInitializer", c.RecurrentInitializer, "orthogonal")
                    .Named("biasInitializer", c.BiasInitializer, "zeros");
                break;
            case Conv1DConfig c:
                arguments.Add(inputFeatures).Add(c.Filters).Add(c.KernelSize)
                    .Named("strides", c.Strides, 1)
                    .Named("padding", c.Padding, "valid")
                    .Named("dilationRate", c.DilationRate, 1)
                    .Activation("activation", c.Activation, "linear")
                    .Named("useBias", c.UseBias, true)
                    .Named("kernelInitializer", c.KernelInitializer, "glorot_uniform")
                    .Named("biasInitializer", c.BiasInitializer, "zeros");
                break;
            case Conv2DConfig c:
                arguments.Add(inputFeatures).Add(c.Filters).Add(c.KernelHeight).Add(c.KernelWidth)
                    .Named("strideHeight", c.StrideHeight, 1)
                    .Named("strideWidth", c.StrideWidth, 1)
                    .Named("padding", c.Padding, "valid")
                    .Activation("activation", c.Activation, "linear")
                    .Named("useBias", c.UseBias, true)
                    .Named("kernelInitializer", c.KernelInitializer, "glorot_uniform")
                    .Named("biasInitializer", c.BiasInitializer, "zeros");
                break;
            case MaxPooling1DConfig c:
                arguments.Add(c.PoolSize).Add(c.Strides)
                    .Named("padding", c.Padding, "valid");
                break;
            case MaxPooling2DConfig c:
                arguments.Add(c.PoolHeight).Add(c.PoolWidth).Add(c.StrideHeight).Add(c.StrideWidth)
                    .Named("padding", c.Padding, "valid");
                break;
            case FlattenConfig:
                break;
            case ReshapeConfig c:
                foreach (var size in c.TargetShape)
                {
                    arguments.Add(size);
                }

                break;
            case BatchNormalizationConfig c:
                arguments.Add(inputFeatures)
                    .Named("momentum", c.Momentum, 0.99)
                    .Named("epsilon", c.Epsilon, 0.001)
                    .Named("center", c.Center, true)
                    .Named("scale", c.Scale, true);
                break;
            case EmbeddingConfig c:
                arguments.Add(c.InputDim).Add(c.OutputDim)
                    .Named("embeddingsInitializer", c.EmbeddingsInitializer, "uniform");
                break;
            case ActivationConfig c:
                arguments.Add(ActivationExpression(c.Activation));
                break;
            default:
                throw Unsupported(layer.Config);
        }

        return "new " + TypeName(layer.Config) + "(" + arguments + ")";
    }

    /// <summary><c>global::ModelDsl.Runtime.Activation.HardSigmoid</c> for Keras' <c>hard_sigmoid</c>.</summary>
    public static string ActivationExpression(string kerasName) =>
        "global::ModelDsl.Runtime.Activation." + ActivationMember(kerasName);

    private static string ActivationMember(string kerasName) => kerasName switch
    {
        // Keras spells one activation two ways.
        "silu" => "Swish",
        _ => CSharp.PascalCase(kerasName),
    };

    private static InvalidOperationException Unsupported(LayerConfig config) =>
        new($"The emitter has no runtime layer for '{config.Kind}'.");

    /// <summary>An argument list: positional arguments first, then named ones that differ from their defaults.</summary>
    private sealed class Arguments
    {
        private readonly List<string> items = new();

        public Arguments Add(int value) => Add(CSharp.Literal(value));

        public Arguments Add(double value) => Add(CSharp.Literal(value));

        public Arguments Add(string expression)
        {
            items.Add(expression);
            return this;
        }

        public Arguments Named(string name, int value, int keras) =>
            value == keras ? this : Add(name + ": " + CSharp.Literal(value));

        public Arguments Named(string name, double value, double keras) =>
            value.Equals(keras) ? this : Add(name + ": " + CSharp.Literal(value));

        public Arguments Named(string name, bool value, bool keras) =>
            value == keras ? this : Add(name + ": " + CSharp.Literal(value));

        public Arguments Named(string name, string value, string keras) =>
            value == keras ? this : Add(name + ": " + CSharp.Literal(value));

        public Arguments Activation(string name, string value, string keras) =>
            value == keras ? this : Add(name + ": " + ActivationExpression(value));

        public override string ToString() => string.Join(", ", items);
    }
}

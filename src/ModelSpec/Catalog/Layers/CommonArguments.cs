namespace ModelDsl.Spec;

/// <summary>Arguments many layer kinds share, with Keras' defaults and the hints their messages give.</summary>
public static class CommonArguments
{
    public const string GlorotUniform = "glorot_uniform";
    public const string Orthogonal = "orthogonal";
    public const string Zeros = "zeros";

    public static IntArgument Units() => new("units", "The number of output features.") { MissingHint = " (the number of output features, e.g. units: 10)" };

    public static IntArgument Filters() => new("filters", "The number of output channels.") { MissingHint = " (the number of output channels, e.g. filters: 32)" };

    public static ActivationArgument Activation(string keras = Vocabulary.Linear) => new("activation", "The activation applied to the output.", keras);

    public static BoolArgument UseBias() => new("use_bias", "Whether the layer adds a bias vector.", true);

    public static InitializerArgument KernelInitializer() => new("kernel_initializer", "How the kernel is initialised.", GlorotUniform);

    public static InitializerArgument BiasInitializer() => new("bias_initializer", "How the bias is initialised.", Zeros);

    public static RegularizerArgument KernelRegularizer() => new("kernel_regularizer", "A penalty on the kernel, added to the loss.");

    public static RegularizerArgument BiasRegularizer() => new("bias_regularizer", "A penalty on the bias, added to the loss.");

    /// <summary>Keras' activity_regularizer: a penalty on the layer's output, divided by the batch size.</summary>
    public static readonly RegularizerArgument ActivityRegularizer = new("activity_regularizer", "A penalty on the layer's output, added to the loss.");

    public static ChoiceArgument Padding(string hint = "") =>
        new("padding", "valid (no padding) or same (output length ceil(input / strides)).", Spec.Padding.Valid, Spec.Padding.ValidOrSame, hint);

    /// <summary>Hints for Keras arguments that no layer here takes, by name.</summary>
    public static string UnsupportedHint(string argument) => argument switch
    {
        "input_length" => "; the sequence length comes from 'input'",
        "stateful" => "; every batch starts from a zero state (Keras' default, stateful: false)",
        "data_format" => "; shapes are always channels-last, Keras' default",
        _ => string.Empty,
    };
}

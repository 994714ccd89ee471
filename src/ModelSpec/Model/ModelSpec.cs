namespace ModelDsl.Spec;

/// <summary>
/// One checked, immutable, value-equatable Sequential model: what every front end produces and the emitter
/// consumes. Shapes are per sample; the batch axis is implicit.
/// </summary>
public sealed record ModelSpec(
    string Name,
    string? Namespace,
    EquatableArray<int> InputShape,
    string InputDType,
    PreprocessSpec Preprocess,
    EquatableArray<LayerSpec> Layers,
    CompileSpec Compile,
    FitSpec Fit,
    SourceSpan Span)
{
    public EquatableArray<int> OutputShape => Layers.Count == 0 ? InputShape : Layers[Layers.Count - 1].OutputShape;

    public long TotalParameters => Layers.Sum(l => l.Parameters);

    public long TrainableParameters => Layers.Sum(l => l.TrainableParameters);
}

/// <summary>
/// One layer after binding and shape inference. <paramref name="Index"/> is one-based, as diagnostics say
/// "layer 3"; <paramref name="Name"/> is Keras' automatic name (lstm, dropout, lstm_1, ...).
/// </summary>
public sealed record LayerSpec(
    int Index,
    string Name,
    LayerConfig Config,
    EquatableArray<int> InputShape,
    EquatableArray<int> OutputShape,
    long Parameters,
    long TrainableParameters,
    SourceSpan Span);

/// <summary>The kind-specific arguments of a layer, with Keras' defaults filled in.</summary>
public abstract record LayerConfig
{
    /// <summary>The Keras layer name used in model files: lstm, dense, conv2d, ...</summary>
    public abstract string Kind { get; }
}

public sealed record DenseConfig(int Units, string Activation, bool UseBias, string KernelInitializer, string BiasInitializer) : LayerConfig
{
    public override string Kind => "dense";
}

public sealed record DropoutConfig(double Rate) : LayerConfig
{
    public override string Kind => "dropout";
}

public sealed record LstmConfig(
    int Units,
    string Activation,
    string RecurrentActivation,
    bool ReturnSequences,
    bool UseBias,
    bool UnitForgetBias,
    string KernelInitializer,
    string RecurrentInitializer,
    string BiasInitializer) : LayerConfig
{
    public override string Kind => "lstm";
}

public sealed record GruConfig(
    int Units,
    string Activation,
    string RecurrentActivation,
    bool ReturnSequences,
    bool UseBias,
    bool ResetAfter,
    string KernelInitializer,
    string RecurrentInitializer,
    string BiasInitializer) : LayerConfig
{
    public override string Kind => "gru";
}

public sealed record SimpleRnnConfig(
    int Units,
    string Activation,
    bool ReturnSequences,
    bool UseBias,
    string KernelInitializer,
    string RecurrentInitializer,
    string BiasInitializer) : LayerConfig
{
    public override string Kind => "simple_rnn";
}

/// <summary>Channels-last, like Keras: input (batch, steps, channels).</summary>
public sealed record Conv1DConfig(int Filters, int KernelSize, int Strides, string Padding, int DilationRate, string Activation, bool UseBias, string KernelInitializer, string BiasInitializer) : LayerConfig
{
    public override string Kind => "conv1d";
}

/// <summary>Channels-last, like Keras: input (batch, height, width, channels).</summary>
public sealed record Conv2DConfig(
    int KernelHeight,
    int KernelWidth,
    int Filters,
    int StrideHeight,
    int StrideWidth,
    string Padding,
    string Activation,
    bool UseBias,
    string KernelInitializer,
    string BiasInitializer) : LayerConfig
{
    public override string Kind => "conv2d";
}

public sealed record MaxPooling1DConfig(int PoolSize, int Strides, string Padding) : LayerConfig
{
    public override string Kind => "max_pooling1d";
}

public sealed record MaxPooling2DConfig(int PoolHeight, int PoolWidth, int StrideHeight, int StrideWidth, string Padding) : LayerConfig
{
    public override string Kind => "max_pooling2d";
}

public sealed record FlattenConfig : LayerConfig
{
    public override string Kind => "flatten";
}

public sealed record ReshapeConfig(EquatableArray<int> TargetShape) : LayerConfig
{
    public override string Kind => "reshape";
}

/// <summary>Normalises the last axis (Keras' default axis -1).</summary>
public sealed record BatchNormalizationConfig(double Momentum, double Epsilon, bool Center, bool Scale) : LayerConfig
{
    public override string Kind => "batch_normalization";
}

public sealed record EmbeddingConfig(int InputDim, int OutputDim, string EmbeddingsInitializer) : LayerConfig
{
    public override string Kind => "embedding";
}

public sealed record ActivationConfig(string Activation) : LayerConfig
{
    public override string Kind => "activation";
}

/// <summary>Declared input preprocessing; <paramref name="Rescale"/> multiplies every input value.</summary>
public sealed record PreprocessSpec(double? Rescale);

/// <summary>
/// Optimizer with Keras' argument names and defaults for its <paramref name="Kind"/> (adam, adamw, sgd,
/// rmsprop). <paramref name="Decay"/> is legacy Keras' per-batch decay: lr / (1 + decay * iterations).
/// </summary>
public sealed record OptimizerSpec(
    string Kind,
    double LearningRate,
    double Decay,
    double Beta1,
    double Beta2,
    double Epsilon,
    bool Amsgrad,
    double WeightDecay,
    double Momentum,
    bool Nesterov,
    double Rho);

/// <summary>A loss by Keras name (sparse_categorical_crossentropy, categorical_crossentropy, binary_crossentropy, mse, mae).</summary>
public sealed record LossSpec(string Name, bool FromLogits);

/// <summary>
/// A metric as written (<paramref name="Name"/>, e.g. accuracy, the History key) and what it resolves to
/// for the loss (<paramref name="Kind"/>, e.g. sparse_categorical_accuracy), as Keras resolves it.
/// </summary>
public sealed record MetricSpec(string Name, string Kind);

public sealed record CompileSpec(OptimizerSpec Optimizer, LossSpec Loss, EquatableArray<MetricSpec> Metrics);

/// <summary>The defaults of the generated Train(); each one can be overridden in C#.</summary>
public sealed record FitSpec(int Epochs, int BatchSize, bool Shuffle, int? Seed, double ValidationSplit);

/// <summary>What analysing one model description yields: the spec when it has no errors, and every diagnostic.</summary>
public sealed record ModelAnalysis(ModelSpec? Spec, EquatableArray<ModelDiagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.Severity == Severity.Error);
}

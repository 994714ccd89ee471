namespace ModelDsl.Spec;

/// <summary>Every layer kind a model file may use, each defined once in its own entry (Catalog/Layers/).</summary>
public static class LayerCatalog
{
    public static readonly IReadOnlyList<LayerKind> All = new LayerKind[]
    {
        new LstmLayer(),
        new GruLayer(),
        new SimpleRnnLayer(),
        new DenseLayer(),
        new DropoutLayer(),
        new Conv1DLayer(),
        new Conv2DLayer(),
        new MaxPooling1DLayer(),
        new MaxPooling2DLayer(),
        new FlattenLayer(),
        new ReshapeLayer(),
        new BatchNormalizationLayer(),
        new EmbeddingLayer(),
        new ActivationLayer(),
        new LeakyReluLayer(),
        new PReluLayer(),
        new ReluLayer(),
        new EluLayer(),
        new SoftmaxLayer(),
        new AveragePooling1DLayer(),
        new AveragePooling2DLayer(),
        new GlobalMaxPooling1DLayer(),
        new GlobalMaxPooling2DLayer(),
        new GlobalAveragePooling1DLayer(),
        new GlobalAveragePooling2DLayer(),
        new Conv1DTransposeLayer(),
        new Conv2DTransposeLayer(),
        new SeparableConv1DLayer(),
        new SeparableConv2DLayer(),
        new DepthwiseConv2DLayer(),
        new UpSampling1DLayer(),
        new UpSampling2DLayer(),
        new ZeroPadding1DLayer(),
        new ZeroPadding2DLayer(),
        new Cropping1DLayer(),
        new Cropping2DLayer(),
        new RepeatVectorLayer(),
        new PermuteLayer(),
        new LayerNormalizationLayer(),
        new SpatialDropout1DLayer(),
        new SpatialDropout2DLayer(),
        new GaussianNoiseLayer(),
        new GaussianDropoutLayer(),
        new BidirectionalLayer(),
        new TimeDistributedLayer(),
    };

    private static readonly Dictionary<string, LayerKind> ByName = All.ToDictionary(k => k.Name, StringComparer.Ordinal);

    private static readonly Dictionary<string, LayerKind> ByAttribute = All.ToDictionary(k => k.AttributeName, StringComparer.Ordinal);

    /// <summary>The Keras names in catalogue order: the "supported:" list and the "did you mean" candidates.</summary>
    public static readonly IReadOnlyList<string> Names = All.Select(k => k.Name).ToArray();

    /// <summary>
    /// Spellings users write for a layer here, folded (lower case, no _ or -): Keras 1's and cuDNN's class names and
    /// common abbreviations. Keras' own other names are <see cref="LayerKind.OtherNames"/>.
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, string> Aliases = new Dictionary<string, string>
    {
        ["maxpool1d"] = "max_pooling1d",
        ["maxpool2d"] = "max_pooling2d",
        ["batchnorm"] = "batch_normalization",
        ["rnn"] = "simple_rnn",
        ["cudnnlstm"] = "lstm",
        ["cudnngru"] = "gru",
        ["convolution1d"] = "conv1d",
        ["convolution2d"] = "conv2d",
        ["timedistributeddense"] = "dense",
    };

    /// <summary>Keras layers ModelDsl does not implement, so the message can say so instead of "unknown".</summary>
    internal static readonly IReadOnlyCollection<string> Unsupported = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "conv3d", "multi_head_attention", "attention", "concatenate", "add", "lambda", "masking",
        "alpha_dropout", "conv_lstm2d", "rescaling",
        "normalization", "input_layer", "input",
    };

    /// <summary>The kind with Keras name <paramref name="name"/> (or one of its other names), or null.</summary>
    public static LayerKind? Find(string name) =>
        ByName.TryGetValue(name, out var kind) ? kind : All.FirstOrDefault(k => k.OtherNames.Contains(name));

    /// <summary>The kind an attribute class of the C# front end declares (<c>DenseAttribute</c>), or null.</summary>
    public static LayerKind? FindAttribute(string attributeClass) => ByAttribute.TryGetValue(attributeClass, out var kind) ? kind : null;
}

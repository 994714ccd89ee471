namespace ModelDsl.Spec;

/// <summary>The Keras names a model file may use, as ModelDsl's runtime implements them.</summary>
internal static class Vocabulary
{
    /// <summary>Layer kinds with the Keras class each one is (the summary's "(type)" column).</summary>
    public static readonly IReadOnlyDictionary<string, string> LayerClasses = new Dictionary<string, string>
    {
        ["lstm"] = "LSTM",
        ["gru"] = "GRU",
        ["simple_rnn"] = "SimpleRNN",
        ["dense"] = "Dense",
        ["dropout"] = "Dropout",
        ["conv1d"] = "Conv1D",
        ["conv2d"] = "Conv2D",
        ["max_pooling1d"] = "MaxPooling1D",
        ["max_pooling2d"] = "MaxPooling2D",
        ["flatten"] = "Flatten",
        ["reshape"] = "Reshape",
        ["batch_normalization"] = "BatchNormalization",
        ["embedding"] = "Embedding",
        ["activation"] = "Activation",
    };

    public static readonly IReadOnlyList<string> LayerKinds = LayerClasses.Keys.ToArray();

    /// <summary>Other spellings Keras accepts or users write for a supported layer.</summary>
    public static readonly IReadOnlyDictionary<string, string> LayerAliases = new Dictionary<string, string>
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
    public static readonly IReadOnlyCollection<string> UnsupportedLayers = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "conv3d", "conv2d_transpose", "conv1d_transpose", "separable_conv2d", "depthwise_conv2d", "average_pooling1d",
        "average_pooling2d", "global_average_pooling1d", "global_average_pooling2d", "global_max_pooling1d",
        "global_max_pooling2d", "layer_normalization", "bidirectional", "time_distributed", "repeat_vector", "permute",
        "zero_padding1d", "zero_padding2d", "cropping1d", "cropping2d", "up_sampling1d", "up_sampling2d", "leaky_relu",
        "prelu", "multi_head_attention", "attention", "concatenate", "add", "lambda", "masking",
        "gaussian_noise", "spatial_dropout1d", "spatial_dropout2d", "alpha_dropout", "conv_lstm2d", "rescaling",
        "normalization", "input_layer", "input",
    };

    /// <summary>The activations of the runtime's Activation enum, by Keras name.</summary>
    public static readonly IReadOnlyList<string> Activations = new[]
    {
        "linear", "relu", "sigmoid", "tanh", "softmax", "elu", "selu", "softplus", "softsign", "gelu", "swish",
        "hard_sigmoid", "exponential",
    };

    public static readonly IReadOnlyDictionary<string, string> ActivationAliases = new Dictionary<string, string>
    {
        ["silu"] = "swish",
    };

    public static readonly IReadOnlyCollection<string> UnsupportedActivations = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "relu6", "leaky_relu", "mish", "log_softmax", "hard_swish", "hard_silu", "log_sigmoid", "softmin",
    };

    public static readonly IReadOnlyList<string> Initializers = new[]
    {
        "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal", "orthogonal",
        "zeros", "ones", "random_normal", "random_uniform", "uniform",
    };

    public static readonly IReadOnlyCollection<string> UnsupportedInitializers = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "truncated_normal", "identity", "constant", "variance_scaling", "normal",
    };

    public static readonly IReadOnlyList<string> Optimizers = new[] { "adam", "adamw", "sgd", "rmsprop" };

    public static readonly IReadOnlyCollection<string> UnsupportedOptimizers = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "adagrad", "adadelta", "adamax", "nadam", "ftrl", "lion", "adafactor",
    };

    /// <summary>Loss names and Keras' aliases, each to the canonical name <see cref="LossSpec"/> carries.</summary>
    public static readonly IReadOnlyDictionary<string, string> Losses = new Dictionary<string, string>
    {
        ["sparse_categorical_crossentropy"] = SparseCategoricalCrossentropy,
        ["categorical_crossentropy"] = CategoricalCrossentropy,
        ["binary_crossentropy"] = BinaryCrossentropy,
        ["mean_squared_error"] = MeanSquaredError,
        ["mse"] = MeanSquaredError,
        ["MSE"] = MeanSquaredError,
        ["mean_absolute_error"] = MeanAbsoluteError,
        ["mae"] = MeanAbsoluteError,
        ["MAE"] = MeanAbsoluteError,
    };

    public static readonly IReadOnlyCollection<string> UnsupportedLosses = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "hinge", "squared_hinge", "categorical_hinge", "huber", "huber_loss", "log_cosh", "logcosh", "kl_divergence",
        "kld", "kullback_leibler_divergence", "poisson", "cosine_similarity", "mean_absolute_percentage_error", "mape",
        "mean_squared_logarithmic_error", "msle", "binary_focal_crossentropy", "categorical_focal_crossentropy",
    };

    public const string SparseCategoricalCrossentropy = "sparse_categorical_crossentropy";
    public const string CategoricalCrossentropy = "categorical_crossentropy";
    public const string BinaryCrossentropy = "binary_crossentropy";
    public const string MeanSquaredError = "mse";
    public const string MeanAbsoluteError = "mae";

    /// <summary>Metric names to the metric they are (accuracy is resolved by the loss, as Keras does).</summary>
    public static readonly IReadOnlyDictionary<string, string> Metrics = new Dictionary<string, string>
    {
        ["accuracy"] = Accuracy,
        ["acc"] = Accuracy,
        ["sparse_categorical_accuracy"] = "sparse_categorical_accuracy",
        ["categorical_accuracy"] = "categorical_accuracy",
        ["binary_accuracy"] = "binary_accuracy",
        ["mean_absolute_error"] = "mean_absolute_error",
        ["mae"] = "mean_absolute_error",
        ["mean_squared_error"] = "mean_squared_error",
        ["mse"] = "mean_squared_error",
    };

    public const string Accuracy = "accuracy";

    public static readonly IReadOnlyCollection<string> UnsupportedMetrics = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "auc", "precision", "recall", "f1_score",
        "mape", "msle", "cosine_similarity", "mean_iou", "crossentropy",
    };
}

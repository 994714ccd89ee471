namespace ModelDsl.Spec;

/// <summary>The Keras names of activations, initializers, losses and metrics a model file may use (layers and optimizers: the catalogues).</summary>
internal static class Vocabulary
{
    public const string Linear = "linear";

    /// <summary>The activations of the runtime's Activation enum, by Keras name.</summary>
    public static readonly IReadOnlyList<string> Activations = new[]
    {
        "linear", "relu", "sigmoid", "tanh", "softmax", "elu", "selu", "softplus", "softsign", "gelu", "swish",
        "hard_sigmoid", "exponential", "leaky_relu",
    };

    public static readonly IReadOnlyDictionary<string, string> ActivationAliases = new Dictionary<string, string>
    {
        ["silu"] = "swish",
    };

    public static readonly IReadOnlyCollection<string> UnsupportedActivations = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "relu6", "mish", "log_softmax", "hard_swish", "hard_silu", "log_sigmoid", "softmin",
    };

    /// <summary>The formats <c>export</c> names, by their model-file name.</summary>
    public static readonly IReadOnlyDictionary<string, ExportFormats> ExportFormatNames = new Dictionary<string, ExportFormats>
    {
        ["onnx"] = ExportFormats.Onnx,
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

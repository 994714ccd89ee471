using ModelDsl.Spec;

namespace ModelDsl.Generator.Emit;

/// <summary>
/// The <c>compile:</c> section as runtime expressions: the loss, the optimizer factory and the metrics
/// that go into the generated model's <c>ModelConfig</c>.
/// </summary>
internal static class ConfigEmitter
{
    /// <summary>The runtime's metric type, fully qualified.</summary>
    public const string MetricType = "global::ModelDsl.Runtime.Metrics.Metric";

    /// <summary><c>global::ModelDsl.Runtime.Losses.Loss.SparseCategoricalCrossentropy(fromLogits: false)</c></summary>
    public static string Loss(LossSpec loss)
    {
        const string Type = "global::ModelDsl.Runtime.Losses.Loss.";
        var fromLogits = "fromLogits: " + CSharp.Literal(loss.FromLogits);
        return loss.Name switch
        {
            "sparse_categorical_crossentropy" => Type + "SparseCategoricalCrossentropy(" + fromLogits + ")",
            "categorical_crossentropy" => Type + "CategoricalCrossentropy(" + fromLogits + ")",
            "binary_crossentropy" => Type + "BinaryCrossentropy(" + fromLogits + ")",
            "mse" or "mean_squared_error" => Type + "MeanSquaredError()",
            "mae" or "mean_absolute_error" => Type + "MeanAbsoluteError()",
            _ => throw new InvalidOperationException($"The emitter has no runtime loss for '{loss.Name}'."),
        };
    }

    /// <summary>
    /// <c>new global::ModelDsl.Runtime.Optimizers.Adam(learningRate: 0.001, decay: 1e-05)</c>: the learning
    /// rate always, every other argument of its catalogue entry only where it differs from Keras' default.
    /// </summary>
    public static string Optimizer(OptimizerSpec optimizer) =>
        "new global::ModelDsl.Runtime.Optimizers." + optimizer.Entry.RuntimeType + "("
        + string.Join(", ", LayerEmitter.Arguments(optimizer.Entry.Arguments, name => optimizer[name], Array.Empty<object>())) + ")";

    /// <summary><c>global::ModelDsl.Runtime.Metrics.Metric.SparseCategoricalAccuracy("accuracy")</c></summary>
    public static string Metric(MetricSpec metric)
    {
        var factory = metric.Kind switch
        {
            "sparse_categorical_accuracy" => "SparseCategoricalAccuracy",
            "categorical_accuracy" => "CategoricalAccuracy",
            "binary_accuracy" => "BinaryAccuracy",
            "mae" or "mean_absolute_error" => "MeanAbsoluteError",
            "mse" or "mean_squared_error" => "MeanSquaredError",
            _ => throw new InvalidOperationException($"The emitter has no runtime metric for '{metric.Kind}'."),
        };
        return MetricType + "." + factory + "(" + CSharp.Literal(metric.Name) + ")";
    }
}

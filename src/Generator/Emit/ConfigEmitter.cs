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
    /// rate always, every other argument only where it differs from Keras' default.
    /// </summary>
    public static string Optimizer(OptimizerSpec optimizer)
    {
        var arguments = new List<string> { "learningRate: " + CSharp.Literal(optimizer.LearningRate) };

        void Named(string name, double value, double keras)
        {
            if (!value.Equals(keras))
            {
                arguments.Add(name + ": " + CSharp.Literal(value));
            }
        }

        void Flag(string name, bool value)
        {
            if (value)
            {
                arguments.Add(name + ": true");
            }
        }

        string type;
        switch (optimizer.Kind)
        {
            case "adam":
            case "adamw":
                type = optimizer.Kind == "adam" ? "Adam" : "AdamW";
                if (optimizer.Kind == "adamw")
                {
                    Named("weightDecay", optimizer.WeightDecay, 0.004);
                }

                Named("beta1", optimizer.Beta1, 0.9);
                Named("beta2", optimizer.Beta2, 0.999);
                Named("epsilon", optimizer.Epsilon, 1e-7);
                Flag("amsgrad", optimizer.Amsgrad);
                break;
            case "sgd":
                type = "Sgd";
                Named("momentum", optimizer.Momentum, 0);
                Flag("nesterov", optimizer.Nesterov);
                break;
            case "rmsprop":
                type = "RmsProp";
                Named("rho", optimizer.Rho, 0.9);
                Named("momentum", optimizer.Momentum, 0);
                Named("epsilon", optimizer.Epsilon, 1e-7);
                break;
            default:
                throw new InvalidOperationException($"The emitter has no runtime optimizer for '{optimizer.Kind}'.");
        }

        Named("decay", optimizer.Decay, 0);
        return "new global::ModelDsl.Runtime.Optimizers." + type + "(" + string.Join(", ", arguments) + ")";
    }

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

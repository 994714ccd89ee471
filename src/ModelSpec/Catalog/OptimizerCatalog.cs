namespace ModelDsl.Spec;

/// <summary>Every optimizer a model file may name, each defined once (Catalog/Optimizers/).</summary>
public static class OptimizerCatalog
{
    public static readonly IReadOnlyList<OptimizerKind> All = new OptimizerKind[]
    {
        new AdamOptimizer(),
        new AdamWOptimizer(),
        new SgdOptimizer(),
        new RmsPropOptimizer(),
        new NadamOptimizer(),
        new AdamaxOptimizer(),
        new AdagradOptimizer(),
        new AdadeltaOptimizer(),
    };

    /// <summary>Keras' default in <c>compile()</c>.</summary>
    public const string Default = "rmsprop";

    public static readonly IReadOnlyList<string> Names = All.Select(o => o.Name).ToArray();

    /// <summary>Keras optimizers ModelDsl does not implement, so the message can say so instead of "unknown".</summary>
    internal static readonly IReadOnlyCollection<string> Unsupported = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "ftrl", "lion", "adafactor", "lamb", "loss_scale_optimizer",
    };

    /// <summary>The optimizer named <paramref name="name"/> (case-insensitive, as Keras' lookup is), or null.</summary>
    public static OptimizerKind? Find(string name) => All.FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.OrdinalIgnoreCase));
}

namespace ModelDsl.Spec;

/// <summary>
/// One optimizer of the catalogue: its Keras name, its arguments with Keras' defaults, and the runtime class the
/// emitter constructs. <see cref="OptimizerCatalog"/> lists every one.
/// </summary>
public abstract class OptimizerKind
{
    private const string Positive = "a positive number";
    private const string NonNegative = "a number of at least 0";
    private const string Fraction = "a number at least 0 and less than 1";

    /// <summary>Keras' optimizer arguments ModelDsl does not implement.</summary>
    private static readonly string[] CommonUnsupported =
    {
        "use_ema", "ema_momentum", "ema_overwrite_frequency", "jit_compile", "name",
        "loss_scale_factor", "gradient_accumulation_steps",
    };

    /// <summary>Legacy Keras' per-batch decay: lr / (1 + decay * iterations).</summary>
    public static readonly DoubleArgument Decay = new("decay", "Legacy Keras decay: lr / (1 + decay * iterations), per batch.", 0, v => v >= 0, NonNegative);

    /// <summary>Clips each gradient to this norm before the update.</summary>
    public static readonly OptionalDoubleArgument Clipnorm = new("clipnorm", "Clips each gradient to this norm before the update.", v => v > 0, Positive);

    /// <summary>Clips each gradient value to [-clipvalue, clipvalue] before the update.</summary>
    public static readonly OptionalDoubleArgument Clipvalue = new("clipvalue", "Clips each gradient value to [-clipvalue, clipvalue] before the update.", v => v > 0, Positive);

    /// <summary>Scales all gradients together so that their joint norm is at most this.</summary>
    public static readonly OptionalDoubleArgument GlobalClipnorm = new("global_clipnorm", "Scales all gradients together to this joint norm at most.", v => v > 0, Positive);

    /// <summary>The clipping arguments every optimizer takes after its own, at most one of them set, as in Keras.</summary>
    public static readonly IReadOnlyList<OptionalDoubleArgument> Clipping = new[] { Clipnorm, Clipvalue, GlobalClipnorm };

    /// <summary>Keras' name in model files: adam, sgd.</summary>
    public abstract string Name { get; }

    /// <summary>The runtime class in <c>ModelDsl.Runtime.Optimizers</c>.</summary>
    public abstract string RuntimeType { get; }

    /// <summary>Keras' arguments in Keras' order: the learning rate first, then the optimizer's own, legacy decay and clipping.</summary>
    public IReadOnlyList<Argument> Arguments => arguments ??= Own.Prepend(LearningRateArgument).Append(Decay).Concat(Clipping).ToArray();

    private IReadOnlyList<Argument>? arguments;

    /// <summary>The learning rate with this optimizer's Keras default.</summary>
    protected abstract DoubleArgument LearningRateArgument { get; }

    /// <summary>The optimizer's own arguments, between the learning rate and decay.</summary>
    protected abstract IReadOnlyList<Argument> Own { get; }

    public IReadOnlyList<string> Unsupported => CommonUnsupported;

    /// <summary>Why a key is wrong, for names users carry over from older Keras.</summary>
    public static string? Hint(string key) => key switch
    {
        "lr" => "; did you mean 'learning_rate'? (Keras renamed lr to learning_rate)",
        "beta1" => "; did you mean 'beta_1'?",
        "beta2" => "; did you mean 'beta_2'?",
        _ => null,
    };

    protected static DoubleArgument LearningRate(double keras = 0.001) =>
        new("learning_rate", "The step size.", keras, v => v > 0, Positive) { AlwaysWritten = true };

    protected static DoubleArgument Epsilon() => new("epsilon", "Added to the denominator for numerical stability.", 1e-7, v => v > 0, Positive);

    protected static DoubleArgument Beta(string name, double keras, string summary) => new(name, summary, keras, v => v >= 0 && v < 1, Fraction);

    protected static DoubleArgument Momentum() => new("momentum", "The momentum factor.", 0, v => v >= 0 && v <= 1, "a number from 0 to 1");

    protected static DoubleArgument Rho() => new("rho", "The discount factor of the moving average of squared gradients.", 0.9, v => v >= 0 && v < 1, Fraction);

    protected static DoubleArgument WeightDecay(double keras) => new("weight_decay", "Decoupled weight decay.", keras, v => v >= 0, NonNegative);
}

namespace ModelDsl.Spec;

/// <summary>Keras' Adam: epsilon added outside the square root, as Keras does.</summary>
public sealed class AdamOptimizer : OptimizerKind
{
    public static readonly DoubleArgument LearningRateArgument = LearningRate(0.001);
    public static readonly DoubleArgument Beta1 = Beta("beta_1", 0.9, "The decay of the first-moment estimates.");
    public static readonly DoubleArgument Beta2 = Beta("beta_2", 0.999, "The decay of the second-moment estimates.");
    public static readonly DoubleArgument EpsilonArgument = Epsilon();
    public static readonly BoolArgument Amsgrad = new("amsgrad", "Whether to use the AMSGrad variant.", false);

    public override string Name => "adam";

    public override string RuntimeType => "Adam";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { LearningRateArgument, Beta1, Beta2, EpsilonArgument, Amsgrad, Decay };
}

/// <summary>Keras' AdamW: Adam with decoupled weight decay (Keras' default 0.004).</summary>
public sealed class AdamWOptimizer : OptimizerKind
{
    public static readonly DoubleArgument WeightDecayArgument = WeightDecay(0.004);

    public override string Name => "adamw";

    public override string RuntimeType => "AdamW";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[]
    {
        AdamOptimizer.LearningRateArgument, WeightDecayArgument, AdamOptimizer.Beta1, AdamOptimizer.Beta2, AdamOptimizer.EpsilonArgument, AdamOptimizer.Amsgrad, Decay,
    };
}

/// <summary>Keras' SGD, with optional (Nesterov) momentum.</summary>
public sealed class SgdOptimizer : OptimizerKind
{
    public static readonly DoubleArgument LearningRateArgument = LearningRate(0.01);
    public static readonly DoubleArgument MomentumArgument = Momentum();
    public static readonly BoolArgument Nesterov = new("nesterov", "Whether to use Nesterov momentum.", false);

    public override string Name => "sgd";

    public override string RuntimeType => "Sgd";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { LearningRateArgument, MomentumArgument, Nesterov, Decay };
}

/// <summary>Keras' RMSprop.</summary>
public sealed class RmsPropOptimizer : OptimizerKind
{
    public static readonly DoubleArgument LearningRateArgument = LearningRate(0.001);
    public static readonly DoubleArgument RhoArgument = Rho();
    public static readonly DoubleArgument MomentumArgument = Momentum();
    public static readonly DoubleArgument EpsilonArgument = Epsilon();

    public override string Name => "rmsprop";

    public override string RuntimeType => "RmsProp";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { LearningRateArgument, RhoArgument, MomentumArgument, EpsilonArgument, Decay };
}

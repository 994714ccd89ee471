namespace ModelDsl.Spec;

/// <summary>Keras' Adam: epsilon added outside the square root, as Keras does.</summary>
public sealed class AdamOptimizer : OptimizerKind
{
    public static readonly DoubleArgument Beta1 = Beta("beta_1", 0.9, "The decay of the first-moment estimates.");
    public static readonly DoubleArgument Beta2 = Beta("beta_2", 0.999, "The decay of the second-moment estimates.");
    public static readonly DoubleArgument EpsilonArgument = Epsilon();
    public static readonly BoolArgument Amsgrad = new("amsgrad", "Whether to use the AMSGrad variant.", false);

    public override string Name => "adam";

    public override string RuntimeType => "Adam";

    protected override DoubleArgument LearningRateArgument { get; } = LearningRate();

    protected override IReadOnlyList<Argument> Own { get; } = new Argument[] { Beta1, Beta2, EpsilonArgument, Amsgrad };
}

/// <summary>Keras' AdamW: Adam with decoupled weight decay (Keras' default 0.004).</summary>
public sealed class AdamWOptimizer : OptimizerKind
{
    public static readonly DoubleArgument WeightDecayArgument = WeightDecay(0.004);

    public override string Name => "adamw";

    public override string RuntimeType => "AdamW";

    protected override DoubleArgument LearningRateArgument { get; } = LearningRate();

    protected override IReadOnlyList<Argument> Own { get; } = new Argument[]
    {
        WeightDecayArgument, AdamOptimizer.Beta1, AdamOptimizer.Beta2, AdamOptimizer.EpsilonArgument, AdamOptimizer.Amsgrad,
    };
}

/// <summary>Keras' SGD, with optional (Nesterov) momentum.</summary>
public sealed class SgdOptimizer : OptimizerKind
{
    public static readonly DoubleArgument MomentumArgument = Momentum();
    public static readonly BoolArgument Nesterov = new("nesterov", "Whether to use Nesterov momentum.", false);

    public override string Name => "sgd";

    public override string RuntimeType => "Sgd";

    protected override DoubleArgument LearningRateArgument { get; } = LearningRate(0.01);

    protected override IReadOnlyList<Argument> Own { get; } = new Argument[] { MomentumArgument, Nesterov };
}

/// <summary>Keras' RMSprop.</summary>
public sealed class RmsPropOptimizer : OptimizerKind
{
    public override string Name => "rmsprop";

    public override string RuntimeType => "RmsProp";

    protected override DoubleArgument LearningRateArgument { get; } = LearningRate();

    protected override IReadOnlyList<Argument> Own { get; } = new Argument[] { Rho(), SgdOptimizer.MomentumArgument, AdamOptimizer.EpsilonArgument };
}

/// <summary>Keras' Nadam: Adam with Nesterov momentum.</summary>
public sealed class NadamOptimizer : OptimizerKind
{
    public override string Name => "nadam";

    public override string RuntimeType => "Nadam";

    protected override DoubleArgument LearningRateArgument { get; } = LearningRate();

    protected override IReadOnlyList<Argument> Own { get; } = new Argument[] { AdamOptimizer.Beta1, AdamOptimizer.Beta2, AdamOptimizer.EpsilonArgument };
}

/// <summary>Keras' Adamax: Adam with the infinity norm.</summary>
public sealed class AdamaxOptimizer : OptimizerKind
{
    public override string Name => "adamax";

    public override string RuntimeType => "Adamax";

    protected override DoubleArgument LearningRateArgument { get; } = LearningRate();

    protected override IReadOnlyList<Argument> Own { get; } = new Argument[] { AdamOptimizer.Beta1, AdamOptimizer.Beta2, AdamOptimizer.EpsilonArgument };
}

/// <summary>Keras' Adagrad: per-parameter rates from the sum of squared gradients.</summary>
public sealed class AdagradOptimizer : OptimizerKind
{
    public static readonly DoubleArgument InitialAccumulatorValue = new("initial_accumulator_value", "The accumulators' starting value.", 0.1, v => v >= 0, "a number of at least 0");

    public override string Name => "adagrad";

    public override string RuntimeType => "Adagrad";

    protected override DoubleArgument LearningRateArgument { get; } = LearningRate();

    protected override IReadOnlyList<Argument> Own { get; } = new Argument[] { InitialAccumulatorValue, AdamOptimizer.EpsilonArgument };
}

/// <summary>Keras' Adadelta: rates from moving averages of squared gradients and updates.</summary>
public sealed class AdadeltaOptimizer : OptimizerKind
{
    public static readonly DoubleArgument RhoArgument = new("rho", "The decay of the moving averages.", 0.95, v => v >= 0 && v < 1, "a number at least 0 and less than 1");

    public override string Name => "adadelta";

    public override string RuntimeType => "Adadelta";

    protected override DoubleArgument LearningRateArgument { get; } = LearningRate();

    protected override IReadOnlyList<Argument> Own { get; } = new Argument[] { RhoArgument, AdamOptimizer.EpsilonArgument };
}

namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' BatchNormalization over the last axis: while training, batch statistics (biased variance) normalize and
/// move the moving averages (moving = moving * momentum + batch * (1 - momentum)); otherwise the moving ones do.
/// Weights in Keras' order: gamma, beta, moving_mean, moving_variance.
/// </summary>
public sealed class BatchNormalization : Layer
{
    public BatchNormalization(int features, double momentum = 0.99, double epsilon = 0.001, bool center = true, bool scale = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        if (momentum is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1]");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epsilon);
        Momentum = momentum;
        Epsilon = epsilon;
        Gamma = scale ? RegisterParameter("gamma", Tensor.Ones([features])) : null;
        Beta = center ? RegisterParameter("beta", Tensor.Zeros([features])) : null;
        MovingMean = RegisterBuffer("moving_mean", Tensor.Zeros([features]));
        MovingVariance = RegisterBuffer("moving_variance", Tensor.Ones([features]));
    }

    public double Momentum { get; }

    public double Epsilon { get; }

    public Parameter? Gamma { get; }

    public Parameter? Beta { get; }

    public Tensor MovingMean { get; }

    public Tensor MovingVariance { get; }

    public override Tensor Forward(Tensor input) =>
        new(NativeMethods.BatchNorm(input.Handle, Tensor.HandleOf(Gamma), Tensor.HandleOf(Beta), MovingMean.Handle, MovingVariance.Handle,
            Training ? 1 : 0, Momentum, Epsilon));
}

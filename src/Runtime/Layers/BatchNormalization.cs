namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' BatchNormalization over the last axis: while training, batch statistics (biased variance) normalize and
/// move the moving averages (moving = moving * momentum + batch * (1 - momentum)); otherwise the moving ones do.
/// Weights in Keras' order: gamma, beta, moving_mean, moving_variance.
/// </summary>
public sealed class BatchNormalization : Layer
{
    public BatchNormalization(int features, double momentum = 0.99, double epsilon = 0.001, bool center = true, bool scale = true)
        : base(nameof(BatchNormalization))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        if (momentum is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1]");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epsilon);
        Momentum = momentum;
        Epsilon = epsilon;
        if (scale)
            AddWeight("gamma", ones(features));
        if (center)
            AddWeight("beta", zeros(features));
        AddState("moving_mean", zeros(features));
        AddState("moving_variance", ones(features));
    }

    public double Momentum { get; }

    public double Epsilon { get; }

    public Parameter? Gamma => OptionalWeight("gamma");

    public Parameter? Beta => OptionalWeight("beta");

    public Tensor MovingMean => State("moving_mean");

    public Tensor MovingVariance => State("moving_variance");

    /// <summary>
    /// Inference's normalization folded into one scale and shift per feature, computed here in float64 from the moving
    /// statistics: x * gamma / sqrt(variance + epsilon) + (beta - mean * that scale), on the last axis of any rank.
    /// </summary>
    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input)
    {
        using var scope = NewDisposeScope();
        var variance = MovingVariance.detach().to(ScalarType.Float64);
        var multiplier = (variance + Epsilon).rsqrt();
        if (Gamma is { } gamma)
            multiplier = multiplier * gamma.detach().to(ScalarType.Float64);
        var shift = -MovingMean.detach().to(ScalarType.Float64) * multiplier;
        if (Beta is { } beta)
            shift = shift + beta.detach().to(ScalarType.Float64);
        return graph.Add(graph.Mul(input, graph.Weight("scale", multiplier)), graph.Weight("shift", shift));
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var flat = input.reshape(-1, input.size(-1));
        Tensor normalized;
        if (training)
        {
            // libtorch's own running statistics use the unbiased variance; Keras moves the biased one.
            normalized = nn.functional.batch_norm(flat, null, null, Gamma, Beta, training: true, momentum: 0, eps: Epsilon);
            using var noGrad = no_grad();
            var data = flat.detach();
            var mean = data.mean([0]);
            var variance = (data - mean).square().mean([0]);
            MovingMean.mul_(Momentum).add_(mean, alpha: 1 - Momentum);
            MovingVariance.mul_(Momentum).add_(variance, alpha: 1 - Momentum);
        }
        else
        {
            normalized = nn.functional.batch_norm(flat, MovingMean, MovingVariance, Gamma, Beta, training: false, momentum: 0, eps: Epsilon);
        }
        return normalized.view(input.shape).MoveToOuterDisposeScope();
    }
}

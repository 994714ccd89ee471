using System.Numerics;
using System.Runtime.CompilerServices;
using TorchSharp;
using static ModelDsl.Runtime.TensorMemory;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Optimizers;

/// <summary>
/// Keras' Nadam: Adam with Nesterov momentum on a warming momentum schedule u_t = beta1 (1 - 0.5 * 0.96^t).
/// m = beta1 m + (1 - beta1) g, v = beta2 v + (1 - beta2) g²;
/// m̂ = u_{t+1} m / (1 - Π_{s≤t+1} u_s) + (1 - u_t) g / (1 - Π_{s≤t} u_s), v̂ = v / (1 - beta2^t);
/// p -= lr m̂ / (sqrt(v̂) + epsilon). The product of the u's is Keras' one scalar of state; it follows from the step
/// count, so a checkpoint's iterations restore it exactly.
/// </summary>
public sealed class Nadam : Optimizer
{
    private static readonly string[] Moments = ["m", "v"];

    // Keras' momentum schedule: u_t = beta1 * (1 - ScheduleWeight * ScheduleBase^t).
    private const double ScheduleBase = 0.96;
    private const double ScheduleWeight = 0.5;

    // Π_{s≤_productStep} u_s, multiplied up one step at a time (so a restored count gives the same double).
    private long _productStep;
    private double _product = 1;

    public Nadam(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, double decay = 0,
        double? clipnorm = null, double? clipvalue = null, double? globalClipnorm = null)
        : base(learningRate, decay, clipnorm, clipvalue, globalClipnorm)
    {
        if (beta1 is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1)");
        if (beta2 is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1)");
        ArgumentOutOfRangeException.ThrowIfNegative(epsilon);
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    public override string Name => "nadam";

    public double Beta1 { get; }

    public double Beta2 { get; }

    public double Epsilon { get; }

    protected override IReadOnlyList<string> SlotNames => Moments;

    private double Momentum(long step) => Beta1 * (1 - ScheduleWeight * Math.Pow(ScheduleBase, step));

    private double MomentumProduct(long step)
    {
        if (step < _productStep)
            (_productStep, _product) = (0, 1);
        while (_productStep < step)
            _product *= Momentum(++_productStep);
        return _product;
    }

    // m̂ = MomentWeight m + GradientWeight g, v̂ = v * SecondMomentScale.
    private (double MomentWeight, double GradientWeight, double SecondMomentScale) Coefficients(long step)
    {
        var product = MomentumProduct(step);
        var next = Momentum(step + 1);
        return (next / (1 - product * next), (1 - Momentum(step)) / (1 - product), 1 / (1 - Math.Pow(Beta2, step)));
    }

    private protected override unsafe void UpdateFused(Tensor parameter, Tensor gradient, Tensor[] slots, double learningRate, long step)
    {
        var (momentWeight, gradientWeight, secondMomentScale) = Coefficients(step);
        Fused(parameter.numel(), Pointer<float>(parameter), Pointer<float>(gradient), Pointer<float>(slots[0]), Pointer<float>(slots[1]),
            (float)learningRate, (float)Beta1, (float)(1 - Beta1), (float)Beta2, (float)(1 - Beta2), (float)momentWeight, (float)gradientWeight,
            (float)secondMomentScale, (float)Epsilon);
    }

    // Optimised from the first step: tiered compilation would run a training's first steps through unoptimised code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Fused(long count, float* p, float* g, float* m, float* v, float learningRate, float beta1, float oneMinusBeta1,
        float beta2, float oneMinusBeta2, float momentWeight, float gradientWeight, float secondMomentScale, float epsilon)
    {
        var epsilons = new Vector<float>(epsilon);
        long k = 0;
        for (; k <= count - Vector<float>.Count; k += Vector<float>.Count)
        {
            var gk = Vector.Load(g + k);
            var mk = Vector.Load(m + k) * beta1 + gk * oneMinusBeta1;
            var vk = Vector.Load(v + k) * beta2 + gk * gk * oneMinusBeta2;
            mk.Store(m + k);
            vk.Store(v + k);
            var moment = mk * momentWeight + gk * gradientWeight;
            (Vector.Load(p + k) - learningRate * (moment / (Vector.SquareRoot(vk * secondMomentScale) + epsilons))).Store(p + k);
        }
        for (; k < count; k++)
        {
            var gk = g[k];
            var mk = m[k] = m[k] * beta1 + gk * oneMinusBeta1;
            var vk = v[k] = v[k] * beta2 + gk * gk * oneMinusBeta2;
            p[k] -= learningRate * ((mk * momentWeight + gk * gradientWeight) / (MathF.Sqrt(vk * secondMomentScale) + epsilon));
        }
    }

    private protected override void UpdateWithOps(Tensor parameter, Tensor gradient, Tensor[] slots, double learningRate, long step)
    {
        var (m, v) = (slots[0], slots[1]);
        var (momentWeight, gradientWeight, secondMomentScale) = Coefficients(step);
        using Scalar negativeRate = -learningRate, beta1 = Beta1, oneMinusBeta1 = 1 - Beta1, beta2 = Beta2, oneMinusBeta2 = 1 - Beta2,
            momentScalar = momentWeight, gradientScalar = gradientWeight, secondMomentScalar = secondMomentScale, epsilon = Epsilon;
        m.mul_(beta1).add_(gradient, oneMinusBeta1);
        v.mul_(beta2).addcmul_(gradient, gradient, oneMinusBeta2);
        using var moment = m.mul(momentScalar).add_(gradient, gradientScalar);
        using var denominator = v.mul(secondMomentScalar).sqrt_().add_(epsilon);
        parameter.addcdiv_(moment, denominator, negativeRate);
    }
}

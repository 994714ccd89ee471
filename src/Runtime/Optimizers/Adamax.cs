using System.Numerics;
using System.Runtime.CompilerServices;
using TorchSharp;
using static ModelDsl.Runtime.TensorMemory;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Optimizers;

/// <summary>
/// Keras' Adamax, Adam on the infinity norm: m = beta1 m + (1 - beta1) g, u = max(beta2 u, |g|);
/// p -= lr / (1 - beta1^t) * m / (u + epsilon).
/// </summary>
public sealed class Adamax : Optimizer
{
    private static readonly string[] MomentAndNorm = ["m", "u"];

    public Adamax(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, double decay = 0,
        double? clipnorm = null, double? clipvalue = null, double? globalClipnorm = null)
        : base(learningRate, decay, clipnorm, clipvalue, globalClipnorm)
    {
        if (beta1 is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1)");
        if (beta2 is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1]");
        ArgumentOutOfRangeException.ThrowIfNegative(epsilon);
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    public override string Name => "adamax";

    public double Beta1 { get; }

    public double Beta2 { get; }

    public double Epsilon { get; }

    protected override IReadOnlyList<string> SlotNames => MomentAndNorm;

    // The first moment's bias correction folded into the rate.
    private double Alpha(double learningRate, long step) => learningRate / (1 - Math.Pow(Beta1, step));

    private protected override unsafe void UpdateFused(Tensor parameter, Tensor gradient, Tensor[] slots, double learningRate, long step) =>
        Fused(parameter.numel(), Pointer<float>(parameter), Pointer<float>(gradient), Pointer<float>(slots[0]), Pointer<float>(slots[1]),
            (float)Alpha(learningRate, step), (float)Beta1, (float)(1 - Beta1), (float)Beta2, (float)Epsilon);

    // Optimised from the first step: tiered compilation would run a training's first steps through unoptimised code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Fused(long count, float* p, float* g, float* m, float* u, float alpha, float beta1, float oneMinusBeta1,
        float beta2, float epsilon)
    {
        var epsilons = new Vector<float>(epsilon);
        long k = 0;
        for (; k <= count - Vector<float>.Count; k += Vector<float>.Count)
        {
            var gk = Vector.Load(g + k);
            var mk = Vector.Load(m + k) * beta1 + gk * oneMinusBeta1;
            var uk = Vector.Max(Vector.Load(u + k) * beta2, Vector.Abs(gk));
            mk.Store(m + k);
            uk.Store(u + k);
            (Vector.Load(p + k) - alpha * (mk / (uk + epsilons))).Store(p + k);
        }
        for (; k < count; k++)
        {
            var gk = g[k];
            var mk = m[k] = m[k] * beta1 + gk * oneMinusBeta1;
            var uk = u[k] = MathF.Max(u[k] * beta2, MathF.Abs(gk));
            p[k] -= alpha * (mk / (uk + epsilon));
        }
    }

    private protected override void UpdateWithOps(Tensor parameter, Tensor gradient, Tensor[] slots, double learningRate, long step)
    {
        var (m, u) = (slots[0], slots[1]);
        using Scalar negativeAlpha = -Alpha(learningRate, step), beta1 = Beta1, oneMinusBeta1 = 1 - Beta1, beta2 = Beta2, epsilon = Epsilon;
        m.mul_(beta1).add_(gradient, oneMinusBeta1);
        using (var magnitude = gradient.abs())
        using (var decayed = u.mul(beta2))
        using (var larger = maximum(decayed, magnitude))
            u.copy_(larger);
        using var denominator = u.add(epsilon);
        parameter.addcdiv_(m, denominator, negativeAlpha);
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using TorchSharp;
using static ModelDsl.Runtime.TensorMemory;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Optimizers;

/// <summary>
/// Keras' Adam: epsilon is added to sqrt(v) with the bias correction folded into the rate
/// (lr * sqrt(1 - beta2^t) / (1 - beta1^t)), which is not PyTorch's placement.
/// </summary>
public class Adam : Optimizer
{
    private static readonly string[] Moments = ["m", "v"];
    private static readonly string[] MomentsAndMax = ["m", "v", "vhat"];
    private readonly double _weightDecay;

    public Adam(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, bool amsgrad = false, double decay = 0,
        double? clipnorm = null, double? clipvalue = null, double? globalClipnorm = null)
        : this(learningRate, 0, beta1, beta2, epsilon, amsgrad, decay, clipnorm, clipvalue, globalClipnorm)
    {
    }

    private protected Adam(double learningRate, double weightDecay, double beta1, double beta2, double epsilon, bool amsgrad, double decay,
        double? clipnorm, double? clipvalue, double? globalClipnorm)
        : base(learningRate, decay, clipnorm, clipvalue, globalClipnorm)
    {
        if (beta1 is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1)");
        if (beta2 is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1)");
        ArgumentOutOfRangeException.ThrowIfNegative(epsilon);
        ArgumentOutOfRangeException.ThrowIfNegative(weightDecay);
        _weightDecay = weightDecay;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        Amsgrad = amsgrad;
    }

    public override string Name => "adam";

    public double Beta1 { get; }

    public double Beta2 { get; }

    public double Epsilon { get; }

    public bool Amsgrad { get; }

    protected override IReadOnlyList<string> SlotNames => Amsgrad ? MomentsAndMax : Moments;

    // Both bias corrections in the rate: p -= alpha * m / (sqrt(v) + epsilon).
    private double Alpha(double learningRate, long step) =>
        learningRate * Math.Sqrt(1 - Math.Pow(Beta2, step)) / (1 - Math.Pow(Beta1, step));

    // AdamW's decoupled decay, p -= p * weightDecay * lr before the Adam update, as one factor (1 for Adam).
    private double Keep(double learningRate) => 1 - learningRate * _weightDecay;

    private protected override unsafe void UpdateFused(Tensor parameter, Tensor gradient, Tensor[] slots, double learningRate, long step) =>
        Fused(parameter.numel(), Pointer<float>(parameter), Pointer<float>(gradient), Pointer<float>(slots[0]), Pointer<float>(slots[1]), Amsgrad ? Pointer<float>(slots[2]) : null,
            (float)Keep(learningRate), (float)Alpha(learningRate, step), (float)Beta1, (float)(1 - Beta1), (float)Beta2, (float)(1 - Beta2), (float)Epsilon);

    // vhat (AMSGrad's running maximum of v) is null without amsgrad.
    // Optimised from the first step: tiered compilation would run a training's first steps through unoptimised code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Fused(long count, float* p, float* g, float* m, float* v, float* vhat, float keep, float alpha,
        float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float epsilon)
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
            if (vhat != null)
            {
                vk = Vector.Max(Vector.Load(vhat + k), vk);
                vk.Store(vhat + k);
            }
            (Vector.Load(p + k) * keep - alpha * (mk / (Vector.SquareRoot(vk) + epsilons))).Store(p + k);
        }
        for (; k < count; k++)
        {
            var gk = g[k];
            var mk = m[k] = m[k] * beta1 + gk * oneMinusBeta1;
            var vk = v[k] = v[k] * beta2 + gk * gk * oneMinusBeta2;
            if (vhat != null)
                vk = vhat[k] = MathF.Max(vhat[k], vk);
            p[k] = p[k] * keep - alpha * (mk / (MathF.Sqrt(vk) + epsilon));
        }
    }

    private protected override void UpdateWithOps(Tensor parameter, Tensor gradient, Tensor[] slots, double learningRate, long step)
    {
        var (m, v) = (slots[0], slots[1]);
        using Scalar keep = Keep(learningRate), negativeAlpha = -Alpha(learningRate, step), beta1 = Beta1, oneMinusBeta1 = 1 - Beta1,
            beta2 = Beta2, oneMinusBeta2 = 1 - Beta2, epsilon = Epsilon;
        if (_weightDecay != 0)
            parameter.mul_(keep);
        m.mul_(beta1).add_(gradient, oneMinusBeta1);
        v.mul_(beta2).addcmul_(gradient, gradient, oneMinusBeta2);
        if (Amsgrad)
        {
            using var larger = maximum(slots[2], v);
            slots[2].copy_(larger);
        }
        using var denominator = (Amsgrad ? slots[2] : v).sqrt().add_(epsilon);
        parameter.addcdiv_(m, denominator, negativeAlpha);
    }
}

/// <summary>Keras' AdamW: Adam plus decoupled weight decay, p -= p * weightDecay * lr, before the Adam update.</summary>
public sealed class AdamW : Adam
{
    public AdamW(double learningRate = 0.001, double weightDecay = 0.004, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7,
        bool amsgrad = false, double decay = 0, double? clipnorm = null, double? clipvalue = null, double? globalClipnorm = null)
        : base(learningRate, weightDecay, beta1, beta2, epsilon, amsgrad, decay, clipnorm, clipvalue, globalClipnorm)
    {
        WeightDecay = weightDecay;
    }

    public override string Name => "adamw";

    public double WeightDecay { get; }
}

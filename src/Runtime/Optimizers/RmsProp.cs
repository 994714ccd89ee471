using System.Numerics;
using System.Runtime.CompilerServices;
using TorchSharp;
using static ModelDsl.Runtime.TensorMemory;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Optimizers;

/// <summary>
/// Keras' (legacy) RMSprop: ms = rho ms + (1 - rho) g²; p -= lr g / (sqrt(ms) + epsilon), or with momentum
/// mom = momentum mom + lr g / sqrt(ms + epsilon), p -= mom.
/// </summary>
public sealed class RmsProp : Optimizer
{
    private static readonly string[] MeanSquare = ["rms"];
    private static readonly string[] MeanSquareAndMomentum = ["rms", "momentum"];

    public RmsProp(double learningRate = 0.001, double rho = 0.9, double momentum = 0, double epsilon = 1e-7, double decay = 0,
        double? clipnorm = null, double? clipvalue = null, double? globalClipnorm = null)
        : base(learningRate, decay, clipnorm, clipvalue, globalClipnorm)
    {
        if (rho is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(rho), rho, "rho must be in [0, 1]");
        if (momentum is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1]");
        ArgumentOutOfRangeException.ThrowIfNegative(epsilon);
        Rho = rho;
        Momentum = momentum;
        Epsilon = epsilon;
    }

    public override string Name => "rmsprop";

    public double Rho { get; }

    public double Momentum { get; }

    public double Epsilon { get; }

    protected override IReadOnlyList<string> SlotNames => Momentum > 0 ? MeanSquareAndMomentum : MeanSquare;

    private protected override unsafe void UpdateFused(Tensor parameter, Tensor gradient, Tensor[] slots, double learningRate, long step) =>
        Fused(parameter.numel(), Pointer<float>(parameter), Pointer<float>(gradient), Pointer<float>(slots[0]), Momentum > 0 ? Pointer<float>(slots[1]) : null,
            (float)learningRate, (float)Rho, (float)(1 - Rho), (float)Momentum, (float)Epsilon);

    // moment is null without momentum.
    // Optimised from the first step: tiered compilation would run a training's first steps through unoptimised code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Fused(long count, float* p, float* g, float* meanSquare, float* moment, float learningRate, float rho,
        float oneMinusRho, float momentum, float epsilon)
    {
        var epsilons = new Vector<float>(epsilon);
        long k = 0;
        for (; k <= count - Vector<float>.Count; k += Vector<float>.Count)
        {
            var gk = Vector.Load(g + k);
            var msk = Vector.Load(meanSquare + k) * rho + gk * gk * oneMinusRho;
            msk.Store(meanSquare + k);
            if (moment == null)
            {
                (Vector.Load(p + k) - learningRate * (gk / (Vector.SquareRoot(msk) + epsilons))).Store(p + k);
                continue;
            }
            var mk = Vector.Load(moment + k) * momentum + learningRate * (gk / Vector.SquareRoot(msk + epsilons));
            mk.Store(moment + k);
            (Vector.Load(p + k) - mk).Store(p + k);
        }
        for (; k < count; k++)
        {
            var gk = g[k];
            var msk = meanSquare[k] = meanSquare[k] * rho + gk * gk * oneMinusRho;
            if (moment == null)
            {
                p[k] -= learningRate * (gk / (MathF.Sqrt(msk) + epsilon));
                continue;
            }
            p[k] -= moment[k] = moment[k] * momentum + learningRate * (gk / MathF.Sqrt(msk + epsilon));
        }
    }

    private protected override void UpdateWithOps(Tensor parameter, Tensor gradient, Tensor[] slots, double learningRate, long step)
    {
        using Scalar rate = learningRate, negativeRate = -learningRate, rho = Rho, oneMinusRho = 1 - Rho, momentum = Momentum, epsilon = Epsilon;
        var meanSquare = slots[0].mul_(rho).addcmul_(gradient, gradient, oneMinusRho);
        if (Momentum == 0)
        {
            using var denominator = meanSquare.sqrt().add_(epsilon);
            parameter.addcdiv_(gradient, denominator, negativeRate);
            return;
        }
        using var root = meanSquare.add(epsilon).sqrt_();
        parameter.sub_(slots[1].mul_(momentum).addcdiv_(gradient, root, rate));
    }
}

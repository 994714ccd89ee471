using System.Numerics;
using System.Runtime.CompilerServices;
using TorchSharp;
using static ModelDsl.Runtime.TensorMemory;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Optimizers;

/// <summary>
/// Keras' Adadelta: a = rho a + (1 - rho) g²; delta = -sqrt(d + epsilon) g / sqrt(a + epsilon);
/// d = rho d + (1 - rho) delta²; p += lr delta, with a and d the running means of the squared gradients and updates.
/// </summary>
public sealed class Adadelta : Optimizer
{
    private static readonly string[] Accumulators = ["accumulated_grad", "accumulated_delta_var"];

    public Adadelta(double learningRate = 0.001, double rho = 0.95, double epsilon = 1e-7, double decay = 0,
        double? clipnorm = null, double? clipvalue = null, double? globalClipnorm = null)
        : base(learningRate, decay, clipnorm, clipvalue, globalClipnorm)
    {
        if (rho is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(rho), rho, "rho must be in [0, 1]");
        ArgumentOutOfRangeException.ThrowIfNegative(epsilon);
        Rho = rho;
        Epsilon = epsilon;
    }

    public override string Name => "adadelta";

    public double Rho { get; }

    public double Epsilon { get; }

    protected override IReadOnlyList<string> SlotNames => Accumulators;

    private protected override unsafe void UpdateFused(Tensor parameter, Tensor gradient, Tensor[] slots, double learningRate, long step) =>
        Fused(parameter.numel(), Pointer<float>(parameter), Pointer<float>(gradient), Pointer<float>(slots[0]), Pointer<float>(slots[1]),
            (float)learningRate, (float)Rho, (float)(1 - Rho), (float)Epsilon);

    // Optimised from the first step: tiered compilation would run a training's first steps through unoptimised code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Fused(long count, float* p, float* g, float* gradients, float* deltas, float learningRate, float rho,
        float oneMinusRho, float epsilon)
    {
        var epsilons = new Vector<float>(epsilon);
        long k = 0;
        for (; k <= count - Vector<float>.Count; k += Vector<float>.Count)
        {
            var gk = Vector.Load(g + k);
            var ak = Vector.Load(gradients + k) * rho + gk * gk * oneMinusRho;
            var dk = Vector.Load(deltas + k);
            var delta = -(Vector.SquareRoot(dk + epsilons) * gk / Vector.SquareRoot(ak + epsilons));
            ak.Store(gradients + k);
            (dk * rho + delta * delta * oneMinusRho).Store(deltas + k);
            (Vector.Load(p + k) + learningRate * delta).Store(p + k);
        }
        for (; k < count; k++)
        {
            var gk = g[k];
            var ak = gradients[k] = gradients[k] * rho + gk * gk * oneMinusRho;
            var delta = -(MathF.Sqrt(deltas[k] + epsilon) * gk / MathF.Sqrt(ak + epsilon));
            deltas[k] = deltas[k] * rho + delta * delta * oneMinusRho;
            p[k] += learningRate * delta;
        }
    }

    private protected override void UpdateWithOps(Tensor parameter, Tensor gradient, Tensor[] slots, double learningRate, long step)
    {
        var (gradients, deltas) = (slots[0], slots[1]);
        using Scalar rate = learningRate, rho = Rho, oneMinusRho = 1 - Rho, epsilon = Epsilon;
        gradients.mul_(rho).addcmul_(gradient, gradient, oneMinusRho);
        using var delta = deltas.add(epsilon).sqrt_().mul_(gradient);
        using (var root = gradients.add(epsilon).sqrt_())
            delta.div_(root).neg_();
        deltas.mul_(rho).addcmul_(delta, delta, oneMinusRho);
        parameter.add_(delta, rate);
    }
}

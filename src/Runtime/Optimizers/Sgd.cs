using System.Numerics;
using System.Runtime.CompilerServices;
using TorchSharp;
using static ModelDsl.Runtime.TensorMemory;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Optimizers;

/// <summary>Keras' SGD: velocity = momentum * velocity - lr * g; p += velocity (nesterov: p += momentum * velocity - lr * g).</summary>
public sealed class Sgd : Optimizer
{
    private static readonly string[] Velocity = ["momentum"];

    public Sgd(double learningRate = 0.01, double momentum = 0, bool nesterov = false, double decay = 0,
        double? clipnorm = null, double? clipvalue = null, double? globalClipnorm = null)
        : base(learningRate, decay, clipnorm, clipvalue, globalClipnorm)
    {
        if (momentum is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1]");
        Momentum = momentum;
        Nesterov = nesterov;
    }

    public override string Name => "sgd";

    public double Momentum { get; }

    public bool Nesterov { get; }

    protected override IReadOnlyList<string> SlotNames => Momentum > 0 ? Velocity : [];

    private protected override unsafe void UpdateFused(Tensor parameter, Tensor gradient, Tensor[] slots, double learningRate, long step) =>
        Fused(parameter.numel(), Pointer<float>(parameter), Pointer<float>(gradient), Momentum > 0 ? Pointer<float>(slots[0]) : null, (float)learningRate, (float)Momentum, Nesterov);

    // velocity is null without momentum.
    // Optimised from the first step: tiered compilation would run a training's first steps through unoptimised code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Fused(long count, float* p, float* g, float* velocity, float learningRate, float momentum, bool nesterov)
    {
        long k = 0;
        for (; k <= count - Vector<float>.Count; k += Vector<float>.Count)
        {
            var gk = Vector.Load(g + k);
            var pk = Vector.Load(p + k);
            if (velocity == null)
            {
                (pk - learningRate * gk).Store(p + k);
                continue;
            }
            var vk = Vector.Load(velocity + k) * momentum - learningRate * gk;
            vk.Store(velocity + k);
            (nesterov ? pk + momentum * vk - learningRate * gk : pk + vk).Store(p + k);
        }
        for (; k < count; k++)
        {
            var gk = g[k];
            if (velocity == null)
            {
                p[k] -= learningRate * gk;
                continue;
            }
            var vk = velocity[k] = velocity[k] * momentum - learningRate * gk;
            p[k] = nesterov ? p[k] + momentum * vk - learningRate * gk : p[k] + vk;
        }
    }

    private protected override void UpdateWithOps(Tensor parameter, Tensor gradient, Tensor[] slots, double learningRate, long step)
    {
        using Scalar negativeRate = -learningRate, momentum = Momentum;
        if (Momentum == 0)
        {
            parameter.add_(gradient, negativeRate);
            return;
        }
        var velocity = slots[0].mul_(momentum).add_(gradient, negativeRate);
        if (Nesterov)
            parameter.add_(velocity, momentum).add_(gradient, negativeRate);
        else
            parameter.add_(velocity);
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using TorchSharp;
using static ModelDsl.Runtime.TensorMemory;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Optimizers;

/// <summary>
/// Keras' Adagrad: the accumulator starts at <c>initial_accumulator_value</c> and sums the squared gradients,
/// a += g²; p -= lr g / sqrt(a + epsilon).
/// </summary>
public sealed class Adagrad : Optimizer
{
    private static readonly string[] Accumulator = ["accumulator"];

    public Adagrad(double learningRate = 0.001, double initialAccumulatorValue = 0.1, double epsilon = 1e-7, double decay = 0,
        double? clipnorm = null, double? clipvalue = null, double? globalClipnorm = null)
        : base(learningRate, decay, clipnorm, clipvalue, globalClipnorm)
    {
        if (!(initialAccumulatorValue >= 0 && double.IsFinite(initialAccumulatorValue)))
            throw new ArgumentOutOfRangeException(nameof(initialAccumulatorValue), initialAccumulatorValue, "initial_accumulator_value must be a finite number >= 0");
        ArgumentOutOfRangeException.ThrowIfNegative(epsilon);
        InitialAccumulatorValue = initialAccumulatorValue;
        Epsilon = epsilon;
    }

    public override string Name => "adagrad";

    public double InitialAccumulatorValue { get; }

    public double Epsilon { get; }

    protected override IReadOnlyList<string> SlotNames => Accumulator;

    private protected override double InitialSlotValue(int slot) => InitialAccumulatorValue;

    private protected override unsafe void UpdateFused(Tensor parameter, Tensor gradient, Tensor[] slots, double learningRate, long step) =>
        Fused(parameter.numel(), Pointer<float>(parameter), Pointer<float>(gradient), Pointer<float>(slots[0]), (float)learningRate, (float)Epsilon);

    // Optimised from the first step: tiered compilation would run a training's first steps through unoptimised code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Fused(long count, float* p, float* g, float* accumulator, float learningRate, float epsilon)
    {
        var epsilons = new Vector<float>(epsilon);
        long k = 0;
        for (; k <= count - Vector<float>.Count; k += Vector<float>.Count)
        {
            var gk = Vector.Load(g + k);
            var ak = Vector.Load(accumulator + k) + gk * gk;
            ak.Store(accumulator + k);
            (Vector.Load(p + k) - learningRate * (gk / Vector.SquareRoot(ak + epsilons))).Store(p + k);
        }
        for (; k < count; k++)
        {
            var gk = g[k];
            var ak = accumulator[k] += gk * gk;
            p[k] -= learningRate * (gk / MathF.Sqrt(ak + epsilon));
        }
    }

    private protected override void UpdateWithOps(Tensor parameter, Tensor gradient, Tensor[] slots, double learningRate, long step)
    {
        using Scalar negativeRate = -learningRate, one = 1, epsilon = Epsilon;
        var accumulator = slots[0].addcmul_(gradient, gradient, one);
        using var denominator = accumulator.add(epsilon).sqrt_();
        parameter.addcdiv_(gradient, denominator, negativeRate);
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using static ModelDsl.Runtime.Layers.Recurrent.Buffers;
using static ModelDsl.Runtime.TensorMemory;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Layers.Recurrent;

/// <summary>Keras' SimpleRNN: h_t = act(x_t K + h_{t-1} U + b).</summary>
internal sealed unsafe class FusedSimpleRnn : FusedRecurrence<FusedSimpleRnn>
{
    protected override Tensor Forward<T>(Sequence s, List<Tensor>? saved, bool keepSteps)
    {
        // With every step kept, the projection becomes h in place: each step's slice, plus its product, activated.
        // Otherwise a rolling projection feeds a rolling h.
        bool allSteps = saved is not null || keepSteps;
        var projected = new Projection(s, s.Bias, s.Units, allSteps);
        var hidden = allSteps ? projected.Buffer : empty([s.Batch, s.Units], s.Inputs.dtype);
        var pass = new ForwardPass<T>
        {
            Projection = projected, HiddenSteps = Steps(hidden, s.Time), Recurrent = s.Recurrent,
            Projected = Pointer<T>(projected.Buffer), Hidden = Pointer<T>(hidden), HiddenStride = allSteps ? s.Batch * s.Units : 0,
            Block = s.Batch * s.Units, Time = s.Time,
        };
        FusedActivations.Run(ref pass, s.Cell.Activation, s.Cell.Activation);
        return hidden;
    }

    protected override Gradients Backward<T>(Sequence s, Tensor grad, Tensor hidden, List<Tensor> saved, Needs needs)
    {
        var dPre = empty_like(hidden);
        var dHidden = zeros([s.Batch, s.Units], hidden.dtype);
        var pass = new BackwardPass<T>
        {
            DPreSteps = Steps(dPre, s.Time), RecurrentT = s.Recurrent.t(), DHiddenTensor = dHidden,
            Grad = Pointer<T>(grad), Hidden = Pointer<T>(hidden), DPre = Pointer<T>(dPre), DHidden = Pointer<T>(dHidden),
            Block = s.Batch * s.Units, Time = s.Time,
        };
        FusedActivations.Run(ref pass, s.Cell.Activation, s.Cell.Activation);
        var (input, kernel, bias) = ProjectionGradients(s, dPre, needs);
        return new(input, kernel, needs.Recurrent ? RecurrentProduct(hidden, dPre) : null, bias);
    }

    private struct ForwardPass<T> : IActivationPass where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public Projection Projection;
        public Tensor[] HiddenSteps;
        public Tensor Recurrent;
        public T* Projected, Hidden;
        public int HiddenStride, Block, Time;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run<TAct, TGate>() where TAct : struct, IVectorActivation where TGate : struct, IVectorActivation
        {
            for (int t = 0; t < Time; t++)
            {
                Projection.At(t);
                if (t > 0)
                    Projection.Steps[t].addmm_(HiddenSteps[t - 1], Recurrent);
                // The step's block is contiguous: one pass over batch x units.
                T* pre = Projected + (long)t * Projection.Stride, h = Hidden + (long)t * HiddenStride;
                for (int k = 0, w; k < Block; k += w)
                {
                    w = Lanes.Width<T>(k, Block);
                    Lanes.Store(h + k, TAct.Apply(Lanes.Load(pre + k, w)), w);
                }
            }
        }
    }

    private struct BackwardPass<T> : IActivationPass where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public Tensor[] DPreSteps;
        public Tensor RecurrentT, DHiddenTensor;
        public T* Grad, Hidden, DPre, DHidden;
        public int Block, Time;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run<TAct, TGate>() where TAct : struct, IVectorActivation where TGate : struct, IVectorActivation
        {
            for (int t = Time - 1; t >= 0; t--)
            {
                long offset = (long)t * Block;
                for (int k = 0, w; k < Block; k += w)
                {
                    w = Lanes.Width<T>(k, Block);
                    var dh = Lanes.Load(Grad + offset + k, w) + Lanes.Load(DHidden + k, w);
                    Lanes.Store(DPre + offset + k, dh * TAct.Slope(Lanes.Load(Hidden + offset + k, w)), w);
                }
                if (t > 0)
                    DHiddenTensor.addmm_(DPreSteps[t], RecurrentT, beta: 0);
            }
        }
    }
}

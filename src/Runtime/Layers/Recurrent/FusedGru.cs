using System.Numerics;
using System.Runtime.CompilerServices;
using static ModelDsl.Runtime.Layers.Recurrent.Buffers;
using static ModelDsl.Runtime.TensorMemory;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Layers.Recurrent;

/// <summary>
/// Keras' GRU, gates z, r, h; h_t = z h_{t-1} + (1 - z) n. reset_after: (xz, xr, xh) = x_t K + b_in and
/// (hz, hr, hh) = h_{t-1} U + b_rec, z = gate(xz + hz), r = gate(xr + hr), n = act(xh + r hh). Otherwise one bias in
/// the projection, z and r from h_{t-1} U_zr, and n = act(xh + (r h_{t-1}) U_h).
/// </summary>
internal sealed unsafe class FusedGru : FusedRecurrence<FusedGru>
{
    protected override Tensor Forward<T>(Sequence s, List<Tensor>? saved, bool keepSteps)
    {
        int batch = s.Batch, units = s.Units, time = s.Time, block = batch * units;
        bool train = saved is not null, resetAfter = s.Cell.ResetAfter;
        var dtype = s.Inputs.dtype;
        // Each step's projection becomes its z, r and n, (batch, 3 units).
        var projected = new Projection(s, resetAfter ? s.Bias?.select(0, 0) : s.Bias, 3 * units, allSteps: train);
        var hidden = train || keepSteps ? empty([time, batch, units], dtype) : zeros([batch, units], dtype);
        // reset_after: each step's h_{t-1} U + b_rec (its h slice kept for backward); otherwise each step's r h_{t-1}.
        int stateWidth = resetAfter ? 3 * units : units;
        var recurrent = empty(train ? [time, batch, stateWidth] : [batch, stateWidth], dtype);
        var recurrentBias = resetAfter && s.Bias is not null ? s.Bias.select(0, 1).contiguous() : zeros([3 * units], dtype);
        var pass = new ForwardPass<T>
        {
            ResetAfter = resetAfter, Projection = projected, Recurrent = s.Recurrent,
            RecurrentZr = s.Recurrent.narrow(1, 0, 2 * units), RecurrentH = s.Recurrent.narrow(1, 2 * units, units),
            ProjectedZr = Steps(projected.Buffer.narrow(-1, 0, 2 * units), time), ProjectedH = Steps(projected.Buffer.narrow(-1, 2 * units, units), time),
            RecurrentSteps = Steps(recurrent, time), HiddenSteps = Steps(hidden, time),
            Projected = Pointer<T>(projected.Buffer), RecurrentState = Pointer<T>(recurrent), RecurrentBias = Pointer<T>(recurrentBias),
            Hidden = Pointer<T>(hidden), Initial = hidden.dim() == 3 ? Pointer<T>(zeros([batch, units], dtype)) : Pointer<T>(hidden),
            StateWidth = stateWidth, RecurrentStride = train ? stateWidth * batch : 0, HiddenStride = hidden.dim() == 3 ? block : 0,
            Batch = batch, Units = units, Time = time,
        };
        FusedActivations.Run(ref pass, s.Cell.Activation, s.Cell.Gate);
        saved?.AddRange([projected.Buffer, recurrent]);
        return hidden;
    }

    protected override Gradients Backward<T>(Sequence s, Tensor grad, Tensor hidden, List<Tensor> saved, Needs needs)
    {
        var (projected, recurrent) = (saved[0], saved[1]);
        int units = s.Units, rows = s.Rows;
        bool resetAfter = s.Cell.ResetAfter;
        var dtype = projected.dtype;
        var dProjected = empty_like(projected);
        // reset_after: d(h_{t-1} U) per step; otherwise one rolling d(r h_{t-1}).
        var dRecurrent = resetAfter ? empty_like(projected) : zeros([s.Batch, units], dtype);
        var dHidden = zeros([s.Batch, units], dtype);
        var pass = new BackwardPass<T>
        {
            ResetAfter = resetAfter, RecurrentT = s.Recurrent.t(),
            RecurrentZrT = s.Recurrent.narrow(1, 0, 2 * units).t(), RecurrentHT = s.Recurrent.narrow(1, 2 * units, units).t(),
            DProjectedZr = Steps(dProjected.narrow(2, 0, 2 * units), s.Time), DProjectedH = Steps(dProjected.narrow(2, 2 * units, units), s.Time),
            DRecurrentSteps = Steps(dRecurrent, s.Time), DHiddenTensor = dHidden, DRecurrentTensor = dRecurrent,
            Grad = Pointer<T>(grad), Projected = Pointer<T>(projected), RecurrentState = Pointer<T>(recurrent), Hidden = Pointer<T>(hidden),
            Initial = Pointer<T>(zeros([s.Batch, units], dtype)), DProjected = Pointer<T>(dProjected), DRecurrent = Pointer<T>(dRecurrent),
            DHidden = Pointer<T>(dHidden), Batch = s.Batch, Units = units, Time = s.Time,
        };
        FusedActivations.Run(ref pass, s.Cell.Activation, s.Cell.Gate);
        var (input, kernel, bias) = ProjectionGradients(s, dProjected, needs);
        if (resetAfter)
            return new(input, kernel, needs.Recurrent ? RecurrentProduct(hidden, dRecurrent) : null,
                bias is null ? null : stack([bias, dRecurrent.view(rows, 3 * units).sum(dim: 0)]));
        // z and r saw h_{t-1} U_zr; n saw (r h_{t-1}) U_h.
        var dRecurrentKernel = needs.Recurrent
            ? cat([RecurrentProduct(hidden, dProjected.narrow(2, 0, 2 * units)),
                recurrent.view(rows, units).t().mm(dProjected.view(rows, 3 * units).narrow(1, 2 * units, units))], 1)
            : null;
        return new(input, kernel, dRecurrentKernel, bias);
    }

    private struct ForwardPass<T> : IActivationPass where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public bool ResetAfter;
        public Projection Projection;
        public Tensor Recurrent, RecurrentZr, RecurrentH;
        public Tensor[] ProjectedZr, ProjectedH, RecurrentSteps, HiddenSteps;
        public T* Projected, RecurrentState, RecurrentBias, Hidden, Initial;
        public int StateWidth, RecurrentStride, HiddenStride, Batch, Units, Time;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run<TAct, TGate>() where TAct : struct, IVectorActivation where TGate : struct, IVectorActivation
        {
            for (int t = 0; t < Time; t++)
            {
                Projection.At(t);
                T* projected = Projected + (long)t * Projection.Stride, state = RecurrentState + (long)t * RecurrentStride;
                T* hPrev = t == 0 ? Initial : Hidden + (long)(t - 1) * HiddenStride, h = Hidden + (long)t * HiddenStride;
                if (ResetAfter)
                {
                    // h_{-1} is zero, and so is its product.
                    if (t > 0)
                        RecurrentSteps[t].addmm_(HiddenSteps[t - 1], Recurrent, beta: 0);
                    else
                        new Span<T>(state, Batch * StateWidth).Clear();
                    StepAfter<TAct, TGate>(projected, state, hPrev, h);
                }
                else
                {
                    if (t > 0)
                        ProjectedZr[t].addmm_(HiddenSteps[t - 1], RecurrentZr);
                    Gates<TGate>(projected, state, hPrev);
                    if (t > 0)
                        ProjectedH[t].addmm_(RecurrentSteps[t], RecurrentH);
                    Candidate<TAct>(projected, hPrev, h);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void StepAfter<TAct, TGate>(T* x, T* q, T* hPrev, T* h)
            where TAct : struct, IVectorActivation where TGate : struct, IVectorActivation
        {
            int units = Units;
            T* bias = RecurrentBias;
            for (int b = 0; b < Batch; b++, x += 3 * units, q += 3 * units, hPrev += units, h += units)
                for (int u = 0, w; u < units; u += w)
                {
                    w = Lanes.Width<T>(u, units);
                    var z = TGate.Apply(Lanes.Load(x + u, w) + Lanes.Load(q + u, w) + Lanes.Load(bias + u, w));
                    var r = TGate.Apply(Lanes.Load(x + units + u, w) + Lanes.Load(q + units + u, w) + Lanes.Load(bias + units + u, w));
                    var hh = Lanes.Load(q + 2 * units + u, w) + Lanes.Load(bias + 2 * units + u, w);
                    var n = TAct.Apply(Lanes.Load(x + 2 * units + u, w) + r * hh);
                    Lanes.Store(x + u, z, w);
                    Lanes.Store(x + units + u, r, w);
                    Lanes.Store(x + 2 * units + u, n, w);
                    Lanes.Store(q + 2 * units + u, hh, w);
                    Lanes.Store(h + u, n + z * (Lanes.Load(hPrev + u, w) - n), w);
                }
        }

        // reset_before, before U_h: z and r, and r h_{t-1} into the step's reset state.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void Gates<TGate>(T* x, T* reset, T* hPrev) where TGate : struct, IVectorActivation
        {
            int units = Units;
            for (int b = 0; b < Batch; b++, x += 3 * units, reset += units, hPrev += units)
                for (int u = 0, w; u < units; u += w)
                {
                    w = Lanes.Width<T>(u, units);
                    var z = TGate.Apply(Lanes.Load(x + u, w));
                    var r = TGate.Apply(Lanes.Load(x + units + u, w));
                    Lanes.Store(x + u, z, w);
                    Lanes.Store(x + units + u, r, w);
                    Lanes.Store(reset + u, r * Lanes.Load(hPrev + u, w), w);
                }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void Candidate<TAct>(T* x, T* hPrev, T* h) where TAct : struct, IVectorActivation
        {
            int units = Units;
            for (int b = 0; b < Batch; b++, x += 3 * units, hPrev += units, h += units)
                for (int u = 0, w; u < units; u += w)
                {
                    w = Lanes.Width<T>(u, units);
                    var n = TAct.Apply(Lanes.Load(x + 2 * units + u, w));
                    var z = Lanes.Load(x + u, w);
                    Lanes.Store(x + 2 * units + u, n, w);
                    Lanes.Store(h + u, n + z * (Lanes.Load(hPrev + u, w) - n), w);
                }
        }
    }

    private struct BackwardPass<T> : IActivationPass where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public bool ResetAfter;
        public Tensor RecurrentT, RecurrentZrT, RecurrentHT, DHiddenTensor, DRecurrentTensor;
        public Tensor[] DProjectedZr, DProjectedH, DRecurrentSteps;
        public T* Grad, Projected, RecurrentState, Hidden, Initial, DProjected, DRecurrent, DHidden;
        public int Batch, Units, Time;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run<TAct, TGate>() where TAct : struct, IVectorActivation where TGate : struct, IVectorActivation
        {
            int block = Batch * Units;
            for (int t = Time - 1; t >= 0; t--)
            {
                T* grad = Grad + (long)t * block, x = Projected + 3L * t * block, dx = DProjected + 3L * t * block;
                T* hPrev = t == 0 ? Initial : Hidden + (long)(t - 1) * block;
                if (ResetAfter)
                {
                    StepAfter<TAct, TGate>(grad, x, RecurrentState + 3L * t * block, hPrev, dx, DRecurrent + 3L * t * block);
                    if (t > 0)
                        DHiddenTensor.addmm_(DRecurrentSteps[t], RecurrentT);
                }
                else
                {
                    Candidate<TAct, TGate>(grad, x, hPrev, dx);
                    // d(r h_{t-1}); at the first step h_{-1} = 0, so r gets no gradient.
                    if (t > 0)
                        DRecurrentTensor.addmm_(DProjectedH[t], RecurrentHT, beta: 0);
                    else
                        new Span<T>(DRecurrent, block).Clear();
                    Reset<TGate>(x, hPrev, dx);
                    if (t > 0)
                        DHiddenTensor.addmm_(DProjectedZr[t], RecurrentZrT);
                }
            }
        }

        // DHidden holds dh_t's recurrent part on entry; on exit z dh_t, the direct part of dh_{t-1}, to which the
        // caller adds the product through U.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void StepAfter<TAct, TGate>(T* grad, T* x, T* q, T* hPrev, T* dx, T* dq)
            where TAct : struct, IVectorActivation where TGate : struct, IVectorActivation
        {
            int units = Units;
            T* dHidden = DHidden;
            for (int b = 0; b < Batch; b++, grad += units, x += 3 * units, q += 3 * units, hPrev += units, dx += 3 * units, dq += 3 * units,
                 dHidden += units)
                for (int u = 0, w; u < units; u += w)
                {
                    w = Lanes.Width<T>(u, units);
                    var z = Lanes.Load(x + u, w);
                    var r = Lanes.Load(x + units + u, w);
                    var n = Lanes.Load(x + 2 * units + u, w);
                    var dh = Lanes.Load(grad + u, w) + Lanes.Load(dHidden + u, w);
                    var dz = dh * (Lanes.Load(hPrev + u, w) - n) * TGate.Slope(z);
                    var dn = dh * (Vector<T>.One - z) * TAct.Slope(n);
                    var dr = dn * Lanes.Load(q + 2 * units + u, w) * TGate.Slope(r);
                    Lanes.Store(dx + u, dz, w);
                    Lanes.Store(dx + units + u, dr, w);
                    Lanes.Store(dx + 2 * units + u, dn, w);
                    Lanes.Store(dq + u, dz, w);
                    Lanes.Store(dq + units + u, dr, w);
                    Lanes.Store(dq + 2 * units + u, dn * r, w);
                    Lanes.Store(dHidden + u, dh * z, w);
                }
        }

        // reset_before, first half: dz and dn, and z dh_t into DHidden (as in StepAfter).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void Candidate<TAct, TGate>(T* grad, T* x, T* hPrev, T* dx)
            where TAct : struct, IVectorActivation where TGate : struct, IVectorActivation
        {
            int units = Units;
            T* dHidden = DHidden;
            for (int b = 0; b < Batch; b++, grad += units, x += 3 * units, hPrev += units, dx += 3 * units, dHidden += units)
                for (int u = 0, w; u < units; u += w)
                {
                    w = Lanes.Width<T>(u, units);
                    var z = Lanes.Load(x + u, w);
                    var n = Lanes.Load(x + 2 * units + u, w);
                    var dh = Lanes.Load(grad + u, w) + Lanes.Load(dHidden + u, w);
                    Lanes.Store(dx + u, dh * (Lanes.Load(hPrev + u, w) - n) * TGate.Slope(z), w);
                    Lanes.Store(dx + 2 * units + u, dh * (Vector<T>.One - z) * TAct.Slope(n), w);
                    Lanes.Store(dHidden + u, dh * z, w);
                }
        }

        // reset_before, second half: from d(r h_{t-1}), dr, and r d(r h_{t-1}) into DHidden.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void Reset<TGate>(T* x, T* hPrev, T* dx) where TGate : struct, IVectorActivation
        {
            int units = Units;
            T* dReset = DRecurrent, dHidden = DHidden;
            for (int b = 0; b < Batch; b++, x += 3 * units, hPrev += units, dx += 3 * units, dReset += units, dHidden += units)
                for (int u = 0, w; u < units; u += w)
                {
                    w = Lanes.Width<T>(u, units);
                    var r = Lanes.Load(x + units + u, w);
                    var d = Lanes.Load(dReset + u, w);
                    Lanes.Store(dx + units + u, d * Lanes.Load(hPrev + u, w) * TGate.Slope(r), w);
                    Lanes.Store(dHidden + u, Lanes.Load(dHidden + u, w) + d * r, w);
                }
        }
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using static ModelDsl.Runtime.Layers.Recurrent.Buffers;
using static ModelDsl.Runtime.TensorMemory;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Layers.Recurrent;

/// <summary>
/// Keras' LSTM, gates i, f, c, o: g = x_t K + h_{t-1} U + b; c_t = f c_{t-1} + i act(g_c); h_t = o act(c_t),
/// with f, i, o the gate activation of their slices.
/// <para>
/// tanh LSTMs run here too, not in libtorch's LSTM: measured at the reference size (two layers of 128 units over 28
/// steps of 28 then 128 features, batch 32, dense 10 and log-softmax NLL; one thread on the project's 2-core VM),
/// a forward+backward step took 17.6-20.8 ms here against 17.5-21.3 ms for torch.lstm on these Keras-layout weights
/// (through TorchScript; means of 600 steps, the two alternating in one process, 5 runs) and about 17 ms for
/// nn.LSTM modules on weights of their own layout: a tie, the products (~1.1 GFLOP a step) bound both. A no-grad
/// forward of a 1000-sample batch took 160-196 ms and peaked at 188 MB RSS here, against 184-209 ms and 236-251 MB
/// for torch.lstm, and 190-210 ms and 215-229 MB for nn.LSTM.
/// </para>
/// </summary>
internal sealed unsafe class FusedLstm : FusedRecurrence<FusedLstm>
{
    protected override Tensor Forward<T>(Sequence s, List<Tensor>? saved, bool keepSteps)
    {
        int batch = s.Batch, units = s.Units, time = s.Time, block = batch * units;
        bool train = saved is not null;
        var dtype = s.Inputs.dtype;
        // Each step's projection becomes its activated gates, (batch, 4 units).
        var gates = new Projection(s, s.Bias, 4 * units, allSteps: train);
        // Training keeps every c after a zero c_{-1}, and act(c); inference one rolling c (and a scratch act(c)).
        var cells = empty(train ? [time + 1, batch, units] : [batch, units], dtype);
        var active = empty(train ? [time, batch, units] : [batch, units], dtype);
        var hidden = empty(train || keepSteps ? [time, batch, units] : [batch, units], dtype);
        new Span<T>(Pointer<T>(cells), block).Clear();
        var pass = new ForwardPass<T>
        {
            Projection = gates, HiddenSteps = Steps(hidden, time), Recurrent = s.Recurrent,
            Gates = Pointer<T>(gates.Buffer), Cells = Pointer<T>(cells), Active = Pointer<T>(active),
            Hidden = Pointer<T>(hidden), StateStride = train ? block : 0, HiddenStride = hidden.dim() == 3 ? block : 0,
            Batch = batch, Units = units, Time = time,
        };
        FusedActivations.Run(ref pass, s.Cell.Activation, s.Cell.Gate);
        saved?.AddRange([gates.Buffer, cells, active]);
        return hidden;
    }

    protected override Gradients Backward<T>(Sequence s, Tensor grad, Tensor hidden, List<Tensor> saved, Needs needs)
    {
        var (gates, cells, active) = (saved[0], saved[1], saved[2]);
        var dGates = empty_like(gates);
        var dHidden = zeros([s.Batch, s.Units], gates.dtype);
        var dCell = zeros([s.Batch, s.Units], gates.dtype);
        var pass = new BackwardPass<T>
        {
            DGateSteps = Steps(dGates, s.Time), RecurrentT = s.Recurrent.t(), DHiddenTensor = dHidden,
            Grad = Pointer<T>(grad), Gates = Pointer<T>(gates), Cells = Pointer<T>(cells), Active = Pointer<T>(active),
            DGates = Pointer<T>(dGates), DHidden = Pointer<T>(dHidden), DCell = Pointer<T>(dCell),
            Batch = s.Batch, Units = s.Units, Time = s.Time,
        };
        FusedActivations.Run(ref pass, s.Cell.Activation, s.Cell.Gate);
        var (input, kernel, bias) = ProjectionGradients(s, dGates, needs);
        return new(input, kernel, needs.Recurrent ? RecurrentProduct(hidden, dGates) : null, bias);
    }

    private struct ForwardPass<T> : IActivationPass where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public Projection Projection;
        public Tensor[] HiddenSteps;
        public Tensor Recurrent;
        public T* Gates, Cells, Active, Hidden;
        // c (after the zero c_{-1}) and act(c): every step's when training, else one rolling block (stride 0).
        public int StateStride, HiddenStride, Batch, Units, Time;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run<TAct, TGate>() where TAct : struct, IVectorActivation where TGate : struct, IVectorActivation
        {
            for (int t = 0; t < Time; t++)
            {
                Projection.At(t);
                // h_{-1} is zero: no recurrent product at the first step.
                if (t > 0)
                    Projection.Steps[t].addmm_(HiddenSteps[t - 1], Recurrent);
                // A rolling c is read and overwritten in place, element by element.
                T* cPrev = Cells + (long)t * StateStride;
                Step<TAct, TGate>(Gates + (long)t * Projection.Stride, cPrev, cPrev + StateStride, Active + (long)t * StateStride,
                    Hidden + (long)t * HiddenStride);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void Step<TAct, TGate>(T* gates, T* cPrev, T* cells, T* active, T* hidden)
            where TAct : struct, IVectorActivation where TGate : struct, IVectorActivation
        {
            int units = Units;
            for (int b = 0; b < Batch; b++, gates += 4 * units, cPrev += units, cells += units, active += units, hidden += units)
                for (int u = 0, w; u < units; u += w)
                {
                    w = Lanes.Width<T>(u, units);
                    var i = TGate.Apply(Lanes.Load(gates + u, w));
                    var f = TGate.Apply(Lanes.Load(gates + units + u, w));
                    var z = TAct.Apply(Lanes.Load(gates + 2 * units + u, w));
                    var o = TGate.Apply(Lanes.Load(gates + 3 * units + u, w));
                    var c = f * Lanes.Load(cPrev + u, w) + i * z;
                    var y = TAct.Apply(c);
                    Lanes.Store(gates + u, i, w);
                    Lanes.Store(gates + units + u, f, w);
                    Lanes.Store(gates + 2 * units + u, z, w);
                    Lanes.Store(gates + 3 * units + u, o, w);
                    Lanes.Store(cells + u, c, w);
                    Lanes.Store(active + u, y, w);
                    Lanes.Store(hidden + u, o * y, w);
                }
        }
    }

    private struct BackwardPass<T> : IActivationPass where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public Tensor[] DGateSteps;
        public Tensor RecurrentT, DHiddenTensor;
        public T* Grad, Gates, Cells, Active, DGates, DHidden, DCell;
        public int Batch, Units, Time;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Run<TAct, TGate>() where TAct : struct, IVectorActivation where TGate : struct, IVectorActivation
        {
            int block = Batch * Units;
            for (int t = Time - 1; t >= 0; t--)
            {
                // Cells holds c_{t-1} at slot t (slot 0 is the zero initial state).
                Step<TAct, TGate>(Grad + (long)t * block, Gates + 4L * t * block, Cells + (long)t * block, Active + (long)t * block,
                    DGates + 4L * t * block);
                // dh_{t-1} from the recurrence; the step's own output gradient is added in the next pass.
                if (t > 0)
                    DHiddenTensor.addmm_(DGateSteps[t], RecurrentT, beta: 0);
            }
        }

        // DCell holds dL/dc_t on entry and dL/dc_{t-1} on exit.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void Step<TAct, TGate>(T* grad, T* gates, T* cPrev, T* active, T* dGates)
            where TAct : struct, IVectorActivation where TGate : struct, IVectorActivation
        {
            int units = Units;
            T* dHidden = DHidden, dCell = DCell;
            for (int b = 0; b < Batch; b++, grad += units, gates += 4 * units, cPrev += units, active += units, dGates += 4 * units,
                 dHidden += units, dCell += units)
                for (int u = 0, w; u < units; u += w)
                {
                    w = Lanes.Width<T>(u, units);
                    var i = Lanes.Load(gates + u, w);
                    var f = Lanes.Load(gates + units + u, w);
                    var z = Lanes.Load(gates + 2 * units + u, w);
                    var o = Lanes.Load(gates + 3 * units + u, w);
                    var y = Lanes.Load(active + u, w);
                    var dh = Lanes.Load(grad + u, w) + Lanes.Load(dHidden + u, w);
                    var dc = Lanes.Load(dCell + u, w) + dh * o * TAct.Slope(y);
                    Lanes.Store(dGates + u, dc * z * TGate.Slope(i), w);
                    Lanes.Store(dGates + units + u, dc * Lanes.Load(cPrev + u, w) * TGate.Slope(f), w);
                    Lanes.Store(dGates + 2 * units + u, dc * i * TAct.Slope(z), w);
                    Lanes.Store(dGates + 3 * units + u, dh * y * TGate.Slope(o), w);
                    Lanes.Store(dCell + u, dc * f, w);
                }
        }
    }
}

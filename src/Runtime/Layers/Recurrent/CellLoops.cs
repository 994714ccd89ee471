using static TorchSharp.torch;

namespace ModelDsl.Runtime.Layers.Recurrent;

/// <summary>
/// The recurrent layers as plain TorchSharp ops that autograd differentiates: one input projection for every step,
/// then a loop over the steps. Any device, dtype and activation; the fused kernels' reference. With Keras' dropout
/// masks (see <see cref="RecurrentKernels"/>), each gate projects its own masked input, and multiplies its own
/// masked state by its slice of the recurrent kernel; the state itself (c, and the h a GRU mixes in) is not masked.
/// </summary>
internal static class CellLoops
{
    public static Tensor Lstm(Tensor input, Tensor kernel, Tensor recurrent, Tensor? bias, Activation activation, Activation gate, bool returnSequences,
        Tensor? inputMasks = null, Tensor? recurrentMasks = null) =>
        Loop(input, kernel, bias, inputMasks, returnSequences, (x, state) =>
        {
            // h and c start at zero: no recurrent product and no forget term at the first step.
            var g = (state is null ? x : Recurrence(x, state[0], recurrent, recurrentMasks, 0, 4)).chunk(4, 1);
            var ig = gate.Apply(g[0]) * activation.Apply(g[2]);
            var c = state is null ? ig : gate.Apply(g[1]) * state[1] + ig;
            return [gate.Apply(g[3]) * activation.Apply(c), c];
        });

    public static Tensor Gru(Tensor input, Tensor kernel, Tensor recurrent, Tensor? bias, Activation activation, Activation gate, bool resetAfter,
        bool returnSequences, Tensor? inputMasks = null, Tensor? recurrentMasks = null)
    {
        long units = recurrent.shape[0];
        using var scope = NewDisposeScope();
        var inputBias = resetAfter ? bias?.select(0, 0) : bias;
        var recurrentBias = resetAfter ? bias?.select(0, 1) : null;
        var output = Loop(input, kernel, inputBias, inputMasks, returnSequences, (x, state) =>
        {
            var h = state?[0] ?? zeros([x.shape[0], units], x.dtype, x.device);
            var xg = x.chunk(3, 1);
            Tensor z, n;
            if (resetAfter)
            {
                var hg = Recurrence(recurrentBias, h, recurrent, recurrentMasks, 0, 3).chunk(3, 1);
                z = gate.Apply(xg[0] + hg[0]);
                n = activation.Apply(xg[2] + gate.Apply(xg[1] + hg[1]) * hg[2]);
            }
            else
            {
                var hg = Recurrence(null, h, recurrent, recurrentMasks, 0, 2).chunk(2, 1);
                z = gate.Apply(xg[0] + hg[0]);
                // (r h) masked by the h gate's mask: r (h m_h), as Keras computes it.
                n = activation.Apply(Recurrence(xg[2], gate.Apply(xg[1] + hg[1]) * h, recurrent, recurrentMasks, 2, 1));
            }
            return [n + z * (h - n)];
        });
        return output.MoveToOuterDisposeScope();
    }

    public static Tensor SimpleRnn(Tensor input, Tensor kernel, Tensor recurrent, Tensor? bias, Activation activation, bool returnSequences,
        Tensor? inputMasks = null, Tensor? recurrentMasks = null) =>
        Loop(input, kernel, bias, inputMasks, returnSequences,
            (x, state) => [activation.Apply(state is null ? x : Recurrence(x, state[0], recurrent, recurrentMasks, 0, 1))]);

    /// <summary>
    /// <paramref name="addend"/> (null: none) + h U over the <paramref name="count"/> gates from <paramref name="first"/>:
    /// one product, or with recurrent masks each gate's (h m_g) U_g.
    /// </summary>
    private static Tensor Recurrence(Tensor? addend, Tensor h, Tensor recurrent, Tensor? masks, int first, int count)
    {
        long units = recurrent.shape[0];
        if (masks is null)
        {
            var slice = recurrent.narrow(1, first * units, count * units);
            return addend is null ? h.mm(slice) : addend.addmm(h, slice);
        }
        var product = cat(Enumerable.Range(first, count).Select(g => (h * masks[g]).mm(recurrent.narrow(1, g * units, units))).ToArray(), 1);
        return addend is null ? product : addend + product;
    }

    /// <summary>
    /// x K + b for every step, (batch, time, gates units): one product, or with input masks (one per gate) each gate's
    /// (x m_g) K_g, the mask the same at every step.
    /// </summary>
    private static Tensor Projection(Tensor input, Tensor kernel, Tensor? bias, Tensor? masks)
    {
        long batch = input.shape[0], time = input.shape[1], features = input.shape[2];
        if (masks is null)
        {
            var flat = input.reshape(batch * time, features);
            return (bias is null ? flat.mm(kernel) : bias.addmm(flat, kernel)).view(batch, time, -1);
        }
        long count = masks.shape[0], width = kernel.shape[1] / count;
        var projected = cat(Enumerable.Range(0, (int)count)
            .Select(g => (input * masks[g].unsqueeze(1)).reshape(batch * time, features).mm(kernel.narrow(1, g * width, width))).ToArray(), 1);
        return (bias is null ? projected : projected + bias).view(batch, time, -1);
    }

    /// <summary>
    /// Runs <paramref name="cell"/> over the steps of x K + b: it maps a step's projection and the state (null before
    /// the first step: zero) to the next state, h first. Each step's temporaries are freed as it ends, each state as
    /// the next replaces it.
    /// </summary>
    private static Tensor Loop(Tensor input, Tensor kernel, Tensor? bias, Tensor? inputMasks, bool returnSequences, Func<Tensor, Tensor[]?, Tensor[]> cell)
    {
        using var scope = NewDisposeScope();
        // Unbound once: slicing x[:, t] per step would make each slice's backward write a full-size zero gradient.
        var steps = Projection(input, kernel, bias, inputMasks).unbind(1);
        var outputs = new List<Tensor>();
        Tensor[]? state = null;
        foreach (var x in steps)
        {
            Tensor[] next;
            using (var step = NewDisposeScope())
            {
                next = cell(x, state);
                step.MoveToOuter(next);
            }
            // A sequence keeps every h; everything else of the old state goes now.
            foreach (var old in state?.Skip(returnSequences ? 1 : 0) ?? [])
                old.Dispose();
            state = next;
            if (returnSequences)
                outputs.Add(next[0]);
        }
        return (returnSequences ? stack(outputs, 1) : state![0]).MoveToOuterDisposeScope();
    }
}

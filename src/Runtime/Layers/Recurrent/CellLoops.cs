using static TorchSharp.torch;

namespace ModelDsl.Runtime.Layers.Recurrent;

/// <summary>
/// The recurrent layers as plain TorchSharp ops that autograd differentiates: one input projection for every step,
/// then a loop over the steps. Any device, dtype and activation; the fused kernels' reference.
/// </summary>
internal static class CellLoops
{
    public static Tensor Lstm(Tensor input, Tensor kernel, Tensor recurrent, Tensor? bias, Activation activation, Activation gate, bool returnSequences) =>
        Loop(input, kernel, bias, returnSequences, (x, state) =>
        {
            // h and c start at zero: no recurrent product and no forget term at the first step.
            var g = (state is null ? x : x.addmm(state[0], recurrent)).chunk(4, 1);
            var ig = gate.Apply(g[0]) * activation.Apply(g[2]);
            var c = state is null ? ig : gate.Apply(g[1]) * state[1] + ig;
            return [gate.Apply(g[3]) * activation.Apply(c), c];
        });

    public static Tensor Gru(Tensor input, Tensor kernel, Tensor recurrent, Tensor? bias, Activation activation, Activation gate, bool resetAfter,
        bool returnSequences)
    {
        long units = recurrent.shape[0];
        using var scope = NewDisposeScope();
        var inputBias = resetAfter ? bias?.select(0, 0) : bias;
        var recurrentBias = resetAfter ? bias?.select(0, 1) : null;
        var output = Loop(input, kernel, inputBias, returnSequences, (x, state) =>
        {
            var h = state?[0] ?? zeros([x.shape[0], units], x.dtype, x.device);
            var xg = x.chunk(3, 1);
            Tensor z, n;
            if (resetAfter)
            {
                var hg = (recurrentBias is null ? h.mm(recurrent) : recurrentBias.addmm(h, recurrent)).chunk(3, 1);
                z = gate.Apply(xg[0] + hg[0]);
                n = activation.Apply(xg[2] + gate.Apply(xg[1] + hg[1]) * hg[2]);
            }
            else
            {
                var hg = h.mm(recurrent.narrow(1, 0, 2 * units)).chunk(2, 1);
                z = gate.Apply(xg[0] + hg[0]);
                n = activation.Apply(xg[2].addmm(gate.Apply(xg[1] + hg[1]) * h, recurrent.narrow(1, 2 * units, units)));
            }
            return [n + z * (h - n)];
        });
        return output.MoveToOuterDisposeScope();
    }

    public static Tensor SimpleRnn(Tensor input, Tensor kernel, Tensor recurrent, Tensor? bias, Activation activation, bool returnSequences) =>
        Loop(input, kernel, bias, returnSequences, (x, state) => [activation.Apply(state is null ? x : x.addmm(state[0], recurrent))]);

    /// <summary>
    /// Runs <paramref name="cell"/> over the steps of x K + b: it maps a step's projection and the state (null before
    /// the first step: zero) to the next state, h first. Each step's temporaries are freed as it ends, each state as
    /// the next replaces it.
    /// </summary>
    private static Tensor Loop(Tensor input, Tensor kernel, Tensor? bias, bool returnSequences, Func<Tensor, Tensor[]?, Tensor[]> cell)
    {
        using var scope = NewDisposeScope();
        long batch = input.shape[0], time = input.shape[1];
        var flat = input.reshape(batch * time, input.shape[2]);
        // Unbound once: slicing x[:, t] per step would make each slice's backward write a full-size zero gradient.
        var steps = (bias is null ? flat.mm(kernel) : bias.addmm(flat, kernel)).view(batch, time, -1).unbind(1);
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

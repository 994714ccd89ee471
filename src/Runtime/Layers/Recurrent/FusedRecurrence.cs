using System.Numerics;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Layers.Recurrent;

/// <summary>A fused kernel's cell; it rides with the autograd node to its backward.</summary>
internal sealed record RecurrentCell(Activation Activation, Activation Gate, bool ResetAfter);

/// <summary>One call's operands: the input time-major and flattened, and the sizes.</summary>
internal readonly record struct Sequence(Tensor Inputs, Tensor Kernel, Tensor Recurrent, Tensor? Bias, RecurrentCell Cell, int Batch, int Time, int Units)
{
    public int Rows => Batch * Time;
}

/// <summary>
/// A recurrent layer over the whole sequence as one autograd node: the forward keeps what its hand-written
/// backpropagation through time needs, in buffers allocated once per call. Products run in libtorch (one for every
/// step's input projection, one per step for the recurrence; in backward the weight gradients over all steps);
/// each step's element-wise work is one C# pass over the buffers' memory.
/// Buffers are time-major: each step's (batch, width) block is contiguous, a product's operand without a copy.
/// The passes are compiled fully optimised from the first call ([MethodImpl(AggressiveOptimization)]): tiered
/// compilation would otherwise run a training's first steps in unoptimised code.
/// </summary>
internal abstract class FusedRecurrence<TSelf> : autograd.SingleTensorFunction<TSelf> where TSelf : FusedRecurrence<TSelf>, new()
{
    // TorchSharp's own instance is internal to it; the kernels keep no state, so one of ours serves every call.
    private static readonly TSelf Shared = new();

    public override string Name => typeof(TSelf).Name;

    /// <summary>Keras' output: (batch, time, units) with <paramref name="returnSequences"/>, else the last step.</summary>
    public static Tensor Run(Tensor input, Tensor kernel, Tensor recurrent, Tensor? bias, RecurrentCell cell, bool returnSequences)
    {
        if (is_grad_enabled() && (input.requires_grad || kernel.requires_grad || recurrent.requires_grad || bias?.requires_grad == true))
        {
            // The node's output is every step's h, time-major (time, batch, units); the view that selects from it is
            // an ordinary autograd op.
            var hidden = apply(input, kernel, recurrent, bias, cell);
            return returnSequences ? hidden.transpose(0, 1) : hidden.select(0, hidden.shape[0] - 1);
        }
        // Inference: no node, nothing kept per step that the output does not need; every buffer but the output is
        // freed on return.
        using var scope = NewDisposeScope();
        var output = Shared.Dispatch(input, kernel, recurrent, bias, cell, saved: null, keepSteps: returnSequences);
        return (returnSequences ? output.transpose(0, 1) : output).MoveToOuterDisposeScope();
    }

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (input, kernel, recurrent, bias, cell) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], vars[3] as Tensor, (RecurrentCell)vars[4]);
        using var scope = NewDisposeScope();
        var saved = new List<Tensor>();
        var hidden = Dispatch(input, kernel, recurrent, bias, cell, saved, keepSteps: true);
        // TorchSharp commits the saved tensors after forward returns, and wraps the output then: both leave this scope.
        scope.MoveToOuter(saved);
        hidden.MoveToOuterDisposeScope();
        ctx.save_for_backward([kernel, recurrent, hidden, .. saved]);
        ctx.save_data(nameof(RecurrentCell), cell);
        ctx.save_data(nameof(Needs), new Needs(input.requires_grad, kernel.requires_grad, recurrent.requires_grad, bias?.requires_grad == true));
        return hidden;
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad)
    {
        using var scope = NewDisposeScope();
        var saved = ctx.get_saved_variables();
        var cell = (RecurrentCell)ctx.get_data(nameof(RecurrentCell));
        var needs = (Needs)ctx.get_data(nameof(Needs));
        // Saved: kernel, recurrent kernel, hidden, the flattened input, then the kernel's own buffers.
        var hidden = saved[2];
        var s = new Sequence(saved[3], saved[0], saved[1], null, cell, (int)hidden.shape[1], (int)hidden.shape[0], (int)hidden.shape[2]);
        var buffers = saved.GetRange(4, saved.Count - 4);
        var grads = s.Inputs.dtype == ScalarType.Float32
            ? Backward<float>(s, grad.contiguous(), hidden, buffers, needs)
            : Backward<double>(s, grad.contiguous(), hidden, buffers, needs);
        foreach (var g in new[] { grads.Input, grads.Kernel, grads.Recurrent, grads.Bias })
            g?.MoveToOuterDisposeScope();
        // One gradient per argument of apply (input, kernel, recurrent kernel, bias, cell); null is none.
        return [grads.Input!, grads.Kernel!, grads.Recurrent!, grads.Bias!, null!];
    }

    private Tensor Dispatch(Tensor input, Tensor kernel, Tensor recurrent, Tensor? bias, RecurrentCell cell, List<Tensor>? saved, bool keepSteps)
    {
        var (batch, time) = ((int)input.shape[0], (int)input.shape[1]);
        // Time-major rows: a free view when the input is a previous recurrent layer's sequence output.
        var inputs = input.transpose(0, 1).reshape(time * batch, input.shape[2]);
        saved?.Add(inputs);
        var s = new Sequence(inputs, kernel, recurrent, bias, cell, batch, time, (int)recurrent.shape[0]);
        return input.dtype == ScalarType.Float32 ? Forward<float>(s, saved, keepSteps) : Forward<double>(s, saved, keepSteps);
    }

    /// <summary>
    /// Every step's h (time, batch, units), or with neither <paramref name="saved"/> nor <paramref name="keepSteps"/>
    /// the last (batch, units). With <paramref name="saved"/>, appends the buffers <see cref="Backward"/> reads.
    /// </summary>
    protected abstract Tensor Forward<T>(Sequence s, List<Tensor>? saved, bool keepSteps) where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary>
    /// The gradients <paramref name="needs"/> asks for, from <paramref name="grad"/> (time, batch, units), contiguous,
    /// given the forward's output and buffers.
    /// </summary>
    protected abstract Gradients Backward<T>(Sequence s, Tensor grad, Tensor hidden, List<Tensor> saved, Needs needs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    protected readonly record struct Needs(bool Input, bool Kernel, bool Recurrent, bool Bias);

    protected readonly record struct Gradients(Tensor? Input, Tensor? Kernel, Tensor? Recurrent, Tensor? Bias);

    /// <summary>
    /// The gradients every kernel shares, from d (time, batch, width), the loss's gradient w.r.t. the step
    /// pre-activations that the projection x K + b feeds: dK = x^T d, db = column sums, dx = d K^T.
    /// </summary>
    protected static (Tensor? Input, Tensor? Kernel, Tensor? Bias) ProjectionGradients(Sequence s, Tensor d, Needs needs)
    {
        var flat = d.view(s.Rows, d.shape[2]);
        var input = needs.Input ? flat.mm(s.Kernel.t()).view(s.Time, s.Batch, s.Inputs.shape[1]).transpose(0, 1) : null;
        return (input, needs.Kernel ? s.Inputs.t().mm(flat) : null, needs.Bias ? flat.sum(dim: 0) : null);
    }

    /// <summary>Σ_t h_{t-1}^T d_t over steps 1..T-1 (h_{-1} is zero): the recurrent kernel's gradient as one product.</summary>
    protected static Tensor RecurrentProduct(Tensor hidden, Tensor d)
    {
        long time = hidden.shape[0], batch = hidden.shape[1], units = hidden.shape[2], width = d.shape[^1];
        return time == 1
            ? zeros(units, width, hidden.dtype)
            : hidden.narrow(0, 0, time - 1).reshape((time - 1) * batch, units).t().mm(d.narrow(0, 1, time - 1).reshape((time - 1) * batch, width));
    }
}

/// <summary>
/// Every step's input projection x_t K + b, in a buffer of its own (never a view: the SimpleRNN node returns it).
/// Training projects all steps at once, into the (time, batch, width) buffer backward keeps; inference projects
/// step by step (<see cref="At"/>) into one rolling (batch, width) buffer, which keeps memory flat and in cache at
/// any batch size (all steps of a 1000-sample validation batch would be 57 MB of fresh, page-faulting memory per LSTM
/// layer, every batch).
/// </summary>
internal readonly struct Projection
{
    private readonly Tensor[]? inputs;
    private readonly Tensor kernel;
    private readonly Tensor? bias;

    public Projection(Sequence s, Tensor? bias, int width, bool allSteps)
    {
        (kernel, this.bias) = (s.Kernel, bias);
        Buffer = empty(allSteps ? [s.Time, s.Batch, width] : [s.Batch, width], s.Inputs.dtype);
        if (allSteps)
            Fill(Buffer.view(s.Rows, width), s.Inputs);
        else
            inputs = s.Inputs.view(s.Time, s.Batch, s.Inputs.shape[1]).unbind(0);
        Steps = Buffers.Steps(Buffer, s.Time);
        Stride = allSteps ? s.Batch * width : 0;
    }

    /// <summary>(time, batch, width), or the rolling (batch, width).</summary>
    public Tensor Buffer { get; }

    /// <summary>Each step's (batch, width) view of <see cref="Buffer"/>.</summary>
    public Tensor[] Steps { get; }

    /// <summary>Elements from one step's block to the next: 0 for the rolling buffer.</summary>
    public int Stride { get; }

    /// <summary>Makes step <paramref name="t"/>'s projection ready in its view (projected at once, it already is).</summary>
    public void At(int t)
    {
        if (inputs is not null)
            Fill(Buffer, inputs[t]);
    }

    private void Fill(Tensor into, Tensor rows)
    {
        if (bias is null)
        {
            into.addmm_(rows, kernel, beta: 0);
            return;
        }
        into.copy_(bias);
        into.addmm_(rows, kernel);
    }
}

internal static class Buffers
{
    /// <summary>A buffer's per-step (batch, width) views, for the products; a rolling buffer is its own view at every step.</summary>
    public static Tensor[] Steps(Tensor buffer, int time) => buffer.dim() == 3 ? buffer.unbind(0) : Enumerable.Repeat(buffer, time).ToArray();
}

/// <summary>
/// Vector loads and stores along a row: full vectors, then one lane at a time for the tail (a broadcast vector whose
/// first lane is kept), so every pass is written once, for vectors.
/// </summary>
internal static unsafe class Lanes
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Width<T>(int offset, int length) => length - offset >= Vector<T>.Count ? Vector<T>.Count : 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Load<T>(T* p, int width) where T : unmanaged => width == 1 ? new Vector<T>(*p) : Vector.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<T>(T* p, Vector<T> value, int width) where T : unmanaged
    {
        if (width == 1)
            *p = value[0];
        else
            value.Store(p);
    }
}

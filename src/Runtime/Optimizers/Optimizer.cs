using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Optimizers;

/// <summary>One slot tensor of an optimizer's state ("m/3": the first moment of parameter 3), flattened.</summary>
public sealed record OptimizerSlot(string Name, long[] Shape, float[] Values);

/// <summary>Everything an optimizer needs to continue exactly where it stopped (checkpoints).</summary>
public sealed record OptimizerState(string Optimizer, long Iterations, IReadOnlyList<OptimizerSlot> Slots);

/// <summary>
/// A Keras optimizer over a fixed list of parameters (the one the first <see cref="Step"/> sees). The learning rate
/// follows legacy Keras' <c>decay</c>: lr / (1 + decay * iterations), recomputed every step. The gradients are first
/// clipped as Keras 3 does (<see cref="Clipnorm"/>, <see cref="Clipvalue"/> or <see cref="GlobalClipnorm"/>, at most
/// one), then the update applies. The state is one set of slot tensors per parameter (like it, on its device), owned by
/// the optimizer. The parameters are updated in place and keep their identity, so TorchSharp's own optimizers can train
/// the same parameters instead.
/// </summary>
public abstract class Optimizer : IDisposable
{
    // _slots[i][s]: slot SlotNames[s] of parameter i; null until the first step (or an import) fixes the parameters.
    private Tensor[][]? _slots;
    private bool _disposed;

    /// <param name="learningRate">Keras' <c>learning_rate</c>.</param>
    /// <param name="decay">Legacy Keras' <c>decay</c> of the rate per step.</param>
    /// <param name="clipnorm">Keras' <c>clipnorm</c>: each gradient scaled to an L2 norm of at most this.</param>
    /// <param name="clipvalue">Keras' <c>clipvalue</c>: each gradient element clipped to [-clipvalue, clipvalue].</param>
    /// <param name="globalClipnorm">Keras' <c>global_clipnorm</c>: all gradients scaled together to a joint L2 norm of at most this.</param>
    protected Optimizer(double learningRate, double decay, double? clipnorm = null, double? clipvalue = null, double? globalClipnorm = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(learningRate);
        ArgumentOutOfRangeException.ThrowIfNegative(decay);
        LearningRate = learningRate;
        Decay = decay;
        Clipping = new GradientClipping(clipnorm, clipvalue, globalClipnorm);
    }

    /// <summary>Keras' name ("adam").</summary>
    public abstract string Name { get; }

    /// <summary>The base learning rate (callbacks such as ReduceLROnPlateau change it).</summary>
    public double LearningRate { get; set; }

    /// <summary>Legacy Keras' <c>decay</c>.</summary>
    public double Decay { get; }

    /// <summary>Keras' <c>clipnorm</c> (per gradient), or null.</summary>
    public double? Clipnorm => Clipping.Clipnorm;

    /// <summary>Keras' <c>clipvalue</c> (per element), or null.</summary>
    public double? Clipvalue => Clipping.Clipvalue;

    /// <summary>Keras' <c>global_clipnorm</c> (over all gradients of a step), or null.</summary>
    public double? GlobalClipnorm => Clipping.GlobalClipnorm;

    private GradientClipping Clipping { get; }

    /// <summary>Steps taken (Keras' <c>optimizer.iterations</c>).</summary>
    public long Iterations { get; private set; }

    /// <summary>The rate the next step uses: lr / (1 + decay * iterations).</summary>
    public double CurrentLearningRate => LearningRate / (1 + Decay * Iterations);

    /// <summary>
    /// Whether float32 contiguous CPU parameters are updated in one pass over their raw memory (default), instead of
    /// one libtorch op per term, which costs a dispatch each and several passes. Off, the results are the same to
    /// rounding: for comparisons and tests. Other parameters (CUDA, float64, non-contiguous) always take the ops.
    /// </summary>
    public bool FusedCpuKernels { get; set; } = true;

    /// <summary>The state tensors kept per parameter, in order ("m", "v").</summary>
    protected abstract IReadOnlyList<string> SlotNames { get; }

    /// <summary>What slot <paramref name="slot"/> starts at, everywhere (Adagrad's accumulator starts above zero).</summary>
    private protected virtual double InitialSlotValue(int slot) => 0;

    /// <summary>
    /// Applies one update from the parameters' gradients, clipped first where clipping is set (the parameters' own
    /// gradients stay as they are); parameters without a gradient stay.
    /// </summary>
    public void Step(IReadOnlyList<Parameter> parameters)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var slots = EnsureSlots(parameters);
        var learningRate = CurrentLearningRate;
        var step = Iterations + 1;
        // Each read of grad is a new handle on the same gradient: all are released below, whatever scope is open.
        var gradients = new Tensor?[parameters.Count];
        try
        {
            using (no_grad())
            {
                for (var i = 0; i < parameters.Count; i++)
                    gradients[i] = parameters[i].grad;
                Clipping.Apply(gradients);
                for (var i = 0; i < parameters.Count; i++)
                {
                    if (gradients[i] is not { } gradient)
                        continue;
                    if (FusedCpuKernels && Fusable(parameters[i], gradient, slots[i]))
                        UpdateFused(parameters[i], gradient, slots[i], learningRate, step);
                    else
                        UpdateWithOps(parameters[i], gradient, slots[i], learningRate, step);
                }
            }
        }
        finally
        {
            foreach (var gradient in gradients)
                gradient?.Dispose();
        }
        Iterations++;
    }

    /// <summary>
    /// The update in one pass over the float32 memory (<see cref="TensorMemory.Pointer{T}"/>) of the parameter, its
    /// gradient and its slots, all of one size; <paramref name="step"/> = iterations + 1 and the rate is already decayed.
    /// </summary>
    private protected abstract void UpdateFused(Tensor parameter, Tensor gradient, Tensor[] slots, double learningRate, long step);

    /// <summary>The same update in in-place libtorch ops (autograd is off), for any device and dtype.</summary>
    private protected abstract void UpdateWithOps(Tensor parameter, Tensor gradient, Tensor[] slots, double learningRate, long step);

    // The fused kernels index every tensor with the parameter's offsets, so all must be dense float32 host memory of
    // the parameter's size (a slot list set up for other shapes would otherwise be written out of bounds).
    // Tensor.bytes, which yields the memory, is a span: at most int.MaxValue bytes.
    private static bool Fusable(Tensor parameter, Tensor gradient, Tensor[] slots)
    {
        var count = parameter.numel();
        if (count > int.MaxValue / sizeof(float) || !IsDenseCpuFloat(parameter, count) || !IsDenseCpuFloat(gradient, count))
            return false;
        foreach (var slot in slots)
        {
            if (!IsDenseCpuFloat(slot, count))
                return false;
        }
        return true;
    }

    private static bool IsDenseCpuFloat(Tensor tensor, long count) =>
        tensor.device_type == DeviceType.CPU && tensor.dtype == ScalarType.Float32 && tensor.is_contiguous() && tensor.numel() == count;

    /// <summary>Drops the parameters' gradients (the next backward writes them anew).</summary>
    public void ZeroGrad(IReadOnlyList<Parameter> parameters) => ClearGradients(parameters);

    /// <summary>
    /// Sets the gradients to none, as PyTorch's and TorchSharp's zero_grad do by default: the next backward then
    /// takes its gradient buffers as they come instead of adding them to zeroed ones (no pass over the memory).
    /// </summary>
    public static void ClearGradients(IReadOnlyList<Parameter> parameters)
    {
        foreach (var parameter in parameters)
            parameter.grad = null;
    }

    private static Tensor NewSlot(Parameter parameter, double initialValue)
    {
        using var noGrad = no_grad();
        var slot = initialValue == 0 ? zeros_like(parameter) : full_like(parameter, initialValue);
        return slot.DetachFromDisposeScope();
    }

    private Tensor[][] EnsureSlots(IReadOnlyList<Parameter> parameters)
    {
        if (_slots is { } slots)
        {
            if (slots.Length != parameters.Count)
                throw new InvalidOperationException($"this optimizer was set up for {slots.Length} parameters but got {parameters.Count}");
            return slots;
        }
        // Detached: a dispose scope open around the first step must not take the optimizer's state with it.
        return _slots = parameters.Select(p => SlotNames.Select((_, s) => NewSlot(p, InitialSlotValue(s))).ToArray()).ToArray();
    }

    public OptimizerState ExportState()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var slots = _slots ?? [];
        var exported = new List<OptimizerSlot>();
        using var scope = NewDisposeScope();
        for (var s = 0; s < SlotNames.Count; s++)
        {
            for (var i = 0; i < slots.Length; i++)
            {
                var values = slots[i][s].to(ScalarType.Float32, CPU).contiguous();
                exported.Add(new OptimizerSlot($"{SlotNames[s]}/{i}", values.shape, MemoryMarshal.Cast<byte, float>(values.bytes).ToArray()));
            }
        }
        return new OptimizerState(Name, Iterations, exported);
    }

    /// <summary>
    /// Restores <paramref name="state"/> for <paramref name="parameters"/> (the list later steps will get). A state
    /// without slots (saved before the first step) starts them afresh. Nothing changes when the state does not fit.
    /// </summary>
    public void ImportState(OptimizerState state, IReadOnlyList<Parameter> parameters)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (state.Optimizer != Name)
            throw new ArgumentException($"the state is of a '{state.Optimizer}' optimizer, not '{Name}'", nameof(state));
        if (state.Slots.Count != 0 && state.Slots.Count != SlotNames.Count * parameters.Count)
            throw new ArgumentException($"the state has {state.Slots.Count} slots; {parameters.Count} parameters need {SlotNames.Count * parameters.Count}", nameof(state));
        var byName = state.Slots.ToDictionary(s => s.Name);
        var restored = new OptimizerSlot[parameters.Count, SlotNames.Count];
        for (var i = 0; i < parameters.Count && state.Slots.Count != 0; i++)
        {
            var shape = parameters[i].shape;
            for (var s = 0; s < SlotNames.Count; s++)
            {
                var name = $"{SlotNames[s]}/{i}";
                if (!byName.TryGetValue(name, out var slot))
                    throw new ArgumentException($"the state lacks slot '{name}'", nameof(state));
                if (!slot.Shape.AsSpan().SequenceEqual(shape))
                    throw new ArgumentException($"slot '{name}' has shape [{string.Join(", ", slot.Shape)}] but parameter {i} has [{string.Join(", ", shape)}]", nameof(state));
                if (slot.Values.LongLength != slot.Shape.Aggregate(1L, (n, d) => n * d))
                    throw new ArgumentException($"slot '{name}' has {slot.Values.Length} values for shape [{string.Join(", ", slot.Shape)}]", nameof(state));
                restored[i, s] = slot;
            }
        }

        DisposeSlots();
        var slots = EnsureSlots(parameters);
        if (state.Slots.Count != 0)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            for (var i = 0; i < parameters.Count; i++)
            {
                for (var s = 0; s < SlotNames.Count; s++)
                    slots[i][s].copy_(tensor(restored[i, s].Values, restored[i, s].Shape));
            }
        }
        Iterations = state.Iterations;
    }

    private void DisposeSlots()
    {
        foreach (var parameterSlots in _slots ?? [])
        {
            foreach (var slot in parameterSlots)
                slot.Dispose();
        }
        _slots = null;
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        DisposeSlots();
        GC.SuppressFinalize(this);
    }
}

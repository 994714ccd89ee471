namespace ModelDsl.Runtime.Optimizers;

/// <summary>One slot tensor of an optimizer's state ("m/3": the first moment of parameter 3), flattened.</summary>
public sealed record OptimizerSlot(string Name, long[] Shape, float[] Values);

/// <summary>Everything an optimizer needs to continue exactly where it stopped (checkpoints).</summary>
public sealed record OptimizerState(string Optimizer, long Iterations, IReadOnlyList<OptimizerSlot> Slots);

/// <summary>
/// A Keras optimizer over a fixed list of parameters (the one the first <see cref="Step"/> sees). The learning rate
/// follows legacy Keras' <c>decay</c>: lr / (1 + decay * iterations), recomputed every step. State lives in native
/// tensors beside the parameters and every update is one native call for all of them.
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly List<Tensor[]> _slots = [];
    private int _parameterCount = -1;
    private bool _disposed;

    // The step counter and base rate on the device, for updates replayed by a CUDA graph, and the host values they
    // hold (the counter advances on the device with every replay).
    private Tensor? _deviceIterations;
    private Tensor? _deviceLearningRate;
    private long _deviceIterationsValue = -1;
    private double _deviceLearningRateValue = double.NaN;

    protected Optimizer(double learningRate, double decay)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(learningRate);
        ArgumentOutOfRangeException.ThrowIfNegative(decay);
        LearningRate = learningRate;
        Decay = decay;
    }

    /// <summary>Keras' name ("adam").</summary>
    public abstract string Name { get; }

    /// <summary>The base learning rate (callbacks such as ReduceLROnPlateau change it).</summary>
    public double LearningRate { get; set; }

    public double Decay { get; }

    /// <summary>Steps taken (Keras' <c>optimizer.iterations</c>).</summary>
    public long Iterations { get; private set; }

    /// <summary>The rate the next step uses: lr / (1 + decay * iterations).</summary>
    public double CurrentLearningRate => LearningRate / (1 + Decay * Iterations);

    /// <summary>The state tensors kept per parameter, in order ("m", "v").</summary>
    protected abstract IReadOnlyList<string> SlotNames { get; }

    /// <summary>Applies one update from the parameters' gradients; parameters without a gradient stay.</summary>
    public void Step(IReadOnlyList<Parameter> parameters)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        EnsureSlots(parameters);
        WithHandles(parameters, (p, slots) => Apply(p, slots, CurrentLearningRate, Iterations + 1));
        Iterations++;
    }

    /// <summary>
    /// Queues an update that reads the step counter and base rate from device tensors and advances the counter there,
    /// so a captured CUDA graph replays exact bias corrections and decay. Needs the state of an earlier <see cref="Step"/>
    /// and <see cref="SyncDeviceState"/>; after each run of the queued work, call <see cref="CountDeviceStep"/>.
    /// </summary>
    internal void StepOnDevice(IReadOnlyList<Parameter> parameters)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_parameterCount != parameters.Count || _deviceIterations is not { } iterations || _deviceLearningRate is not { } rate)
            throw new InvalidOperationException("a device step needs the optimizer state of an eager step and SyncDeviceState first");
        WithHandles(parameters, (p, slots) => ApplyOnDevice(p, slots, rate, iterations));
    }

    /// <summary>Runs <paramref name="update"/> on the native handles of the parameters and slots, leased for the call.</summary>
    private void WithHandles(IReadOnlyList<Parameter> parameters, Action<IntPtr[], IntPtr[][]> update)
    {
        using var leasedParameters = Tensor.Lease(parameters);
        var leasedSlots = _slots.Select(slot => Tensor.Lease(slot)).ToArray();
        try
        {
            update(leasedParameters.Pointers, leasedSlots.Select(l => l.Pointers).ToArray());
        }
        finally
        {
            foreach (var lease in leasedSlots)
                lease.Dispose();
        }
    }

    /// <summary>Writes the host's iterations and base rate to their device copies where they differ (no sync).</summary>
    internal void SyncDeviceState(Device device)
    {
        _deviceIterations ??= Tensor.Zeros([], DType.Float64, device).DetachFromDisposeScope();
        _deviceLearningRate ??= Tensor.Zeros([], DType.Float64, device).DetachFromDisposeScope();
        if (_deviceIterationsValue != Iterations)
        {
            _deviceIterations.FillInPlace(Iterations);
            _deviceIterationsValue = Iterations;
        }
        if (!_deviceLearningRateValue.Equals(LearningRate))
        {
            _deviceLearningRate.FillInPlace(LearningRate);
            _deviceLearningRateValue = LearningRate;
        }
    }

    /// <summary>Counts an update that ran on the device (a graph replay) on the host too.</summary>
    internal void CountDeviceStep()
    {
        Iterations++;
        _deviceIterationsValue++;
    }

    /// <summary>The update with the base rate and the iterations in device tensors; it advances the iterations there.</summary>
    private protected abstract void ApplyOnDevice(IntPtr[] parameters, IntPtr[][] slots, Tensor baseLearningRate, Tensor iterations);

    /// <summary>The update itself: parameters and slot tensors as native handles, the decayed rate, step = iterations + 1.</summary>
    private protected abstract void Apply(IntPtr[] parameters, IntPtr[][] slots, double learningRate, long step);

    /// <summary>Drops the parameters' gradients (the next backward writes them anew).</summary>
    public void ZeroGrad(IReadOnlyList<Parameter> parameters) => ClearGradients(parameters);

    public static unsafe void ClearGradients(IReadOnlyList<Parameter> parameters)
    {
        using var lease = Tensor.Lease(parameters);
        fixed (IntPtr* p = lease.Pointers)
            NativeMethods.Check(NativeMethods.ClearGrads(p, parameters.Count));
    }

    private void EnsureSlots(IReadOnlyList<Parameter> parameters)
    {
        if (_parameterCount == parameters.Count)
            return;
        if (_parameterCount >= 0)
            throw new InvalidOperationException($"this optimizer was set up for {_parameterCount} parameters but got {parameters.Count}");
        foreach (var _ in SlotNames)
            _slots.Add(parameters.Select(p => p.ZerosLike().DetachFromDisposeScope()).ToArray());
        _parameterCount = parameters.Count;
    }

    public OptimizerState ExportState()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var slots = new List<OptimizerSlot>();
        for (var s = 0; s < _slots.Count; s++)
        {
            for (var i = 0; i < _slots[s].Length; i++)
            {
                using var values = _slots[s][i].To(DType.Float32, Device.Cpu);
                slots.Add(new OptimizerSlot($"{SlotNames[s]}/{i}", values.Shape, values.ToArray<float>()));
            }
        }
        return new OptimizerState(Name, Iterations, slots);
    }

    /// <summary>Restores <paramref name="state"/> for <paramref name="parameters"/> (the list later steps will get).</summary>
    public void ImportState(OptimizerState state, IReadOnlyList<Parameter> parameters)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (state.Optimizer != Name)
            throw new ArgumentException($"the state is of a '{state.Optimizer}' optimizer, not '{Name}'", nameof(state));
        var byName = state.Slots.ToDictionary(s => s.Name);
        if (state.Slots.Count != 0 && state.Slots.Count != SlotNames.Count * parameters.Count)
            throw new ArgumentException($"the state has {state.Slots.Count} slots; {parameters.Count} parameters need {SlotNames.Count * parameters.Count}", nameof(state));
        DisposeSlots();
        EnsureSlots(parameters);
        if (state.Slots.Count != 0)
        {
            for (var s = 0; s < _slots.Count; s++)
            {
                for (var i = 0; i < parameters.Count; i++)
                {
                    var name = $"{SlotNames[s]}/{i}";
                    if (!byName.TryGetValue(name, out var slot))
                        throw new ArgumentException($"the state lacks slot '{name}'", nameof(state));
                    var shape = parameters[i].Shape;
                    if (!slot.Shape.AsSpan().SequenceEqual(shape))
                        throw new ArgumentException($"slot '{name}' has shape [{string.Join(", ", slot.Shape)}] but parameter {i} has [{string.Join(", ", shape)}]", nameof(state));
                    using var values = Tensor.From<float>(slot.Values, slot.Shape);
                    _slots[s][i].CopyFrom(values);
                }
            }
        }
        Iterations = state.Iterations;
    }

    private void DisposeSlots()
    {
        foreach (var slot in _slots)
            foreach (var tensor in slot)
                tensor.Dispose();
        _slots.Clear();
        _parameterCount = -1;
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        DisposeSlots();
        _deviceIterations?.Dispose();
        _deviceLearningRate?.Dispose();
        GC.SuppressFinalize(this);
    }
}

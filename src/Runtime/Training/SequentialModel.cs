using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Layers;
using ModelDsl.Runtime.Optimizers;

namespace ModelDsl.Runtime.Training;

/// <summary>
/// The base of every generated model: a stack of Keras layers, trained with <see cref="Fit"/> on the config's loss,
/// optimizer and metrics. The generated class creates its layers with <see cref="Add{T}"/>, calls <see cref="Build"/>,
/// and supplies <see cref="ForwardLogits"/> and <see cref="OutputActivation"/>.
/// </summary>
public abstract partial class SequentialModel : Module
{
    private readonly List<(string Name, Layer Layer)> _layers = [];
    private Optimizer? _optimizer;

    /// <summary>Seeds the generator (initializers) before the derived constructor creates its layers.</summary>
    protected SequentialModel(ModelConfig config, int? seed)
    {
        Config = config;
        if (seed is int value)
            Torch.ManualSeed(value);
    }

    public ModelConfig Config { get; }

    /// <summary>Where the weights live; set by <see cref="Build"/>.</summary>
    public Device Device { get; private set; } = Device.Cpu;

    /// <summary>The layers in order, under their Keras names ("lstm_1").</summary>
    public IReadOnlyList<(string Name, Layer Layer)> Layers => _layers;

    /// <summary>The optimizer <see cref="Fit"/> uses, created from the config on first use and kept across fits (as Keras does).</summary>
    public Optimizer Optimizer => _optimizer ??= Config.Optimizer();

    /// <summary>Registers <paramref name="layer"/> as the next layer; its weights are named "<paramref name="name"/>/kernel".</summary>
    protected T Add<T>(string name, T layer) where T : Layer
    {
        RegisterModule(name, layer);
        _layers.Add((name, layer));
        return layer;
    }

    /// <summary>
    /// Called last in the generated constructor: moves the weights to <paramref name="device"/> (null: a CUDA GPU when
    /// libtorch has one, else the CPU) and switches to inference mode until <see cref="Fit"/> trains.
    /// </summary>
    protected void Build(Device? device)
    {
        Device = device ?? Device.Auto;
        if (Device.IsCuda && Device.Index >= Device.CudaDeviceCount)
        {
            // libtorch's own message for this is a page of dispatcher tables.
            throw new InvalidOperationException(
                $"{Config.Name}: device {Device} is not available; libtorch sees {Device.CudaDeviceCount} CUDA device(s) here. Use Device.Cpu, or Device.Auto to take a GPU when there is one.");
        }

        if (Device != Device.Cpu)
            To(Device);
        Eval();
    }

    /// <summary>Every layer; the last one without its activation (logits for a softmax output).</summary>
    protected abstract Tensor ForwardLogits(Tensor input);

    /// <summary>The activation <see cref="ForwardLogits"/> left out (Linear if none).</summary>
    protected abstract Activation OutputActivation { get; }

    /// <summary>
    /// The declared preprocessing, applied to every input batch: uint8 becomes float32, then <c>rescale</c> multiplies.
    /// int64 inputs (embedding indices) pass unchanged unless a rescale is declared. The result is on <see cref="Device"/>.
    /// </summary>
    public Tensor Preprocess(Tensor input)
    {
        using var onDevice = input.To(Device);
        if (Config.Rescale is not double rescale)
            return onDevice.DType == DType.UInt8 ? onDevice.To(DType.Float32) : onDevice.Alias();
        using var floating = onDevice.DType.IsFloatingPoint() ? onDevice.Alias() : onDevice.To(DType.Float32);
        return floating * rescale;
    }

    /// <summary>OutputActivation(ForwardLogits(preprocess(input))), in the current mode (inference unless training).</summary>
    public Tensor Forward(Tensor input)
    {
        CheckInputShape(input);
        using var scope = new DisposeScope();
        using var x = Preprocess(input);
        using var logits = ForwardLogits(x);
        return logits.Activate(OutputActivation).MoveToOuterScope();
    }

    /// <summary>The model's outputs for <paramref name="inputs"/>, batch by batch in inference mode: float32 on the CPU.</summary>
    public Tensor Predict(Tensor inputs, int batchSize = 32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        CheckInputShape(inputs);
        long count = inputs.Size(0);
        var wasTraining = Training;
        Eval();
        var outputs = new List<Tensor>();
        try
        {
            using var noGrad = new NoGradScope();
            for (long start = 0; start < count; start += batchSize)
            {
                using var scope = new DisposeScope();
                using var batch = inputs.Narrow(0, start, Math.Min(batchSize, count - start));
                using var output = Forward(batch);
                outputs.Add(output.To(DType.Float32, Device.Cpu).DetachFromDisposeScope());
            }
            return Tensor.Cat(outputs);
        }
        finally
        {
            foreach (var output in outputs)
                output.Dispose();
            Train(wasTraining);
        }
    }

    /// <summary>
    /// Rejects inputs whose per-sample shape is not <see cref="ModelConfig.InputShape"/> before any native code sees them,
    /// so the message is in the model's terms rather than libtorch's about some inner layer.
    /// </summary>
    protected void CheckInputShape(Tensor inputs)
    {
        var shape = inputs.Shape;
        var expected = Config.InputShape;
        if (shape.Length == expected.Count + 1 && shape.AsSpan(1).SequenceEqual(expected.Select(d => (long)d).ToArray()))
            return;
        throw new ArgumentException(
            $"{Config.Name} expects input (batch, {string.Join(", ", expected)}) but got {Text(shape)}", nameof(inputs));
    }

    /// <summary>The loss and metrics over all of <paramref name="data"/> in inference mode (dropout off), Keras' names.</summary>
    public EvaluationResult Evaluate(Dataset data, int batchSize = 32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        CheckInputShape(data.Inputs);
        var wasTraining = Training;
        Eval();
        try
        {
            using var averages = Measure(data, batchSize);
            return new EvaluationResult(averages.Read().ToDictionary());
        }
        finally
        {
            Train(wasTraining);
        }
    }

    /// <summary>Runs <paramref name="data"/> through the model without gradients, accumulating loss and metrics.</summary>
    private RunningAverages Measure(Dataset data, int batchSize)
    {
        var averages = new RunningAverages(Config.Metrics, Device);
        using var noGrad = new NoGradScope();
        for (var index = 0; index < data.BatchCount(batchSize); index++)
        {
            using var scope = new DisposeScope();
            var (inputs, targets) = data.Batch(index, batchSize);
            var x = Preprocess(inputs);
            var y = targets.To(Device);
            var logits = ForwardLogits(x);
            var loss = Config.Loss.Compute(logits, OutputActivation, y);
            averages.Add(loss, y.Size(0), logits, OutputActivation, y);
        }
        return averages;
    }

    // ---- weights ----

    /// <summary>A CPU copy of every weight (parameters and buffers), in order: Keras' <c>get_weights</c>.</summary>
    public ModelWeights GetWeights() =>
        new(NamedWeights().Select(w => TensorDataConvert.Export(w.Name, w.Tensor)).ToList());

    /// <summary>Copies <paramref name="weights"/> into the model after checking every name and shape (Keras' <c>set_weights</c>).</summary>
    public void SetWeights(ModelWeights weights)
    {
        var mine = NamedWeights();
        CheckCompatible(weights, mine, source: null);
        using var noGrad = new NoGradScope();
        var byName = weights.Tensors.ToDictionary(t => t.Name);
        foreach (var (name, tensor) in mine)
        {
            using var loaded = TensorDataConvert.Import(byName[name], Device);
            tensor.CopyFrom(loaded);
        }
    }

    /// <summary>Saves the weights to <paramref name="path"/> (atomically: a temporary file renamed into place).</summary>
    public void Save(string path) => new Checkpoint(Config.Name, GetWeights(), null).Save(path);

    /// <summary>
    /// Loads weights saved by <see cref="Save"/> or a training checkpoint. A checkpoint of a different model is
    /// rejected, naming the weights that are missing, unexpected or of another shape.
    /// </summary>
    public void LoadWeights(string path)
    {
        var checkpoint = Checkpoint.Load(path);
        CheckCompatible(checkpoint.Weights, NamedWeights(), (path, checkpoint.ModelName));
        SetWeights(checkpoint.Weights);
    }

    /// <summary>
    /// Loads a full checkpoint (<see cref="FitOptions.CheckpointDirectory"/> or <see cref="ModelCheckpoint"/>): weights,
    /// optimizer state and position. Returns where training stood, or null for a weights-only file.
    /// </summary>
    public TrainingState? LoadCheckpoint(string path)
    {
        var checkpoint = Checkpoint.Load(path);
        CheckCompatible(checkpoint.Weights, NamedWeights(), (path, checkpoint.ModelName));
        SetWeights(checkpoint.Weights);
        if (checkpoint.Training is { } state)
            RestoreOptimizer(state);
        return checkpoint.Training;
    }

    private void CheckCompatible(ModelWeights weights, IReadOnlyList<(string Name, Tensor Tensor)> mine, (string Path, string Model)? source)
    {
        var theirs = weights.Tensors.ToDictionary(t => t.Name);
        var problems = new List<string>();
        foreach (var (name, tensor) in mine)
        {
            var shape = tensor.Shape;
            if (!theirs.TryGetValue(name, out var data))
                problems.Add($"{name} {Text(shape)} is missing");
            else if (!data.Shape.AsSpan().SequenceEqual(shape))
                problems.Add($"{name} is {data.ShapeText} there but {Text(shape)} here");
            else if (data.DType != tensor.DType.Name())
                problems.Add($"{name} is {data.DType} there but {tensor.DType.Name()} here");
        }
        var myNames = mine.Select(w => w.Name).ToHashSet();
        foreach (var data in weights.Tensors.Where(t => !myNames.Contains(t.Name)))
            problems.Add($"{data.Name} {data.ShapeText} is not in this model");
        if (problems.Count == 0)
            return;
        var origin = source is var (path, model) ? $"{path} holds a checkpoint of model '{model}', which" : "these weights";
        throw new InvalidDataException(
            $"{origin} does not fit model '{Config.Name}': {string.Join("; ", problems)}");
    }

    private static string Text(long[] shape) => "(" + string.Join(", ", shape) + ")";

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _optimizer?.Dispose();
        base.Dispose(disposing);
    }
}

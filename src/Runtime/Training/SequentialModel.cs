using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Layers;
using ModelDsl.Runtime.Optimizers;

namespace ModelDsl.Runtime.Training;

/// <summary>
/// The base of every generated model: a TorchSharp module (<c>nn.Module&lt;Tensor, Tensor&gt;</c>) whose registered
/// submodules are its Keras layers, trained with <see cref="Fit"/> on the config's loss, optimizer and metrics. The
/// generated class creates its layers with <see cref="Add{T}"/>, calls <see cref="Build"/>, and supplies
/// <see cref="ForwardLogits"/> and <see cref="OutputActivation"/>. <c>parameters()</c>, <c>state_dict()</c>,
/// <c>to(device)</c>, <c>train()</c>/<c>eval()</c> and <c>save</c>/<c>load</c> are TorchSharp's own.
/// </summary>
public abstract partial class SequentialModel : nn.Module<Tensor, Tensor>
{
    private readonly List<(string Name, Layer Layer)> _layers = [];
    private Optimizer? _optimizer;

    /// <summary>Seeds the generator (initializers) before the derived constructor creates its layers.</summary>
    protected SequentialModel(ModelConfig config, int? seed) : base(config.Name)
    {
        TorchLibrary.EnsureLoaded();
        Config = config;
        if (seed is int value)
            manual_seed(value);
    }

    public ModelConfig Config { get; }

    /// <summary>Where the weights live: set by <see cref="Build"/>, followed by <c>to(device)</c>.</summary>
    public Device Device => Weights.Select(w => w.device).FirstOrDefault() ?? CPU;

    /// <summary>The layers in order, under their Keras names ("lstm_1").</summary>
    public IReadOnlyList<(string Name, Layer Layer)> Layers => _layers;

    /// <summary>The optimizer <see cref="Fit"/> uses, created from the config on first use and kept across fits (as Keras does).</summary>
    public Optimizer Optimizer => _optimizer ??= Config.Optimizer();

    /// <summary>Registers <paramref name="layer"/> as the next layer, a submodule named <paramref name="name"/>.</summary>
    protected T Add<T>(string name, T layer) where T : Layer
    {
        register_module(name, layer);
        _layers.Add((name, layer));
        return layer;
    }

    /// <summary>
    /// Called last in the generated constructor: moves the weights to <paramref name="device"/> (null: a CUDA GPU when
    /// libtorch has one, else the CPU). The model starts in training mode, as every TorchSharp module does;
    /// <see cref="Fit"/>, <see cref="Predict"/> and <see cref="Evaluate"/> set the mode they need and restore it.
    /// </summary>
    protected void Build(Device? device)
    {
        var target = device ?? Devices.Auto;
        if (target.type == DeviceType.CUDA && Math.Max(target.index, 0) >= Devices.CudaDeviceCount)
        {
            // libtorch's own message for this is a page of dispatcher tables.
            throw new InvalidOperationException(
                $"{Config.Name}: device {target} is not available; libtorch sees {Devices.CudaDeviceCount} CUDA device(s) here " +
                "(a CUDA GPU needs a CUDA libtorch package such as TorchSharp-cuda-linux or TorchSharp-cuda-windows). " +
                "Use torch.CPU, or Devices.Auto to take a GPU when there is one.");
        }

        if (target.type != DeviceType.CPU)
            this.to(target);
    }

    /// <summary>Every layer; the last one without its activation (logits for a softmax output).</summary>
    protected abstract Tensor ForwardLogits(Tensor input);

    /// <summary>The activation <see cref="ForwardLogits"/> left out (Linear if none).</summary>
    protected abstract Activation OutputActivation { get; }

    /// <summary>
    /// The declared preprocessing, applied to every input batch: uint8 and floating-point inputs become the weights'
    /// floating-point type (float32 unless <c>to(dtype)</c> changed it), then <c>rescale</c> multiplies. Integer inputs
    /// (embedding indices) pass unchanged unless a rescale is declared. The result is on <see cref="Device"/>.
    /// </summary>
    public Tensor Preprocess(Tensor input)
    {
        using var scope = NewDisposeScope();
        var onDevice = input.to(Device);
        var floating = onDevice.dtype == ScalarType.Byte || onDevice.is_floating_point() || Config.Rescale is not null;
        var result = floating ? onDevice.to(WeightType) : onDevice.alias();
        if (Config.Rescale is double rescale)
            result = result * rescale;
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>The floating-point type of the weights, which inputs are converted to.</summary>
    private ScalarType WeightType =>
        Weights.Select(w => w.dtype).FirstOrDefault(t => t is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64,
            ScalarType.Float32);

    // Every layer's weights in order, looked up afresh: to(device) and to(dtype) replace them.
    private IEnumerable<Tensor> Weights => _layers.SelectMany(l => l.Layer.Weights()).Select(w => w.Tensor);

    /// <summary>OutputActivation(ForwardLogits(preprocess(input))), in the current mode (train() or eval()).</summary>
    public override Tensor forward(Tensor input)
    {
        CheckInputShape(input);
        using var scope = NewDisposeScope();
        var logits = ForwardLogits(Preprocess(input));
        return OutputActivation.Apply(logits).MoveToOuterDisposeScope();
    }

    /// <summary>The model's outputs for <paramref name="inputs"/>, batch by batch in inference mode: float32 on the CPU.</summary>
    public Tensor Predict(Tensor inputs, int batchSize = 32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        CheckInputShape(inputs);
        long count = inputs.size(0);
        var wasTraining = training;
        eval();
        var outputs = new List<Tensor>();
        try
        {
            using var noGrad = no_grad();
            for (long start = 0; start < count; start += batchSize)
            {
                // Each batch frees its temporaries before the next one starts.
                using var scope = NewDisposeScope();
                var output = forward(inputs.narrow(0, start, Math.Min(batchSize, count - start)));
                outputs.Add(output.to(ScalarType.Float32, CPU).DetachFromDisposeScope());
            }
            return cat(outputs, 0);
        }
        finally
        {
            foreach (var output in outputs)
                output.Dispose();
            train(wasTraining);
        }
    }

    /// <summary>
    /// Rejects inputs whose per-sample shape is not <see cref="ModelConfig.InputShape"/> before any native code sees them,
    /// so the message is in the model's terms rather than libtorch's about some inner layer.
    /// </summary>
    /// <summary>The generator's mark of an axis of any length (Keras' None) in <see cref="ModelConfig.InputShape"/>.</summary>
    public const int VariableAxis = -1;

    /// <summary>A shape as Keras prints it, None for a variable-length axis.</summary>
    internal static string Axes(IEnumerable<int> shape) => string.Join(", ", shape.Select(d => d == VariableAxis ? "None" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Whether a sample's shape is the model's, a variable-length axis taking any length.</summary>
    internal static bool Fits(ReadOnlySpan<long> sample, IReadOnlyList<int> expected)
    {
        if (sample.Length != expected.Count)
            return false;
        for (var i = 0; i < sample.Length; i++)
        {
            if (expected[i] != VariableAxis && sample[i] != expected[i])
                return false;
        }

        return true;
    }

    protected void CheckInputShape(Tensor inputs)
    {
        var shape = inputs.shape;
        var expected = Config.InputShape;
        if (shape.Length == expected.Count + 1 && Fits(shape.AsSpan(1), expected))
            return;
        throw new ArgumentException(
            $"{Config.Name} expects input (batch, {Axes(expected)}) but got {Text(shape)}", nameof(inputs));
    }

    /// <summary>
    /// The loss (regularizers' penalties included, as Keras reports it) and metrics over all of <paramref name="data"/>
    /// in inference mode (dropout off), Keras' names.
    /// </summary>
    public EvaluationResult Evaluate(Dataset data, int batchSize = 32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        CheckInputShape(data.Inputs);
        var wasTraining = training;
        eval();
        try
        {
            using var averages = Measure(data, batchSize);
            return new EvaluationResult(averages.Read().ToDictionary());
        }
        finally
        {
            train(wasTraining);
        }
    }

    /// <summary>Runs <paramref name="data"/> through the model without gradients, accumulating loss and metrics.</summary>
    private RunningAverages Measure(IBatchSource data, int batchSize)
    {
        var averages = new RunningAverages(Config.Metrics, Device);
        using var noGrad = no_grad();
        for (var index = 0; index < data.BatchCount(batchSize); index++)
        {
            using var scope = NewDisposeScope();
            var (inputs, targets) = data.Batch(index, batchSize);
            var y = targets.to(Device);
            var (loss, logits) = ForwardLoss(inputs, y);
            averages.Add(loss, y.size(0), logits, OutputActivation, y);
        }
        return averages;
    }

    // ---- weights ----

    /// <summary>
    /// Keras' <c>weights</c>: per layer its parameters then its state, layers in order, under TorchSharp's
    /// <c>state_dict</c> names ("lstm_1.kernel"). What a checkpoint holds.
    /// </summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> NamedWeights() =>
        _layers.SelectMany(l => l.Layer.Weights().Select(w => (l.Name + "." + w.Name, w.Tensor))).ToList();

    /// <summary>The parameters the optimizer updates, in order (what <c>parameters()</c> gives, less frozen ones).</summary>
    public IReadOnlyList<Parameter> TrainableParameters() =>
        _layers.SelectMany(l => l.Layer.Weights()).Where(w => w.Trainable).Select(w => (Parameter)w.Tensor).ToList();

    /// <summary>Keras' "Total params": every weight's element count, state included.</summary>
    public long WeightCount => NamedWeights().Sum(w => w.Tensor.numel());

    /// <summary>Keras' "Trainable params".</summary>
    public long TrainableWeightCount => TrainableParameters().Sum(p => p.numel());

    /// <summary>A CPU copy of every weight (parameters and buffers), in order: Keras' <c>get_weights</c>.</summary>
    public ModelWeights GetWeights() =>
        new(NamedWeights().Select(w => TensorDataConvert.Export(w.Name, w.Tensor)).ToList());

    /// <summary>Copies <paramref name="weights"/> into the model after checking every name and shape (Keras' <c>set_weights</c>).</summary>
    public void SetWeights(ModelWeights weights)
    {
        var mine = NamedWeights();
        CheckCompatible(weights, mine, source: null);
        using var noGrad = no_grad();
        var byName = weights.Tensors.ToDictionary(t => t.Name);
        foreach (var (name, tensor) in mine)
        {
            using var loaded = TensorDataConvert.Import(byName[name], tensor.device);
            tensor.copy_(loaded);
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
            var shape = tensor.shape;
            if (!theirs.TryGetValue(name, out var data))
                problems.Add($"{name} {Text(shape)} is missing");
            else if (!data.Shape.AsSpan().SequenceEqual(shape))
                problems.Add($"{name} is {data.ShapeText} there but {Text(shape)} here");
            else if (data.DType != TensorDataConvert.NameOf(tensor.dtype))
                problems.Add($"{name} is {data.DType} there but {TensorDataConvert.NameOf(tensor.dtype)} here");
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

using ModelDsl.Runtime.Regularizers;

namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' regularizer arguments, on every layer: set in an object initializer after the constructor
/// (<c>new Dense(16, 4) { KernelRegularizer = Regularizer.L2(0.01) }</c>). The model adds their penalties to its loss
/// (<see cref="RegularizedWeights"/>, and the output's through <see cref="ActivityRegularizer"/>).
/// </summary>
public abstract partial class Layer
{
    private const string KernelWeight = "kernel";
    private const string BiasWeight = "bias";
    private const string RecurrentKernelWeight = "recurrent_kernel";
    private const string EmbeddingsWeight = "embeddings";

    // By weight name, in the order they were set.
    private readonly List<(string Weight, Regularizer Regularizer)> _weightRegularizers = [];
    private readonly Regularizer? _activityRegularizer;
    private bool _recordingActivity;
    private Tensor? _activityPenalty;

    /// <summary>Keras' <c>kernel_regularizer</c>: a penalty on the weight "kernel", which the layer must have.</summary>
    public Regularizer? KernelRegularizer
    {
        get => WeightRegularizer(KernelWeight);
        init => SetWeightRegularizer(KernelWeight, value, "kernel_regularizer", required: true);
    }

    /// <summary>
    /// Keras' <c>bias_regularizer</c>: a penalty on the weight "bias". As in Keras, a layer built without a bias
    /// (<c>use_bias: false</c>) accepts it and has nothing to penalize.
    /// </summary>
    public Regularizer? BiasRegularizer
    {
        get => WeightRegularizer(BiasWeight);
        init => SetWeightRegularizer(BiasWeight, value, "bias_regularizer", required: false);
    }

    /// <summary>Keras' <c>recurrent_regularizer</c>: a penalty on the weight "recurrent_kernel", which the layer must have.</summary>
    public Regularizer? RecurrentRegularizer
    {
        get => WeightRegularizer(RecurrentKernelWeight);
        init => SetWeightRegularizer(RecurrentKernelWeight, value, "recurrent_regularizer", required: true);
    }

    /// <summary>Keras' Embedding <c>embeddings_regularizer</c>: a penalty on the weight "embeddings", which the layer must have.</summary>
    public Regularizer? EmbeddingsRegularizer
    {
        get => WeightRegularizer(EmbeddingsWeight);
        init => SetWeightRegularizer(EmbeddingsWeight, value, "embeddings_regularizer", required: true);
    }

    /// <summary>
    /// Keras' <c>activity_regularizer</c>: a penalty on the layer's output, divided by the batch size (the output's first
    /// axis). The model records it when it runs the layer through TorchSharp's <c>call</c> (which runs forward hooks);
    /// the model's last layer may be run through <c>forward</c> or <c>ForwardLinear</c>, its output being the model's.
    /// </summary>
    public Regularizer? ActivityRegularizer
    {
        get => _activityRegularizer;
        init
        {
            _activityRegularizer = value;
            if (value is not null)
                register_forward_hook(RecordActivity);
        }
    }

    /// <summary>
    /// The penalties Keras adds for this layer's own weights as they stand: each trainable weight with a regularizer
    /// (Keras counts frozen weights' regularizers out). Looked up afresh, since <c>to(device)</c> replaces the weights.
    /// </summary>
    public IEnumerable<(string Name, Tensor Weight, Regularizer Regularizer)> RegularizedWeights()
    {
        foreach (var (name, regularizer) in _weightRegularizers)
        {
            if (get_parameter(name) is { requires_grad: true } weight)
                yield return (name, weight, regularizer);
        }
    }

    /// <summary>Whether any of this layer's own weights has a regularizer.</summary>
    public bool HasWeightRegularizers => _weightRegularizers.Count > 0;

    /// <summary>Keras' activity penalty of <paramref name="output"/>: the regularizer's penalty over the batch size (0 for an empty batch).</summary>
    public Tensor ActivityPenalty(Tensor output)
    {
        var regularizer = _activityRegularizer ?? throw new InvalidOperationException($"{GetName()} has no activity regularizer");
        using var scope = NewDisposeScope();
        var penalty = regularizer.Compute(output);
        if (output.dim() > 0)
            penalty = output.size(0) == 0 ? zeros_like(penalty) : penalty / output.size(0);
        return penalty.MoveToOuterDisposeScope();
    }

    /// <summary>Starts summing the activity penalties of this layer's calls (none so far).</summary>
    internal void StartRecordingActivity()
    {
        _recordingActivity = true;
        _activityPenalty = null;
    }

    /// <summary>Stops recording; the sum of the recorded penalties, or null when the layer was not called.</summary>
    internal Tensor? StopRecordingActivity()
    {
        var penalty = _activityPenalty;
        _recordingActivity = false;
        _activityPenalty = null;
        return penalty;
    }

    // A forward hook: returns the output unchanged.
    private Tensor RecordActivity(nn.Module<Tensor, Tensor> module, Tensor input, Tensor output)
    {
        if (_recordingActivity)
        {
            var penalty = ActivityPenalty(output);
            _activityPenalty = _activityPenalty is null ? penalty : _activityPenalty + penalty;
        }
        return output;
    }

    private Regularizer? WeightRegularizer(string weight) =>
        _weightRegularizers.Where(r => r.Weight == weight).Select(r => r.Regularizer).FirstOrDefault();

    private void SetWeightRegularizer(string weight, Regularizer? regularizer, string argument, bool required)
    {
        if (regularizer is null)
            return;
        if (required && get_parameter(weight) is null)
            throw new ArgumentException($"{GetName()} has no weight '{weight}' for {argument} to penalize", argument);
        _weightRegularizers.Add((weight, regularizer));
    }
}

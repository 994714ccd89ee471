using ModelDsl.Runtime.Layers;

namespace ModelDsl.Runtime.Training;

public abstract partial class SequentialModel
{
    // The layers, nested ones included, whose weights have regularizers; and the model's layers with an activity
    // regularizer. Regularizers are set when a layer is created, so both are fixed once the model is.
    private Layer[]? _weightRegularized;
    private Layer[]? _activityRegularized;

    /// <summary>
    /// The forward pass and Keras' total loss of a batch: the compiled loss plus every regularizer's penalty (the
    /// trainable weights' as they stand, and the activity penalties of this batch's outputs). Keras minimizes and
    /// reports this sum, in training and in validation and evaluation alike.
    /// </summary>
    private (Tensor Loss, Tensor Logits) ForwardLoss(Tensor inputs, Tensor targets)
    {
        var watched = _activityRegularized ??= _layers.Select(l => l.Layer).Where(l => l.ActivityRegularizer is not null).ToArray();
        var activity = new Tensor?[watched.Length];
        foreach (var layer in watched)
            layer.StartRecordingActivity();
        Tensor logits;
        try
        {
            logits = ForwardLogits(Preprocess(inputs));
        }
        finally
        {
            for (var i = 0; i < watched.Length; i++)
                activity[i] = watched[i].StopRecordingActivity();
        }

        var loss = Config.Loss.Compute(logits, OutputActivation, targets);
        // Distinct: TorchSharp's modules() can yield a nested module more than once.
        _weightRegularized ??= modules().OfType<Layer>().Distinct().Where(l => l.HasWeightRegularizers).ToArray();
        foreach (var layer in _weightRegularized)
        {
            foreach (var (_, weight, regularizer) in layer.RegularizedWeights())
                loss = loss + regularizer.Compute(weight);
        }
        for (var i = 0; i < watched.Length; i++)
            loss = loss + (activity[i] ?? LastLayerActivityPenalty(watched[i], logits));
        return (loss, logits);
    }

    // The generated forward runs the last layer through ForwardLinear (or forward), which runs no hooks: its output is
    // the model's. Any other layer's output is seen only through call().
    private Tensor LastLayerActivityPenalty(Layer layer, Tensor logits)
    {
        if (!ReferenceEquals(layer, _layers[^1].Layer))
        {
            var name = _layers.First(l => ReferenceEquals(l.Layer, layer)).Name;
            throw new InvalidOperationException(
                $"{Config.Name}: layer '{name}' has an activity_regularizer but its output was not seen: the forward pass must " +
                "run it through call(x), which runs TorchSharp's forward hooks, not forward(x)");
        }
        using var output = OutputActivation.Apply(logits);
        return layer.ActivityPenalty(output);
    }
}

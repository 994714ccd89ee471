using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Layers;
using ModelDsl.Runtime.Losses;
using ModelDsl.Runtime.Metrics;
using ModelDsl.Runtime.Optimizers;
using ModelDsl.Runtime.Training;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests;

/// <summary>
/// Training tests reseed libtorch's one global generator and compare losses bit for bit, so they run alone,
/// not beside other tests that draw random numbers.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TrainingCollection
{
    public const string Name = "Training";
}

/// <summary>A small classifier shaped like a generated model: dense relu, dropout, dense softmax.</summary>
public sealed class TinyClassifier : SequentialModel
{
    private readonly Dense _hidden;
    private readonly Dropout _dropout;
    private readonly Dense _output;

    public static ModelConfig CreateConfig(Func<Optimizer>? optimizer = null, double? rescale = null, string name = "TinyClassifier") => new(
        name,
        Loss.SparseCategoricalCrossentropy(),
        optimizer ?? (() => new Adam(learningRate: 0.01, decay: 1e-3)),
        [Metric.SparseCategoricalAccuracy("accuracy")],
        rescale,
        [Features]);

    public const int Features = 4;
    public const int Classes = 3;

    public TinyClassifier(int? seed = 7, int hidden = 16, Func<Optimizer>? optimizer = null, double? rescale = null, string name = "TinyClassifier", Device? device = null)
        : base(CreateConfig(optimizer, rescale, name), seed)
    {
        _hidden = Add("dense_1", new Dense(Features, hidden, Activation.Relu));
        _dropout = Add("dropout_1", new Dropout(0.5));
        _output = Add("dense_2", new Dense(hidden, Classes, Activation.Softmax));
        Build(device ?? CPU);
    }

    /// <summary>What the training loop passed through the last dropout, read by tests that check the mode.</summary>
    public bool LastForwardTrained { get; private set; }

    protected override Activation OutputActivation => Activation.Softmax;

    protected override Tensor ForwardLogits(Tensor input)
    {
        LastForwardTrained = _dropout.training;
        var x = _hidden.forward(input);
        x = _dropout.forward(x);
        return _output.ForwardLinear(x);
    }

    /// <summary>Three separable clusters in 4-D (features in 0..1 times <paramref name="scale"/>), int64 labels, the same for the same seed.</summary>
    public static Dataset Clusters(int count, int seed = 1, float scale = 1)
    {
        var random = new Random(seed);
        var features = new float[count * Features];
        var labels = new long[count];
        for (var i = 0; i < count; i++)
        {
            var label = i % Classes;
            labels[i] = label;
            for (var f = 0; f < Features; f++)
                features[i * Features + f] = scale * (float)((f == label ? 0.6 : 0.1) + 0.35 * random.NextDouble());
        }
        return new Dataset(tensor(features, [count, Features]), tensor(labels));
    }
}

/// <summary>A callback that records what the loop showed it.</summary>
public sealed class RecordingCallback : Callback
{
    public List<(int Epoch, int Batch)> Batches { get; } = [];
    public List<bool> TrainingModeAtBatchEnd { get; } = [];
    public List<IDictionary<string, double>> EpochLogs { get; } = [];
    public Action<TrainingContext, int, IDictionary<string, double>>? AtEpochEnd { get; init; }

    public override void OnBatchEnd(TrainingContext context, int batch, IReadOnlyDictionary<string, double> logs)
    {
        Batches.Add((context.Epoch, batch));
        TrainingModeAtBatchEnd.Add(context.Model.training);
    }

    public override void OnEpochEnd(TrainingContext context, int epoch, IDictionary<string, double> logs)
    {
        AtEpochEnd?.Invoke(context, epoch, logs);
        EpochLogs.Add(new Dictionary<string, double>(logs));
    }
}

/// <summary>Calls back after every training step with the 1-based global step.</summary>
public sealed class StepSampler(Action<long> sample) : Callback
{
    public override void OnBatchEnd(TrainingContext context, int batch, IReadOnlyDictionary<string, double> logs) =>
        sample(context.GlobalStep);
}

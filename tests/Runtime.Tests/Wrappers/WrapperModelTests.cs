using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Layers;
using ModelDsl.Runtime.Losses;
using ModelDsl.Runtime.Metrics;
using ModelDsl.Runtime.Optimizers;
using ModelDsl.Runtime.Training;
using static ModelDsl.Runtime.Tests.Wrappers.WrapperAssert;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Wrappers;

/// <summary>
/// The wrappers inside a model shaped like a generated one: a per-step dense, a bidirectional LSTM with both dropouts,
/// a per-step softmax. Keras' weight names and counts reach the model, its checkpoints round-trip them, and it trains.
/// Seeded models draw from the shared generator, so these run alone.
/// </summary>
[Collection(NativeGlobalState.Name)]
public class WrapperModelTests
{
    private const int Time = 6, Features = 3, Hidden = 4, Units = 5, Classes = 2;

    private sealed class TaggedSequences : SequentialModel
    {
        private readonly TimeDistributed _embed;
        private readonly Bidirectional _recurrent;
        private readonly TimeDistributed _output;

        public TaggedSequences(int seed) : base(new ModelConfig("TaggedSequences", Loss.SparseCategoricalCrossentropy(),
            () => new Adam(learningRate: 0.02), [Metric.SparseCategoricalAccuracy("accuracy")], null, [Time, Features]), seed)
        {
            _embed = Add("time_distributed", new TimeDistributed(new Dense(Features, Hidden, Activation.Tanh), "dense"));
            _recurrent = Add("bidirectional", new Bidirectional(
                new Lstm(Hidden, Units, returnSequences: true, dropout: 0.1, recurrentDropout: 0.2),
                new Lstm(Hidden, Units, returnSequences: true, dropout: 0.1, recurrentDropout: 0.2, goBackwards: true), layerName: "lstm"));
            _output = Add("time_distributed_1", new TimeDistributed(new Dense(2 * Units, Classes, Activation.Softmax), "dense_1"));
            Build(CPU);
        }

        protected override Activation OutputActivation => _output.Activation;

        protected override Tensor ForwardLogits(Tensor input) => _output.ForwardLinear(_recurrent.forward(_embed.forward(input)));
    }

    // Label of each step: whether the running sum of the first feature up to it is positive (needs the past).
    private static Dataset Sequences(int count)
    {
        var inputs = rand(new long[] { count, Time, Features }, generator: new Generator(2)) * 2 - 1;
        var labels = inputs.select(2, 0).cumsum(1).gt(0).to(ScalarType.Int64);
        return new Dataset(inputs, labels);
    }

    [Fact]
    public void KerasNamesAndCountsReachTheModel()
    {
        using var model = new TaggedSequences(seed: 1);
        int lstm = 4 * Units * (Hidden + Units + 1);
        Assert.Equal(Features * Hidden + Hidden + 2 * lstm + 2 * Units * Classes + Classes, model.WeightCount);
        Assert.Equal(model.NamedWeights().Select(w => w.Name), model.state_dict().Keys);
        Assert.Equal(model.NamedWeights().Select(w => w.Name), model.named_parameters().Select(p => p.name));
        Assert.Contains("bidirectional.backward_lstm.recurrent_kernel", model.NamedWeights().Select(w => w.Name));
        Assert.Equal("time_distributed.dense.kernel", model.NamedWeights()[0].Name);
    }

    [Fact]
    public void ACheckpointRoundTripsTheWrappedWeights()
    {
        var path = Path.Combine(Path.GetTempPath(), $"wrappers-{Guid.NewGuid():N}.ckpt");
        try
        {
            using var saved = new TaggedSequences(seed: 1);
            saved.Save(path);
            using var loaded = new TaggedSequences(seed: 2);
            var input = Sequences(4).Inputs;
            Assert.NotEqual(Values(saved.Predict(input)), Values(loaded.Predict(input)));
            loaded.LoadWeights(path);
            Close(saved.Predict(input), loaded.Predict(input), 0);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TrainsWithPerStepLossesAndDropoutOnlyWhileFitting()
    {
        using var model = new TaggedSequences(seed: 3);
        var data = Sequences(96);
        var before = model.Evaluate(data);
        var history = model.Fit(data, new FitOptions { Epochs = 12, BatchSize = 16, Seed = 4, Verbose = Verbosity.Silent });
        var after = model.Evaluate(data);
        Assert.True(after.Loss < before.Loss * 0.8, $"loss {before.Loss} -> {after.Loss}");
        Assert.Equal(12, history["loss"].Count);
        // Evaluation is deterministic: no masks outside Fit.
        Close(model.Predict(data.Inputs), model.Predict(data.Inputs), 0);
    }
}

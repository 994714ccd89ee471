using ModelDsl.Runtime.Layers;
using static ModelDsl.Runtime.Tests.Wrappers.WrapperAssert;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Wrappers;

/// <summary>
/// Keras' TimeDistributed: the wrapped layer at every step, shapes, parameter counts, weight names, the per-step
/// batch statistics of a BatchNormalization in training, and ForwardLinear for a per-step softmax output.
/// </summary>
public class TimeDistributedTests
{
    private static Tensor Uniform(params long[] shape) => rand(shape, generator: new Generator(4)) * 2 - 1;

    /// <summary>What Keras computes: the layer called on each step (batch, ...) and the results stacked on axis 1.</summary>
    private static Tensor PerStep(Layer layer, Tensor input) => stack(input.unbind(1).Select(layer.forward).ToArray(), 1);

    [Fact]
    public void DenseAtEveryStep()
    {
        using var scope = NewDisposeScope();
        using var distributed = new TimeDistributed(new Dense(5, 4, Activation.Tanh));
        var input = Uniform(2, 3, 5);
        var output = distributed.forward(input);
        Assert.Equal([2, 3, 4], output.shape);
        Close(PerStep(distributed.Layer, input), output, 1e-6);
        Assert.Equal(5 * 4 + 4, distributed.WeightCount);
    }

    [Fact]
    public void Conv1DOverSignalsAtEveryStep()
    {
        // Frames of (length, channels) at every step, through one Conv1D.
        using var scope = NewDisposeScope();
        using var distributed = new TimeDistributed(new Conv1D(3, 8, 3, padding: "same", activation: Activation.Relu));
        var input = Uniform(2, 4, 7, 3);
        var output = distributed.forward(input);
        Assert.Equal([2, 4, 7, 8], output.shape);
        Close(PerStep(distributed.Layer, input), output, 1e-6);
        Assert.Equal(3 * 3 * 8 + 8, distributed.WeightCount);
    }

    [Fact]
    public void DenseOverImagesActsOnTheLastAxisOfEveryStep()
    {
        // (batch, time, height, width, channels): the steps fold, the sample axes stay.
        using var scope = NewDisposeScope();
        using var distributed = new TimeDistributed(new Dense(3, 2));
        var input = Uniform(2, 4, 5, 6, 3);
        var output = distributed.forward(input);
        Assert.Equal([2, 4, 5, 6, 2], output.shape);
        Close(PerStep(distributed.Layer, input), output, 1e-6);
    }

    [Fact]
    public void FlattenAndPoolingKeepTheTimeAxis()
    {
        using var scope = NewDisposeScope();
        using var flatten = new TimeDistributed(new Flatten());
        Assert.Equal([2, 3, 20], flatten.forward(Uniform(2, 3, 4, 5)).shape);
        using var pool = new TimeDistributed(new MaxPooling1D(2, 2));
        var input = Uniform(2, 3, 6, 2);
        Assert.Equal([2, 3, 3, 2], pool.forward(input).shape);
        Close(PerStep(pool.Layer, input), pool.forward(input), 0);
        Assert.Equal(0, pool.WeightCount);
    }

    [Fact]
    public void WeightsAreTheWrappedLayersUnderItsKerasName()
    {
        using var dense = new TimeDistributed(new Dense(5, 4));
        Assert.Equal("dense", dense.LayerName);
        Assert.Equal(["dense.kernel", "dense.bias"], dense.named_parameters().Select(p => p.name));
        Assert.Equal(["dense.kernel", "dense.bias"], dense.Weights().Select(w => w.Name));

        using var normalization = new TimeDistributed(new BatchNormalization(3), "batch_normalization_2");
        Assert.Equal(
            ["batch_normalization_2.gamma", "batch_normalization_2.beta", "batch_normalization_2.moving_mean", "batch_normalization_2.moving_variance"],
            normalization.Weights().Select(w => w.Name));
        Assert.Equal(normalization.Weights().Select(w => w.Name), normalization.state_dict().Keys);
        Assert.Equal([true, true, false, false], normalization.Weights().Select(w => w.Trainable));
        Assert.Equal(4 * 3, normalization.WeightCount);
    }

    [Fact]
    public void DefaultNamesAreKerasSnakeCase()
    {
        Assert.Equal("simple_rnn", new TimeDistributed(new SimpleRnn(2, 3)).LayerName);
        Assert.Equal("max_pooling1d", new TimeDistributed(new MaxPooling1D(2, 2)).LayerName);
        Assert.Equal("conv1d", new TimeDistributed(new Conv1D(2, 3, 2)).LayerName);
        Assert.Equal("batch_normalization", new TimeDistributed(new BatchNormalization(2)).LayerName);
        Assert.Equal("activation", new TimeDistributed(new ActivationLayer(Activation.Relu)).LayerName);
    }

    [Fact]
    public void BatchNormalizationWhileTrainingNormalizesEachStepOverTheBatchAndMovesOncePerStep()
    {
        using var scope = NewDisposeScope();
        using var distributed = new TimeDistributed(new BatchNormalization(3));
        var normalization = (BatchNormalization)distributed.Layer;
        // Steps with different means: folded statistics would leave each step off centre.
        var input = Uniform(6, 4, 3) + arange(4, ScalarType.Float32).view(1, 4, 1);
        var output = distributed.forward(input);
        Close(zeros(4, 3), output.mean([0]), 1e-5);

        var expected = zeros(3);
        foreach (var step in input.unbind(1))
            expected = expected * normalization.Momentum + step.mean([0]) * (1 - normalization.Momentum);
        Close(expected, normalization.MovingMean, 1e-6);

        distributed.eval();
        Close(PerStep(normalization, input), distributed.forward(input), 1e-6);
    }

    [Fact]
    public void ForwardLinearLeavesOutTheWrappedActivationAtEveryStep()
    {
        using var scope = NewDisposeScope();
        using var distributed = new TimeDistributed(new Dense(5, 4, Activation.Softmax));
        Assert.Equal(Activation.Softmax, distributed.Activation);
        var input = Uniform(2, 3, 5);
        var logits = distributed.ForwardLinear(input);
        var dense = (Dense)distributed.Layer;
        Close(stack(input.unbind(1).Select(dense.ForwardLinear).ToArray(), 1), logits, 1e-6);
        Close(logits.softmax(-1), distributed.forward(input), 1e-6);
        using var flatten = new TimeDistributed(new Flatten());
        Assert.Equal(Activation.Linear, flatten.Activation);
    }

    [Fact]
    public void AnInputWithoutATimeAxisIsRejected()
    {
        using var distributed = new TimeDistributed(new Dense(5, 4));
        var error = Assert.Throws<ArgumentException>(() => distributed.forward(zeros(2, 5)));
        Assert.Equal("input", error.ParamName);
        Assert.Contains("(2, 5)", error.Message);
    }
}

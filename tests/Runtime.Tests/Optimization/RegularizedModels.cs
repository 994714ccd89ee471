using ModelDsl.Runtime.Layers;
using ModelDsl.Runtime.Losses;
using ModelDsl.Runtime.Metrics;
using ModelDsl.Runtime.Optimizers;
using ModelDsl.Runtime.Training;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Optimization;

/// <summary>
/// Dense relu then dense softmax, shaped like a generated model, with regularizers set on the layers by the test. The
/// hidden layer runs through TorchSharp's <c>call</c> (which runs forward hooks) unless <c>callHidden</c> is false.
/// </summary>
public sealed class RegularizedClassifier : SequentialModel
{
    public const int Features = 4;
    public const int Hidden = 6;
    public const int Classes = 3;

    private readonly bool _callHidden;

    public RegularizedClassifier(Func<Dense>? hidden = null, Func<Dense>? output = null, Func<Optimizer>? optimizer = null,
        bool callHidden = true, int seed = 5)
        : base(new ModelConfig("RegularizedClassifier", Loss.SparseCategoricalCrossentropy(), optimizer ?? (() => new Sgd(learningRate: 0)),
            [Metric.SparseCategoricalAccuracy("accuracy")], null, [Features]), seed)
    {
        _callHidden = callHidden;
        // The layers as a generated constructor creates them; the tests' own set their regularizers in an initializer.
        HiddenLayer = Add("dense_1", hidden?.Invoke() ?? new Dense(Features, Hidden, Activation.Relu, biasInitializer: "random_normal"));
        OutputLayer = Add("dense_2", output?.Invoke() ?? new Dense(Hidden, Classes, Activation.Softmax));
        Build(CPU);
    }

    public Dense HiddenLayer { get; }

    public Dense OutputLayer { get; }

    protected override Activation OutputActivation => Activation.Softmax;

    protected override Tensor ForwardLogits(Tensor input)
    {
        using var x = _callHidden ? HiddenLayer.call(input) : HiddenLayer.forward(input);
        return OutputLayer.ForwardLinear(x);
    }
}

/// <summary>A layer around a Dense, as wrappers hold theirs: a registered submodule whose regularizers still count.</summary>
public sealed class WrappedDense : Layer
{
    private readonly Dense _inner;

    public WrappedDense(Dense inner) : base(nameof(WrappedDense))
    {
        _inner = inner;
        register_module("layer", inner);
    }

    public override Tensor forward(Tensor input) => _inner.forward(input);
}

/// <summary>One wrapped Dense softmax layer.</summary>
public sealed class WrappedClassifier : SequentialModel
{
    public WrappedClassifier(Func<Dense>? inner = null)
        : base(new ModelConfig("WrappedClassifier", Loss.SparseCategoricalCrossentropy(), () => new Sgd(learningRate: 0), [], null, [RegularizedClassifier.Features]), 5)
    {
        Inner = inner?.Invoke() ?? new Dense(RegularizedClassifier.Features, RegularizedClassifier.Classes, Activation.Softmax);
        Wrapper = Add("wrapped_dense", new WrappedDense(Inner));
        Build(CPU);
    }

    public Dense Inner { get; }

    public WrappedDense Wrapper { get; }

    protected override Activation OutputActivation => Activation.Linear;

    protected override Tensor ForwardLogits(Tensor input) => Wrapper.forward(input);
}

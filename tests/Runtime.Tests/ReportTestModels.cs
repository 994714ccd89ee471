using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Layers;
using ModelDsl.Runtime.Losses;
using ModelDsl.Runtime.Metrics;
using ModelDsl.Runtime.Optimizers;
using ModelDsl.Runtime.Training;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests;

/// <summary>A small image classifier shaped like a generated model: flatten, dense relu, dense softmax, uint8 pixels rescaled.</summary>
public sealed class TinyImageClassifier : SequentialModel
{
    private readonly Flatten _flatten;
    private readonly Dense _hidden;
    private readonly Dense _output;

    public TinyImageClassifier(int side, int classes, int hidden = 32, int? seed = 5)
        : base(new ModelConfig(
            "TinyImageClassifier",
            Loss.SparseCategoricalCrossentropy(),
            () => new Adam(learningRate: 0.003),
            [Metric.SparseCategoricalAccuracy("accuracy")],
            1 / 255.0,
            [side, side]), seed)
    {
        _flatten = Add("flatten", new Flatten());
        _hidden = Add("dense", new Dense(side * side, hidden, Activation.Relu));
        _output = Add("dense_1", new Dense(hidden, classes, Activation.Softmax));
        Build(CPU);
    }

    protected override Activation OutputActivation => Activation.Softmax;

    protected override Tensor ForwardLogits(Tensor input)
    {
        using var flat = _flatten.forward(input);
        using var hidden = _hidden.forward(flat);
        return _output.ForwardLinear(hidden);
    }

    /// <summary>
    /// <paramref name="side"/> x <paramref name="side"/> uint8 images of <paramref name="classes"/> classes: class c is a
    /// bright horizontal band in the c-th stripe of the image, over noise. Int64 labels.
    /// </summary>
    public static Dataset Bands(int count, int side, int classes, int seed = 1)
    {
        var random = new Random(seed);
        var pixels = new byte[count * side * side];
        var labels = new long[count];
        var band = side / classes;
        for (var i = 0; i < count; i++)
        {
            var label = i % classes;
            labels[i] = label;
            for (var y = 0; y < side; y++)
                for (var x = 0; x < side; x++)
                    pixels[(i * side + y) * side + x] = (byte)(y / band == label ? 160 + random.Next(96) : random.Next(120));
        }
        return new Dataset(tensor(pixels, [count, side, side]), tensor(labels));
    }
}

/// <summary>A linear regressor on four features, mean squared error: a model the report has no classes for.</summary>
public sealed class TinyRegressor : SequentialModel
{
    private readonly Dense _output;

    public TinyRegressor()
        : base(new ModelConfig("TinyRegressor", Loss.MeanSquaredError(), () => new Sgd(learningRate: 0.05), [Metric.MeanAbsoluteError("mae")], null, [4]), seed: 3)
    {
        _output = Add("dense", new Dense(4, 1));
        Build(CPU);
    }

    protected override Activation OutputActivation => Activation.Linear;

    protected override Tensor ForwardLogits(Tensor input) => _output.ForwardLinear(input);

    /// <summary>y = the sum of four features in 0..1.</summary>
    public static Dataset Sums(int count, int seed = 1)
    {
        var random = new Random(seed);
        var features = new float[count * 4];
        var targets = new float[count];
        for (var i = 0; i < count; i++)
        {
            for (var f = 0; f < 4; f++)
            {
                features[i * 4 + f] = (float)random.NextDouble();
                targets[i] += features[i * 4 + f];
            }
        }
        return new Dataset(tensor(features, [count, 4]), tensor(targets, [count, 1]));
    }
}

/// <summary>One dense layer from four features with any loss and output activation: the report's classifier kinds, untrained.</summary>
public sealed class TinyHead : SequentialModel
{
    private readonly Dense _output;

    public TinyHead(Loss loss, int outputs, Activation activation)
        : base(new ModelConfig("TinyHead", loss, () => new Sgd(), [], null, [4]), seed: 11)
    {
        _output = Add("dense", new Dense(4, outputs, activation));
        OutputActivation = activation;
        Build(CPU);
    }

    protected override Activation OutputActivation { get; }

    protected override Tensor ForwardLogits(Tensor input) => _output.ForwardLinear(input);
}

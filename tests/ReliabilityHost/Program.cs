using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using ModelDsl.Runtime;
using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Layers;
using ModelDsl.Runtime.Losses;
using ModelDsl.Runtime.Metrics;
using ModelDsl.Runtime.Optimizers;
using ModelDsl.Runtime.Training;
using static TorchSharp.torch;

namespace ModelDsl.ReliabilityHost;

/// <summary>
/// <c>ReliabilityHost MODEL EPOCHS CHECKPOINT_DIR RESULT_FILE [--resume]</c>: trains <c>small</c> (a classifier whose
/// epochs take a noticeable time) or <c>wide</c> (8 MB of weights, one step per epoch, so it is mostly writing
/// checkpoints) with a checkpoint per epoch, then writes the history, optimizer step and learning rate as JSON.
/// <c>ReliabilityHost stream ...</c> is <see cref="StreamHost"/>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        // The first TorchSharp call: through the runtime's loader, whose failure says why.
        TorchLibrary.EnsureLoaded();
        set_num_threads(1);
        if (args[0] == "alloc")
            return Allocate();
        if (args[0] == "stream")
            return StreamHost.Run(args[1..]);
        var (kind, epochs, directory, result) = (args[0], int.Parse(args[1], CultureInfo.InvariantCulture), args[2], args[3]);
        using var model = HostModel.Create(kind);
        using var data = HostModel.Data(kind);
        var history = model.Fit(data, new FitOptions
        {
            Epochs = epochs,
            BatchSize = 8,
            Seed = 3,
            Verbose = Verbosity.OneLinePerEpoch,
            Log = Console.Out,
            CheckpointDirectory = directory,
            Resume = args.Contains("--resume"),
        });
        File.WriteAllText(result, JsonSerializer.Serialize(new HostResult(
            history.ToJson(), model.Optimizer.Iterations, model.Optimizer.LearningRate)));
        return 0;
    }

    /// <summary>
    /// <c>ReliabilityHost alloc</c>: asks for 1e13 float32 elements (40 TB), which must fail as libtorch's error (an
    /// ExternalException in TorchSharp), then shows the process still computes. A child process, because where the
    /// kernel overcommits memory a runtime that failed this check would be killed, and would take the test run with it.
    /// </summary>
    private static int Allocate()
    {
        try
        {
            using var huge = zeros(100_000, 100_000, 1_000);
            Console.WriteLine("allocated");
            return 1;
        }
        catch (ExternalException e)
        {
            Console.WriteLine($"ExternalException: {e.Message.ReplaceLineEndings(" ")}");
        }
        using var small = ones(3);
        using var sum = small.sum();
        Console.WriteLine($"alive: {sum.item<float>().ToString(CultureInfo.InvariantCulture)}");
        return 0;
    }
}

/// <summary>What a run ends with, compared between an interrupted-and-resumed run and an uninterrupted one.</summary>
public sealed record HostResult(string History, long Iterations, double LearningRate);

/// <summary>Dense relu, dropout, dense softmax: the shape of a generated model, with Keras' legacy Adam decay.</summary>
public sealed class HostModel : SequentialModel
{
    private readonly Dense _hidden;
    private readonly Dropout _dropout;
    private readonly Dense _output;

    private HostModel(int features, int hidden)
        : base(new ModelConfig("HostModel", Loss.SparseCategoricalCrossentropy(), () => new Adam(learningRate: 0.01, decay: 1e-3),
            [Metric.SparseCategoricalAccuracy("accuracy")], null, [features]), seed: 7)
    {
        _hidden = Add("dense", new Dense(features, hidden, Activation.Relu));
        _dropout = Add("dropout", new Dropout(0.3));
        _output = Add("dense_1", new Dense(hidden, 3, Activation.Softmax));
        Build(CPU);
    }

    public static HostModel Create(string kind) => kind == "wide" ? new HostModel(1024, 2048) : new HostModel(8, 32);

    /// <summary><c>small</c>: 2,400 samples (300 steps an epoch); <c>wide</c>: 8 samples (one step).</summary>
    public static Dataset Data(string kind)
    {
        var (count, features) = kind == "wide" ? (8, 1024) : (2_400, 8);
        var random = new Random(1);
        var inputs = new float[count * features];
        var labels = new long[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = i % 3;
            for (var f = 0; f < features; f++)
                inputs[i * features + f] = (float)((f % 3 == labels[i] ? 0.6 : 0.1) + 0.35 * random.NextDouble());
        }
        return new Dataset(tensor(inputs, [count, features]), tensor(labels));
    }

    protected override Activation OutputActivation => Activation.Softmax;

    protected override Tensor ForwardLogits(Tensor input) => _output.ForwardLinear(_dropout.forward(_hidden.forward(input)));
}

using System.Globalization;
using ModelDsl.Runtime;
using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Training;

namespace ModelDsl.Bench;

/// <summary>
/// graph-check: trains a model (the reference one unless --model names another) for N steps from the same seed twice,
/// op by op and with the step replayed as a CUDA graph, and compares the per-step losses (dropout included). Exit code
/// 1 when any differs by more than 1e-4.
/// </summary>
internal static class GraphCheck
{
    private const double Tolerance = 1e-4;

    public static int Run(Dataset train, Device device, Func<int, SequentialModel> create, int steps, int batch)
    {
        if (!device.IsCuda || !CudaGraph.Supported)
        {
            Console.Error.WriteLine($"graph-check needs --device cuda and a CUDA build of the native shim (device {device}, graphs {CudaGraph.Supported})");
            return 2;
        }
        var eager = Losses(train, create, steps, batch, graphs: false);
        var graphed = Losses(train, create, steps, batch, graphs: true);
        double worst = 0;
        for (var i = 0; i < steps; i++)
        {
            var difference = Math.Abs(eager[i] - graphed[i]);
            worst = Math.Max(worst, difference);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"step {i + 1,3}: eager {eager[i]:0.000000} graph {graphed[i]:0.000000} diff {difference:0.0e+00}"));
        }
        bool agree = worst <= Tolerance;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"graph_check_max_loss_diff={worst:0.0e+00} steps={steps} agree={agree}"));
        return agree ? 0 : 1;
    }

    private static List<double> Losses(Dataset train, Func<int, SequentialModel> create, int steps, int batch, bool graphs)
    {
        using var model = create(7);
        using var data = train.Take((long)steps * batch);
        var recorder = new LossRecorder();
        model.Fit(data, new FitOptions
        {
            Epochs = 1, BatchSize = batch, Seed = 7, Verbose = Verbosity.Silent, Callbacks = [recorder], CudaGraphs = graphs,
        });
        return recorder.Losses;
    }

    private sealed class LossRecorder : Callback
    {
        public List<double> Losses { get; } = [];

        public override void OnBatchEnd(TrainingContext context, int batch, IReadOnlyDictionary<string, double> logs) =>
            Losses.Add(context.BatchLoss);
    }
}

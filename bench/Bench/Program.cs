using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ModelDsl.Bench;
using ModelDsl.Runtime;
using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Optimizers;
using ModelDsl.Runtime.Training;

const string Usage = "usage: Bench seed-lstm|tanh-lstm|cnn|predict|graph-check [--steps N] [--batch B] [--threads T] [--blas-threads B] " +
                     "[--device cpu|cuda] [--no-graphs] [--model seed-lstm|tanh-lstm|cnn] [--peer] [--rounds R] [--data DIR] " +
                     "[--rss-every N] [--profile] [--unfused]";

string[] modes = ["seed-lstm", "tanh-lstm", "cnn", "predict", "graph-check"];
if (args.Length == 0 || !modes.Contains(args[0]))
{
    Console.Error.WriteLine(Usage);
    return 2;
}
var mode = args[0];
int steps = 200, threads = 1, rssEvery = 0, rounds = 3;
int? blasThreads = null, batchOption = null;
string device = "cpu";
// The model graph-check trains; the other modes are named after theirs.
string checkedModel = "seed-lstm";
string? dataDirectory = null;
bool peer = false, profile = false, unfused = false, graphs = true;
for (var i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--steps" when i + 1 < args.Length:
            steps = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--batch" when i + 1 < args.Length:
            batchOption = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--threads" when i + 1 < args.Length:
            threads = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--blas-threads" when i + 1 < args.Length:
            blasThreads = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--device" when i + 1 < args.Length:
            device = args[++i];
            break;
        case "--data" when i + 1 < args.Length:
            dataDirectory = args[++i];
            break;
        case "--rounds" when i + 1 < args.Length:
            rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--rss-every" when i + 1 < args.Length:
            rssEvery = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--peer":
            peer = true;
            break;
        case "--profile":
            profile = true;
            break;
        case "--unfused":
            unfused = true;
            break;
        case "--no-graphs":
            graphs = false;
            break;
        case "--model" when i + 1 < args.Length:
            checkedModel = args[++i];
            if (!modes[..3].Contains(checkedModel))
            {
                Console.Error.WriteLine($"unknown --model '{checkedModel}': seed-lstm, tanh-lstm or cnn\n{Usage}");
                return 2;
            }
            break;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'\n{Usage}");
            return 2;
    }
}
var modelName = mode == "graph-check" ? checkedModel : mode;
int batch = batchOption ?? (modelName == "cnn" ? 64 : 32);
int blas = blasThreads ?? threads;

dataDirectory ??= MnistFiles.DefaultDirectory();
var (train, test) = Mnist.Load(dataDirectory);
using (test)
using (train)
{
    Torch.SetNumThreads(threads);
    // OpenBLAS sized its pool from the environment at load; this resizes it (.NET cannot set the native environment).
    if (!Torch.SetBlasThreads(blas))
        Console.WriteLine("note: libtorch's BLAS is not OpenBLAS; --blas-threads has no effect");
    Torch.FusedKernels = !unfused;
    var target = Device.Parse(device);
    Console.WriteLine($"{mode}: libtorch {Torch.Version}, device {target}, intra-op threads {Torch.NumThreads}, " +
                      $"blas threads {Torch.BlasThreads}, fused kernels {Torch.FusedKernels}, keeps freed memory {Torch.KeepsFreedMemory}, " +
                      $"cuda graphs {(target.IsCuda ? graphs && CudaGraph.Supported : false)}, batch {batch}, load {Load()}");
    SequentialModel Create(int seed) => modelName switch
    {
        "cnn" => new MnistCnn(target, seed),
        "tanh-lstm" => new SeedLstm(target, seed, Activation.Tanh),
        _ => new SeedLstm(target, seed),
    };
    if (mode == "graph-check")
        return GraphCheck.Run(train, target, Create, steps == 200 ? 20 : steps, batch);

    // Warm-up on a throwaway model: .NET's JIT and the first native calls, paid once per process (the peer pays its
    // equivalents at import time, before its clock starts).
    using (var warmUp = Create(1))
    using (var few = train.Take(3 * batch))
    {
        warmUp.Fit(few, new FitOptions { Epochs = 1, BatchSize = batch, Seed = 1, Verbose = Verbosity.Silent });
        using var predicted = warmUp.Predict(few.Inputs, batch);
    }

    using var model = Create(42);
    string unit = mode == "predict" ? "samples_per_s" : "steps_per_s";
    if (profile)
    {
        Console.WriteLine($"steps_per_s={Profile(model, train, steps, batch):0.0}");
        return 0;
    }

    // The peer shuffles all 60000 samples and stops after N batches; index-selecting from the first N*batch costs the same.
    // More steps than one epoch holds (--rss-every runs) become several epochs over an equal share.
    int epochs = (int)Math.Ceiling((double)steps * batch / train.Count);
    int stepsPerEpoch = steps / epochs;
    steps = stepsPerEpoch * epochs;
    using var timed = train.Take((long)stepsPerEpoch * batch);

    double TimePredict()
    {
        var clock = Stopwatch.StartNew();
        using var outputs = model.Predict(test.Inputs, batch);
        Torch.Synchronize(target);
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"predict samples={outputs.Size(0)} seconds={seconds:0.00} samples_per_s={outputs.Size(0) / seconds:0}");
        return outputs.Size(0) / seconds;
    }

    double TimeTraining()
    {
        long liveBefore = Torch.LiveTensorCount;
        var callbacks = rssEvery > 0 ? new Callback[] { new RssReporter(rssEvery) } : [];
        var clock = Stopwatch.StartNew();
        var history = model.Fit(timed, new FitOptions
        {
            Epochs = epochs, BatchSize = batch, Seed = 42, Verbose = Verbosity.Silent, Callbacks = callbacks, CudaGraphs = graphs,
        });
        Torch.Synchronize(target);
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"train steps={steps} seconds={seconds:0.00} steps_per_s={steps / seconds:0.0} loss={history["loss"][^1]:0.0000} " +
                          $"accuracy={history["accuracy"][^1]:0.0000} live_tensors_delta={Torch.LiveTensorCount - liveBefore}");
        return steps / seconds;
    }

    string[] peerArgs = mode switch
    {
        "cnn" => ["bench/peers/pytorch_mnist_cnn.py", dataDirectory, Text(steps)],
        "predict" => ["bench/peers/pytorch_seed_predict.py", dataDirectory, Text(batch)],
        _ => ["../shared/peers/pytorch_seed_model.py", dataDirectory, Text(steps), mode == "tanh-lstm" ? "tanh" : "relu",
              device.StartsWith("cuda", StringComparison.Ordinal) ? "cuda" : "cpu"],
    };

    // With the peer: rounds of ours then theirs, back to back, so that both see the same moments of a shared machine's
    // load; the median of the per-round ratios is the figure (one round's ratio swings with the other tenants' work).
    var ourRates = new List<double>();
    var ratios = new List<double>();
    var peerRates = new List<double>();
    for (var round = 1; round <= (peer ? rounds : 1); round++)
    {
        var ours = mode == "predict" ? TimePredict() : TimeTraining();
        ourRates.Add(ours);
        if (!peer)
            continue;
        var theirs = RunPeer(peerArgs, unit, threads, blas);
        if (theirs is null)
            return 1;
        peerRates.Add(theirs.Value);
        ratios.Add(ours / theirs.Value);
        Console.WriteLine($"round={round} {unit}={ours:0.0} peer_{unit}={theirs:0.0} ratio={ours / theirs.Value:0.00} load={Load()}");
    }

    Console.WriteLine($"{unit}={Median(ourRates):0.0}");
    if (mode != "predict")
        Console.WriteLine($"est_epoch_s={60000.0 / batch / Median(ourRates):0.0}");
    Console.WriteLine($"peak_rss_mb={Status("VmHWM:"):0}");
    if (peer)
    {
        Console.WriteLine($"peer_{unit}={Median(peerRates):0.0}");
        Console.WriteLine($"ratio={Median(ratios):0.00} (median of {ratios.Count} rounds: {string.Join(", ", ratios.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))})");
    }
}
return 0;

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

static string Load() => File.ReadAllText("/proc/loadavg").Trim();

// A /proc/self/status figure in MB (VmHWM: peak RSS, VmRSS: now).
static double Status(string key)
{
    foreach (var line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith(key, StringComparison.Ordinal))
            return double.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
    return double.NaN;
}

// Time per phase of the training step, the loop Fit runs minus shuffling and metrics: where a step's time goes.
static double Profile(SequentialModel model, Dataset train, int steps, int batch)
{
    var profiled = (IProfiled)model;
    var parameters = model.TrainableParameters();
    var optimizer = model.Optimizer;
    string[] names = ["batch+preprocess", "forward", "loss", "backward", "optimizer"];
    var phases = new double[names.Length];
    var clock = new Stopwatch();
    model.Train();
    Torch.ManualSeed(42);
    var total = Stopwatch.StartNew();
    for (var step = 0; step < steps; step++)
    {
        using var scope = new DisposeScope();
        clock.Restart();
        var (inputs, targets) = train.Batch(step, batch);
        var x = model.Preprocess(inputs);
        phases[0] += clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        var logits = profiled.Logits(x);
        phases[1] += clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        var loss = model.Config.Loss.Compute(logits, profiled.OutputActivation, targets);
        phases[2] += clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        Optimizer.ClearGradients(parameters);
        loss.Backward();
        phases[3] += clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        optimizer.Step(parameters);
        phases[4] += clock.Elapsed.TotalMilliseconds;
    }
    var seconds = total.Elapsed.TotalSeconds;
    for (var i = 0; i < names.Length; i++)
        Console.WriteLine($"profile {names[i]}_ms_per_step={phases[i] / steps:0.000}");
    return steps / seconds;
}

// Runs a peer under bench/peers/measure.py (which adds its peak RSS) with the same thread settings as ours.
static double? RunPeer(string[] peerArgs, string unit, int threads, int blas)
{
    var root = FindRoot();
    if (root is null)
    {
        Console.Error.WriteLine("peer: the repository root (bench/peers) was not found above the build output");
        return null;
    }
    var script = Path.GetFullPath(Path.Combine(root, peerArgs[0]));
    if (!File.Exists(script))
    {
        Console.Error.WriteLine($"peer: {script} not found (shared/ sits beside the repository)");
        return null;
    }
    var start = new ProcessStartInfo("/usr/bin/python3", [Path.Combine(root, "bench/peers/measure.py"), script, .. peerArgs[1..]])
    {
        RedirectStandardOutput = true,
        UseShellExecute = false,
    };
    start.Environment["OPENBLAS_NUM_THREADS"] = blas.ToString(CultureInfo.InvariantCulture);
    start.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
    var settings = $"OPENBLAS_NUM_THREADS={blas} OMP_NUM_THREADS={threads}";
    // The heap settings our shim applies (Native/allocator.cpp) speed PyTorch up as much: the peer gets them too.
    if (Torch.KeepsFreedMemory)
    {
        start.Environment["MALLOC_MMAP_THRESHOLD_"] = "33554432";
        start.Environment["MALLOC_TRIM_THRESHOLD_"] = "1073741824";
        settings += " MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824";
    }
    Console.WriteLine($"peer: {settings} /usr/bin/python3 {string.Join(' ', start.ArgumentList)}");
    using var python = Process.Start(start)!;
    var output = python.StandardOutput.ReadToEnd();
    python.WaitForExit();
    foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        Console.WriteLine("peer: " + line);
    var match = Regex.Match(output, unit + @"=([0-9.]+)");
    var rss = Regex.Match(output, @"peak_rss_mb=([0-9.]+)");
    if (python.ExitCode != 0 || !match.Success)
    {
        Console.Error.WriteLine($"peer: exited with {python.ExitCode} without a {unit} line");
        return null;
    }
    if (rss.Success)
        Console.WriteLine($"peer_peak_rss_mb={rss.Groups[1].Value}");
    return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
}

static string? FindRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        if (File.Exists(Path.Combine(directory.FullName, "bench", "peers", "measure.py")))
            return directory.FullName;
    return null;
}

/// <summary>Prints the resident set every N steps, then how much it grew after the first report (flat: no leak).</summary>
internal sealed class RssReporter(int every) : Callback
{
    private double? _first;
    private double _last;
    private int _steps;

    public override void OnBatchEnd(TrainingContext context, int batch, IReadOnlyDictionary<string, double> logs)
    {
        if (++_steps % every != 0)
            return;
        _last = Rss();
        _first ??= _last;
        Console.WriteLine($"rss step={_steps} rss_mb={_last:0.0}");
    }

    public override void OnTrainEnd(TrainingContext context)
    {
        if (_first is { } first)
            Console.WriteLine($"rss_growth_mb={_last - first:0.0}");
    }

    private static double Rss()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return double.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
        return double.NaN;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ModelDsl.Bench;
using ModelDsl.Runtime;
using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Layers;
using ModelDsl.Runtime.Optimizers;
using ModelDsl.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

const string Usage = "usage: Bench seed-lstm|tanh-lstm|cnn|predict|onnx [--steps N] [--batch B] [--threads T] [--device cpu|cuda] " +
                     "[--peer] [--rounds R] [--data DIR] [--rss-every N] [--profile] [--unfused]";

string[] modes = ["seed-lstm", "tanh-lstm", "cnn", "predict", "onnx"];
if (args.Length == 0 || !modes.Contains(args[0]))
{
    Console.Error.WriteLine(Usage);
    return 2;
}
var mode = args[0];
int steps = 200, threads = 1, rssEvery = 0, rounds = 3;
int? batchOption = null;
string device = "cpu";
string? dataDirectory = null;
bool peer = false, profile = false, unfused = false;
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
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'\n{Usage}");
            return 2;
    }
}
int batch = batchOption ?? (mode == "cnn" ? 64 : 32);

dataDirectory ??= MnistFiles.DefaultDirectory();
var (train, test) = Mnist.Load(dataDirectory);
using (test)
using (train)
{
    torch.set_num_threads(threads);
    // Thread-static: this thread trains (Fit runs on its caller's thread).
    RecurrentKernels.Fused = !unfused;
    var target = Devices.Parse(device);
    bool cuda = target.type == DeviceType.CUDA;
    Console.WriteLine($"{mode}: TorchSharp {typeof(torch).Assembly.GetName().Version}, libtorch {torch.__version__}, device {target}, " +
                      $"intra-op threads {torch.get_num_threads()}, fused kernels {!unfused}, batch {batch}, load {Load()}");
    SequentialModel Create(int seed)
    {
        SequentialModel model = mode switch
        {
            "cnn" => new MnistCnn(target, seed),
            "tanh-lstm" => new SeedLstm(target, seed, Activation.Tanh),
            _ => new SeedLstm(target, seed),
        };
        model.Optimizer.FusedCpuKernels = !unfused;
        return model;
    }

    // Warm-up on a throwaway model: the first native calls and .NET's tiered JIT, paid once per process. 30 steps, as
    // the TorchSharp peer warms up: the fused kernels' loops run unoptimised until tier 1 has compiled them (the
    // peers pay their equivalents at import or in those steps, before their clocks start).
    using (var warmUp = Create(1))
    using (var few = train.Take(30 * batch))
    {
        warmUp.Fit(few, new FitOptions { Epochs = 1, BatchSize = batch, Seed = 1, Verbose = Verbosity.Silent });
        using var predicted = warmUp.Predict(few.Inputs, batch);
    }

    using var model = Create(42);
    if (mode == "onnx")
        return OnnxBench.Run(model, test, batch, rounds, threads);
    if (profile)
    {
        Console.WriteLine($"steps_per_s={Profile(model, train, steps, batch):0.0}");
        return 0;
    }

    // The peers shuffle all 60000 samples and stop after N batches; index-selecting from the first N*batch costs the same.
    // More steps than one epoch holds (--rss-every runs) become several epochs over an equal share.
    int epochs = (int)Math.Ceiling((double)steps * batch / train.Count);
    int stepsPerEpoch = steps / epochs;
    steps = stepsPerEpoch * epochs;
    using var timed = train.Take((long)stepsPerEpoch * batch);
    string unit = mode == "predict" ? "samples_per_s" : "steps_per_s";

    var peers = new List<Peer>();
    if (peer)
    {
        if (FindRoot() is not { } root)
        {
            Console.Error.WriteLine("peer: the repository root (bench/peers) was not found above the build output");
            return 1;
        }
        string cell = mode == "tanh-lstm" ? "tanh" : "relu";
        string[] script = mode switch
        {
            "cnn" => ["bench/peers/pytorch_mnist_cnn.py", dataDirectory, Text(steps)],
            "predict" => ["bench/peers/pytorch_seed_predict.py", dataDirectory, Text(batch)],
            _ => ["../shared/peers/pytorch_seed_model.py", dataDirectory, Text(steps), cell, cuda ? "cuda" : "cpu"],
        };
        if (PythonPeer(root, script, threads) is not { } pytorch)
            return 1;
        peers.Add(pytorch);
        if (mode is "seed-lstm" or "tanh-lstm")
        {
            if (cuda)
                Console.WriteLine("note: the TorchSharp peer is built on TorchSharp-cpu; it is left out on CUDA");
            else if (TorchSharpPeer(root, [dataDirectory, cell, $"steps:{steps}"], threads) is { } torchSharp)
                peers.Add(torchSharp);
            else
                return 1;
        }
    }

    double TimePredict()
    {
        var clock = Stopwatch.StartNew();
        using var outputs = model.Predict(test.Inputs, batch);
        if (cuda)
            torch.cuda.synchronize(target);
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"predict samples={outputs.size(0)} seconds={seconds:0.00} samples_per_s={outputs.size(0) / seconds:0}");
        return outputs.size(0) / seconds;
    }

    double TimeTraining()
    {
        long liveBefore = LiveTensors();
        var callbacks = rssEvery > 0 ? new Callback[] { new RssReporter(rssEvery) } : [];
        var clock = Stopwatch.StartNew();
        var history = model.Fit(timed, new FitOptions
        {
            Epochs = epochs, BatchSize = batch, Seed = 42, Verbose = Verbosity.Silent, Callbacks = callbacks,
        });
        if (cuda)
            torch.cuda.synchronize(target);
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"train steps={steps} seconds={seconds:0.00} steps_per_s={steps / seconds:0.0} loss={history["loss"][^1]:0.0000} " +
                          $"accuracy={history["accuracy"][^1]:0.0000} live_tensors_delta={LiveTensors() - liveBefore}");
        return steps / seconds;
    }

    // Rounds of ours then each peer, back to back, so that all see the same moments of a shared machine's load; the
    // median of the per-round ratios is the figure (one round's ratio swings with the other tenants' work).
    var ourRates = new List<double>();
    var peerRates = peers.ToDictionary(p => p.Name, _ => new List<double>());
    var ratios = peers.ToDictionary(p => p.Name, _ => new List<double>());
    var peerRss = peers.ToDictionary(p => p.Name, _ => double.NaN);
    for (var round = 1; round <= (peer ? rounds : 1); round++)
    {
        var ours = mode == "predict" ? TimePredict() : TimeTraining();
        ourRates.Add(ours);
        if (!peer)
            continue;
        var line = $"round={round} {unit}={ours:0.0}";
        foreach (var p in peers)
        {
            if (RunPeer(p, unit) is not var (theirs, rss))
                return 1;
            peerRates[p.Name].Add(theirs);
            ratios[p.Name].Add(ours / theirs);
            if (rss is double mb)
                peerRss[p.Name] = double.IsNaN(peerRss[p.Name]) ? mb : Math.Max(peerRss[p.Name], mb);
            line += $" peer_{p.Name}_{unit}={theirs:0.0} ratio_{p.Name}={ours / theirs:0.00}";
        }
        Console.WriteLine($"{line} load={Load()}");
    }

    Console.WriteLine($"{unit}={Rounds.Median(ourRates):0.0}");
    foreach (var p in peers)
        Console.WriteLine($"peer_{p.Name}_{unit}={Rounds.Median(peerRates[p.Name]):0.0}");
    foreach (var p in peers)
        Console.WriteLine($"ratio_{p.Name}={Rounds.Median(ratios[p.Name]):0.00} (median of {ratios[p.Name].Count} rounds: " +
                          $"{string.Join(", ", ratios[p.Name].Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))})");
    if (mode != "predict")
        Console.WriteLine($"est_epoch_s={60000.0 / batch / Rounds.Median(ourRates):0.0}");
    Console.WriteLine($"peak_rss_mb={ProcessStatus.Megabytes("VmHWM:"):0}");
    foreach (var p in peers)
        Console.WriteLine($"peer_{p.Name}_peak_rss_mb={peerRss[p.Name]:0}");
}
return 0;

static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

static string Load() => File.ReadAllText("/proc/loadavg").Trim();

// Tensors created minus disposed on this thread: what training leaves behind (the optimizer's slots on a first fit).
static long LiveTensors() => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

// Time per phase of the training step, the loop Fit runs minus shuffling and metrics: where a step's time goes.
static double Profile(SequentialModel model, Dataset train, int steps, int batch)
{
    var profiled = (IProfiled)model;
    var parameters = model.TrainableParameters();
    var optimizer = model.Optimizer;
    string[] names = ["batch+preprocess", "forward", "loss", "backward", "optimizer"];
    var phases = new double[names.Length];
    var clock = new Stopwatch();
    model.train();
    torch.manual_seed(42);
    var total = Stopwatch.StartNew();
    for (var step = 0; step < steps; step++)
    {
        using var scope = torch.NewDisposeScope();
        clock.Restart();
        var (inputs, targets) = train.Batch(step, batch);
        var x = model.Preprocess(inputs);
        var y = targets.to(model.Device);
        phases[0] += clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        var logits = profiled.Logits(x);
        phases[1] += clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        var loss = model.Config.Loss.Compute(logits, profiled.OutputActivation, y);
        phases[2] += clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        Optimizer.ClearGradients(parameters);
        loss.backward();
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

// PyTorch under bench/peers/measure.py (which adds its peak RSS), with libtorch's thread count as ours. No heap
// settings: TorchSharp sets none for us, so none for the peers either.
static Peer? PythonPeer(string root, string[] script, int threads)
{
    var path = Path.GetFullPath(Path.Combine(root, script[0]));
    if (!File.Exists(path))
    {
        Console.Error.WriteLine($"peer: {path} not found (shared/ sits beside the repository)");
        return null;
    }
    return new Peer("pytorch", "/usr/bin/python3", [Path.Combine(root, "bench/peers/measure.py"), path, .. script[1..]],
        new() { ["OPENBLAS_NUM_THREADS"] = Text(threads), ["OMP_NUM_THREADS"] = Text(threads) });
}

// The reference model by hand in TorchSharp (shared/peers/torchsharp), built in a scratch directory: shared/ is
// read-only, and under the repository it would inherit Directory.Build.props. Rebuilt only when its sources change.
static Peer? TorchSharpPeer(string root, string[] arguments, int threads)
{
    var source = Path.GetFullPath(Path.Combine(root, "../shared/peers/torchsharp"));
    string[] files = ["Program.cs", "TorchSharpSeedModel.csproj", "weaken-glibcxx-3.4.32.sh"];
    if (files.FirstOrDefault(f => !File.Exists(Path.Combine(source, f))) is { } absent)
    {
        Console.Error.WriteLine($"peer: {Path.Combine(source, absent)} not found (shared/ sits beside the repository)");
        return null;
    }
    var scratch = Path.Combine(Path.GetTempPath(), "modeldsl-torchsharp-peer");
    var dll = Path.Combine(scratch, "bin/Release/net10.0/linux-x64/TorchSharpSeedModel.dll");
    Directory.CreateDirectory(scratch);
    var changed = !File.Exists(dll);
    foreach (var file in files)
    {
        var bytes = File.ReadAllBytes(Path.Combine(source, file));
        var copy = Path.Combine(scratch, file);
        if (File.Exists(copy) && File.ReadAllBytes(copy).AsSpan().SequenceEqual(bytes))
            continue;
        File.WriteAllBytes(copy, bytes);
        changed = true;
    }
    if (changed)
    {
        // The first build restores TorchSharp-cpu (~300 MB) unless the NuGet cache has it. No build servers: an idle
        // MSBuild node or compiler server would stay behind beside the timed runs.
        Console.WriteLine($"peer torchsharp: dotnet build -c Release in {scratch}");
        var build = new ProcessStartInfo("dotnet", ["build", "-c", "Release", "-nologo", "-v", "q", "--disable-build-servers"])
        {
            WorkingDirectory = scratch,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(build)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 || !File.Exists(dll))
        {
            Console.Error.WriteLine($"peer torchsharp: the build failed ({process.ExitCode}):\n{output}");
            return null;
        }
    }
    if (threads != 1)
        Console.WriteLine($"note: the TorchSharp peer sets 1 intra-op thread itself; --threads {threads} does not reach it");
    return new Peer("torchsharp", "dotnet", [dll, .. arguments], new() { ["OMP_NUM_THREADS"] = Text(threads) });
}

// One run of a peer: its rate and, where it prints one, its peak RSS in MB.
static (double Rate, double? PeakRss)? RunPeer(Peer peer, string unit)
{
    var start = new ProcessStartInfo(peer.Command, peer.Arguments) { RedirectStandardOutput = true, UseShellExecute = false };
    foreach (var (key, value) in peer.Environment)
        start.Environment[key] = value;
    var settings = string.Join(' ', peer.Environment.Select(e => $"{e.Key}={e.Value}"));
    Console.WriteLine($"peer {peer.Name}: {settings} {peer.Command} {string.Join(' ', peer.Arguments)}");
    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        Console.WriteLine($"peer {peer.Name}: {line}");
    var rate = Regex.Match(output, unit + @"=([0-9.]+)");
    var rss = Regex.Match(output, @"peak_rss_mb=([0-9.]+)");
    if (process.ExitCode != 0 || !rate.Success)
    {
        Console.Error.WriteLine($"peer {peer.Name}: exited with {process.ExitCode} without a {unit} line");
        return null;
    }
    return (double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture),
        rss.Success ? double.Parse(rss.Groups[1].Value, CultureInfo.InvariantCulture) : null);
}

static string? FindRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        if (File.Exists(Path.Combine(directory.FullName, "bench", "peers", "measure.py")))
            return directory.FullName;
    return null;
}

/// <summary>A peer program: what to run, and the environment it gets on top of ours.</summary>
internal sealed record Peer(string Name, string Command, string[] Arguments, Dictionary<string, string> Environment);

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
        _last = ProcessStatus.Megabytes("VmRSS:");
        _first ??= _last;
        Console.WriteLine($"rss step={_steps} rss_mb={_last:0.0}");
    }

    public override void OnTrainEnd(TrainingContext context)
    {
        if (_first is { } first)
            Console.WriteLine($"rss_growth_mb={_last - first:0.0}");
    }
}

internal static class ProcessStatus
{
    /// <summary>A /proc/self/status figure in MB (VmHWM: peak RSS, VmRSS: now).</summary>
    public static double Megabytes(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return double.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
        return double.NaN;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ModelDsl.Bench;
using ModelDsl.Runtime;
using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Training;

const string Usage = "usage: Bench seed-lstm --steps N [--threads T] [--device cpu|cuda] [--peer] [--data DIR]";

if (args.Length == 0 || args[0] != "seed-lstm")
{
    Console.Error.WriteLine(Usage);
    return 2;
}
int steps = 200, threads = 1;
string device = "cpu";
string? dataDirectory = null;
bool peer = false;
for (var i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--steps" when i + 1 < args.Length:
            steps = int.Parse(args[++i], CultureInfo.InvariantCulture);
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
        case "--peer":
            peer = true;
            break;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'\n{Usage}");
            return 2;
    }
}

// OpenBLAS sizes its thread pool from the environment when it loads, and .NET's Environment.SetEnvironmentVariable
// does not reach the native environment: so the bench re-runs itself with the variables set, like the peer's command.
var threadText = threads.ToString(CultureInfo.InvariantCulture);
if (Environment.GetEnvironmentVariable("OPENBLAS_NUM_THREADS") != threadText)
{
    var again = new ProcessStartInfo(Environment.ProcessPath!, args) { UseShellExecute = false };
    again.Environment["OPENBLAS_NUM_THREADS"] = threadText;
    again.Environment["OMP_NUM_THREADS"] = threadText;
    using var child = Process.Start(again)!;
    child.WaitForExit();
    return child.ExitCode;
}

dataDirectory ??= MnistFiles.DefaultDirectory();
var (train, test) = Mnist.Load(dataDirectory);
using (test)
using (train)
{
    Torch.SetNumThreads(threads);
    var target = Device.Parse(device);
    Console.WriteLine($"libtorch {Torch.Version}, device {target}, intra-op threads {Torch.NumThreads}, OPENBLAS_NUM_THREADS={threadText}");

    // Warm-up on a throwaway model: .NET's JIT and the first native calls, paid once per process (the peer pays its
    // equivalents at import time, before its clock starts).
    using (var warmUp = new SeedLstm(target, seed: 1))
    using (var few = train.Take(3 * 32))
        warmUp.Fit(few, new FitOptions { Epochs = 1, Seed = 1, Verbose = Verbosity.Silent });

    using var model = new SeedLstm(target, seed: 42);
    // The peer shuffles all 60000 samples and stops after N batches; index-selecting from the first N*32 costs the same.
    using var timed = train.Take((long)steps * 32);
    long liveBefore = Torch.LiveTensorCount;
    var clock = Stopwatch.StartNew();
    var history = model.Fit(timed, new FitOptions { Epochs = 1, BatchSize = 32, Seed = 42, Verbose = Verbosity.Silent });
    Torch.Synchronize(target);
    var seconds = clock.Elapsed.TotalSeconds;
    double ours = steps / seconds;
    Console.WriteLine($"train steps={steps} seconds={seconds:0.00} loss={history["loss"][0]:0.0000} accuracy={history["accuracy"][0]:0.0000} " +
                      $"live_tensors_delta={Torch.LiveTensorCount - liveBefore}");
    Console.WriteLine($"steps_per_s={ours:0.0}");
    Console.WriteLine($"est_epoch_s={1875 / ours:0.0}");
    Console.WriteLine($"peak_rss_mb={PeakRssMegabytes():0}");

    if (peer)
    {
        var theirs = RunPeer(dataDirectory, steps, threadText, device);
        if (theirs is null)
            return 1;
        Console.WriteLine($"peer_steps_per_s={theirs:0.0}");
        Console.WriteLine($"ratio={ours / theirs.Value:0.00}");
    }
}
return 0;

static double PeakRssMegabytes()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            return double.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
    return double.NaN;
}

static double? RunPeer(string dataDirectory, int steps, string threads, string device)
{
    var script = FindPeerScript();
    if (script is null)
    {
        Console.Error.WriteLine("peer: shared/peers/pytorch_seed_model.py not found beside the repository (../shared from its root)");
        return null;
    }
    var start = new ProcessStartInfo("/usr/bin/python3",
        [script, dataDirectory, steps.ToString(CultureInfo.InvariantCulture), "relu", device.StartsWith("cuda", StringComparison.Ordinal) ? "cuda" : "cpu"])
    {
        RedirectStandardOutput = true,
        UseShellExecute = false,
    };
    start.Environment["OPENBLAS_NUM_THREADS"] = threads;
    start.Environment["OMP_NUM_THREADS"] = threads;
    Console.WriteLine($"peer: /usr/bin/python3 {string.Join(' ', start.ArgumentList)}");
    using var python = Process.Start(start)!;
    var output = python.StandardOutput.ReadToEnd();
    python.WaitForExit();
    Console.Write(string.Concat(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "peer: " + l + "\n")));
    var match = Regex.Match(output, @"steps_per_s=([0-9.]+)");
    if (python.ExitCode != 0 || !match.Success)
    {
        Console.Error.WriteLine($"peer: exited with {python.ExitCode} without a steps_per_s line");
        return null;
    }
    return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
}

// shared/ sits beside the repository: ../shared from its root (/work/shared for /work/main).
static string? FindPeerScript()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        var candidate = Path.Combine(directory.FullName, "shared", "peers", "pytorch_seed_model.py");
        if (File.Exists(candidate))
            return candidate;
    }
    return null;
}

using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using ModelDsl.ReliabilityHost;
using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests;

/// <summary>
/// Issue #6: no input crashes the runtime and no run loses its work. Training runs are real child processes
/// (tests/ReliabilityHost) killed with SIGKILL, so nothing in this process can tidy up after them.
/// </summary>
[Collection(TrainingCollection.Name)]
public sealed class ReliabilityTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan ChildBound = TimeSpan.FromSeconds(120);
    private readonly string _dir = Directory.CreateTempSubdirectory("modeldsl-reliability-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void RunKilledWithSigkillResumesLikeAnUninterruptedRun()
    {
        const int epochs = 6;
        var whole = RunHost("small", epochs, Path.Combine(_dir, "whole"));

        var directory = Path.Combine(_dir, "killed");
        var first = Path.Combine(directory, "epoch-0001.ckpt");
        using (var child = StartHost("small", epochs, directory, Path.Combine(_dir, "killed.json")))
        {
            WaitFor(() => File.Exists(first), child);
            child.Kill();
            Assert.True(child.WaitForExit(ChildBound));
        }
        var newest = SequentialModel.NewestCheckpoint(directory);
        output.WriteLine($"killed after {Path.GetFileName(newest)}");
        Assert.False(File.Exists(Path.Combine(_dir, "killed.json")), "the child finished before it was killed; make its epochs longer");
        Assert.NotEqual("epoch-0006.ckpt", Path.GetFileName(newest));

        var (resumed, log) = RunHostWithLog("small", epochs, directory, "--resume");

        Assert.Contains($"Resuming from {newest}", log);
        Assert.Equal(whole, resumed);
    }

    [Fact]
    public void KillDuringACheckpointWriteLeavesThePreviousCheckpointsIntactAndResumable()
    {
        var directory = Path.Combine(_dir, "wide");
        var random = new Random(6);
        var attempts = 0;
        string[] abandoned = [];
        // A kill lands inside a write most of the time (the wide model mostly writes), not always: try a few times.
        while (abandoned.Length == 0 && attempts++ < 6)
        {
            using var child = StartHost("wide", 1_000, directory, Path.Combine(_dir, "wide.json"), "--resume");
            var seen = SequentialModel.NewestCheckpoint(directory);
            WaitFor(() => SequentialModel.NewestCheckpoint(directory) != seen, child);
            Thread.Sleep(random.Next(20, 300));
            child.Kill();
            Assert.True(child.WaitForExit(ChildBound));
            abandoned = Directory.GetFiles(directory, "*.tmp");
        }
        output.WriteLine($"{attempts} kill(s); interrupted write: {string.Join(", ", abandoned.Select(Path.GetFileName))}");
        Assert.NotEmpty(abandoned);

        // Every checkpoint under its real name is whole and loads into the model.
        var checkpoints = Directory.GetFiles(directory, "*.ckpt");
        using (var model = HostModel.Create("wide"))
        {
            foreach (var path in checkpoints)
                Assert.NotNull(model.LoadCheckpoint(path));
        }

        // Resuming continues from the newest whole checkpoint and clears the dead process's half-written file.
        var newest = SequentialModel.NewestCheckpoint(directory)!;
        var completed = int.Parse(Path.GetFileNameWithoutExtension(newest)["epoch-".Length..]);
        var (result, log) = RunHostWithLog("wide", completed + 1, directory, "--resume");
        Assert.Contains($"Resuming from {newest}", log);
        Assert.Equal(completed + 1, result.Iterations);
        Assert.Empty(Directory.GetFiles(directory, "*.tmp"));
    }

    [Fact]
    public void WrongShapedInputNamesTheExpectedAndActualShapes()
    {
        using var model = new TinyClassifier();
        using var wrong = zeros(5, TinyClassifier.Features + 1);
        using var flat = zeros(TinyClassifier.Features);
        using var data = new Dataset(zeros(6, 2, 2), zeros(6, dtype: ScalarType.Int64));

        var predict = Assert.Throws<ArgumentException>(() => model.Predict(wrong));
        Assert.StartsWith("TinyClassifier expects input (batch, 4) but got (5, 5)", predict.Message);
        Assert.StartsWith("TinyClassifier expects input (batch, 4) but got (4)", Assert.Throws<ArgumentException>(() => model.forward(flat)).Message);
        Assert.StartsWith("TinyClassifier expects input (batch, 4) but got (6, 2, 2)", Assert.Throws<ArgumentException>(() => model.Evaluate(data)).Message);
        Assert.StartsWith("TinyClassifier expects input (batch, 4) but got (6, 2, 2)",
            Assert.Throws<ArgumentException>(() => model.Fit(data, new FitOptions { Verbose = Verbosity.Silent })).Message);

        // The model is unharmed.
        using var right = zeros(5, TinyClassifier.Features);
        using var outputs = model.Predict(right);
        Assert.Equal([5L, TinyClassifier.Classes], outputs.shape);
    }

    // TorchSharp's own exception for a tensor whose native handle is gone: managed, before any native code runs.
    [Fact]
    public void DisposedTensorsAreManagedExceptionsEvenInsideTheModel()
    {
        using var model = new TinyClassifier();
        var inputs = zeros(2, TinyClassifier.Features);
        inputs.Dispose();
        Assert.Contains("Tensor invalid", Assert.Throws<InvalidOperationException>(() => model.Predict(inputs)).Message);
        Assert.Contains("Tensor invalid", Assert.Throws<InvalidOperationException>(() => model.forward(inputs)).Message);
    }

    [Fact]
    public void AnImpossibleAllocationIsAnExternalExceptionAndTheProcessCarriesOn()
    {
        using var child = Start(["alloc"]);
        // A few lines each way: reading them one after the other cannot fill a pipe and stall the child.
        var stdout = child.StandardOutput.ReadToEnd();
        var stderr = child.StandardError.ReadToEnd();
        Assert.True(child.WaitForExit(ChildBound));
        output.WriteLine(stdout);
        Assert.True(child.ExitCode == 0, $"exit {child.ExitCode}: {stdout}{stderr}");
        Assert.Matches("ExternalException: .*(alloc|memory)", stdout);
        Assert.Contains("alive: 3", stdout);
    }

    [Fact]
    public void LiveTensorsAndRssStayFlatOver5000TrainingSteps()
    {
        using var model = new TinyClassifier(hidden: 8);
        using var data = TinyClassifier.Clusters(1_000);
        var samples = new List<(long Step, long Live, long RssKb)>();
        var sampler = new StepSampler(step =>
        {
            if (step % 250 == 0)
                samples.Add((step, DisposeScopeManager.Statistics.ThreadTotalLiveCount, step % 1_000 == 0 ? SettledRssKb() : 0));
        });
        var clock = Stopwatch.StartNew();

        // 125 steps an epoch (batch 8), 40 epochs: 5,000 steps, through epoch ends, shuffles and metrics.
        model.Fit(data, new FitOptions { Epochs = 40, BatchSize = 8, Seed = 1, Verbose = Verbosity.Silent, Callbacks = [sampler] });

        Assert.Equal(5_000, model.Optimizer.Iterations);
        var warm = samples.First(s => s.Step >= 1_000);
        var last = samples[^1];
        output.WriteLine($"5,000 steps in {clock.Elapsed.TotalSeconds:F1} s; live tensors {warm.Live} -> {last.Live}; " +
                         $"VmRSS {warm.RssKb / 1024.0:F1} MB at step {warm.Step} -> {last.RssKb / 1024.0:F1} MB at step {last.Step}");
        output.WriteLine("VmRSS MB by step: " + string.Join(", ", samples.Where(s => s.RssKb > 0).Select(s => $"{s.Step}: {s.RssKb / 1024.0:F1}")));
        Assert.All(samples.Where(s => s.Step >= warm.Step), s => Assert.Equal(warm.Live, s.Live));
        // A leak of even 1 KB a step would show as 4 MB here; the bound leaves room for the GC's heap to settle.
        Assert.InRange(last.RssKb - warm.RssKb, long.MinValue, 16 * 1024);
    }

    [Fact]
    public void UnscaledInputsGiveOneWarningLineThatSaysWhatToAdd()
    {
        using var model = new TinyClassifier();
        using var data = TinyClassifier.Clusters(100, scale: 255);
        var log = new StringWriter();

        model.Fit(data, new FitOptions { Epochs = 3, BatchSize = 50, Seed = 1, Verbose = Verbosity.OneLinePerEpoch, Log = log });

        var warnings = log.ToString().Split('\n').Where(line => line.StartsWith("warning:", StringComparison.Ordinal)).ToArray();
        var warning = Assert.Single(warnings);
        Assert.Contains("inputs look unscaled", warning);
        Assert.Contains("preprocess: {rescale: 0.00392156862745098}", warning);
    }

    [Fact]
    public void ADownloadCutOffHalfwayLeavesNoFileInTheCache()
    {
        var content = new byte[200_000];
        new Random(4).NextBytes(content);
        using var server = new HalfServer(content);
        var files = new MnistFiles(_dir) { Mirrors = [server.Url], NpmPackage = null, DownloadTimeout = TimeSpan.FromSeconds(20) };

        var error = Assert.Throws<MnistUnavailableException>(() => files.Ensure());

        output.WriteLine(error.Message);
        Assert.True(server.Requests > 0);
        Assert.Contains($"{server.Url}train-images-idx3-ubyte.gz", error.Message);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    // ---- the child process ----

    private static Process Start(IEnumerable<string> arguments)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ReliabilityHost.dll"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        return Process.Start(start)!;
    }

    private static Process StartHost(string kind, int epochs, string directory, string result, params string[] flags) =>
        Start([kind, epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), directory, result, .. flags]);

    private HostResult RunHost(string kind, int epochs, string directory, params string[] flags) =>
        RunHostWithLog(kind, epochs, directory, flags).Result;

    private (HostResult Result, string Log) RunHostWithLog(string kind, int epochs, string directory, params string[] flags)
    {
        var result = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
        using var child = StartHost(kind, epochs, directory, result, flags);
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        Assert.True(child.WaitForExit(ChildBound), $"{kind} did not finish within {ChildBound}");
        Assert.True(child.ExitCode == 0, $"exit {child.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        return (JsonSerializer.Deserialize<HostResult>(File.ReadAllText(result))!, stdout.Result);
    }

    /// <summary>Polls until <paramref name="condition"/> holds, failing if the child exits or time runs out first.</summary>
    private static void WaitFor(Func<bool> condition, Process child)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (child.HasExited)
                Assert.Fail($"the child exited ({child.ExitCode}) first: {child.StandardError.ReadToEnd()}");
            Assert.True(clock.Elapsed < ChildBound, "timed out waiting for the child");
            Thread.Sleep(5);
        }
    }

    /// <summary>VmRSS after a full collection, so what the GC has not yet reclaimed does not read as a leak.</summary>
    private static long SettledRssKb()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(Regex.Match(line, @"\d+").Value);
    }

    /// <summary>
    /// On the loopback interface only: answers every request with headers promising a whole gzip body, sends half of
    /// it and closes the connection.
    /// </summary>
    private sealed class HalfServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Task _loop;
        private int _requests;

        public HalfServer(byte[] content)
        {
            var body = new MemoryStream();
            using (var gzip = new GZipStream(body, CompressionLevel.NoCompression, leaveOpen: true))
                gzip.Write(content);
            var bytes = body.ToArray();
            _listener.Start();
            Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/mnist/");
            _loop = Task.Run(async () =>
            {
                while (true)
                {
                    TcpClient client;
                    try { client = await _listener.AcceptTcpClientAsync(); }
                    catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
                    using (client)
                    {
                        Interlocked.Increment(ref _requests);
                        var stream = client.GetStream();
                        var request = new byte[4096];
                        _ = await stream.ReadAsync(request);
                        var header = $"HTTP/1.1 200 OK\r\nContent-Type: application/gzip\r\nContent-Length: {bytes.Length}\r\n\r\n";
                        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(header));
                        await stream.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
                    }
                }
            });
        }

        public Uri Url { get; }
        public int Requests => Volatile.Read(ref _requests);

        public void Dispose()
        {
            _listener.Stop();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }

    [Fact]
    public void ADeviceThatIsNotThereIsAClearErrorNotANativeDump()
    {
        // One past the last device libtorch sees: absent on a CPU-only build and on a GPU machine alike.
        var absent = new Device(DeviceType.CUDA, Devices.CudaDeviceCount);
        var error = Assert.Throws<InvalidOperationException>(() => new TinyClassifier(device: absent));
        Assert.Equal(
            $"TinyClassifier: device {absent} is not available; libtorch sees {Devices.CudaDeviceCount} CUDA device(s) here " +
            "(a CUDA GPU needs a CUDA libtorch package such as TorchSharp-cuda-linux or TorchSharp-cuda-windows). " +
            "Use torch.CPU, or Devices.Auto to take a GPU when there is one.",
            error.Message);
    }
}

using System.Diagnostics;
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
/// <c>ReliabilityHost stream FOLDER HEIGHT WIDTH CAP_MB RESULT_FILE [--load]</c>: caps its own memory at CAP_MB, then
/// trains one epoch of <see cref="StreamModel"/> on the image folder streamed from disk (images of HEIGHT x WIDTH, not
/// resized), sampling VmRSS after every step, and writes a <see cref="StreamResult"/> as JSON. With <c>--load</c> it
/// decodes the folder into memory instead (<see cref="ImageFolder.Load"/>), which fails under a cap smaller than the
/// folder: the check that the cap binds.
/// </summary>
/// <remarks>
/// The cap is RLIMIT_DATA, set on itself, hard and soft: the kernel refuses any private writable mapping beyond it (the
/// GC's committed heap, malloc's and libtorch's allocations, thread stacks), needs no privileges and works the same in a
/// container. RLIMIT_AS would not do: the GC and libtorch reserve hundreds of GB of address space they never commit;
/// reserved, inaccessible space is not data, so RLIMIT_DATA counts what the process can really use.
/// </remarks>
public static class StreamHost
{
    /// <summary>The exit code of a run that could not allocate what it needed under the cap.</summary>
    public const int OutOfMemoryExit = 3;

    /// <summary>Images per training step.</summary>
    public const int BatchSize = 8;

    // Linux's resource number for the data segment limit (asm-generic/resource.h; the same on x64 and arm64).
    private const int RlimitData = 2;

    /// <summary>How to start this host with <paramref name="arguments"/> from a test: the same dotnet that runs the test.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(StreamHost).Assembly.Location);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        return start;
    }

    public static int Run(string[] args)
    {
        var folder = args[0];
        var (height, width) = (int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture));
        long cap = long.Parse(args[3], CultureInfo.InvariantCulture) << 20;
        var result = args[4];
        var options = new ImageFolderOptions { ImageSize = (height, width), Seed = 1 };
        Cap(cap);
        if (args.Contains("--load"))
            return Load(folder, options);

        var clock = Stopwatch.StartNew();
        using var streamed = ImageFolder.Stream(folder, options);
        using var model = new StreamModel(height, width, streamed.Classes.Count);
        var rss = new List<long>();
        model.Fit(streamed.Train, new FitOptions
        {
            Epochs = 1,
            BatchSize = BatchSize,
            Seed = 1,
            Verbose = Verbosity.Silent,
            Callbacks = [new RssSampler(rss)],
        });
        File.WriteAllText(result, JsonSerializer.Serialize(new StreamResult(
            streamed.Train.Count, model.Optimizer.Iterations, rss, Status("VmHWM"), cap, clock.Elapsed.TotalSeconds)));
        return 0;
    }

    private static int Load(string folder, ImageFolderOptions options)
    {
        try
        {
            using var data = ImageFolder.Load(folder, options);
            Console.WriteLine($"loaded {data.Train.Count} images");
            return 0;
        }
        catch (Exception e) when (e is ExternalException or OutOfMemoryException)
        {
            // libtorch's allocation failure (TorchSharp's ExternalException) or the GC's.
            Console.WriteLine($"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            return OutOfMemoryExit;
        }
    }

    /// <summary>A field of /proc/self/status given in kB (VmRSS, VmHWM, VmData), in bytes.</summary>
    private static long Status(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        var kilobytes = line.AsSpan(field.Length + 1).Trim();
        return long.Parse(kilobytes[..kilobytes.IndexOf(' ')], CultureInfo.InvariantCulture) * 1024;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setrlimit(int resource, ref RLimit limit);

    /// <summary>Lowers the soft and hard RLIMIT_DATA to <paramref name="bytes"/>; an unprivileged process cannot raise it again.</summary>
    private static void Cap(long bytes)
    {
        var limit = new RLimit { Current = (ulong)bytes, Maximum = (ulong)bytes };
        if (setrlimit(RlimitData, ref limit) != 0)
            throw new InvalidOperationException($"setrlimit(RLIMIT_DATA, {bytes}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    private sealed class RssSampler(List<long> samples) : Callback
    {
        public override void OnBatchEnd(TrainingContext context, int batch, IReadOnlyDictionary<string, double> logs) =>
            samples.Add(Status("VmRSS"));
    }
}

/// <summary>
/// What a streamed epoch measured: the samples and steps trained, VmRSS after every step and the peak (VmHWM) in bytes,
/// the cap it ran under, and the wall time from opening the folder to the end of the epoch.
/// </summary>
public sealed record StreamResult(long Samples, long Steps, IReadOnlyList<long> Rss, long PeakRss, long Cap, double Seconds);

/// <summary>Global average pooling and a dense softmax over uint8 pixels rescaled by 1/255: a few operations per pixel.</summary>
public sealed class StreamModel : SequentialModel
{
    private readonly GlobalAveragePooling2D _pool;
    private readonly Dense _output;

    public StreamModel(int height, int width, int classes)
        : base(new ModelConfig("StreamModel", Loss.SparseCategoricalCrossentropy(), () => new Adam(learningRate: 0.01),
            [Metric.SparseCategoricalAccuracy("accuracy")], 1 / 255.0, [height, width, 3]), seed: 5)
    {
        _pool = Add("global_average_pooling2d", new GlobalAveragePooling2D());
        _output = Add("dense", new Dense(3, classes, Activation.Softmax));
        Build(CPU);
    }

    protected override Activation OutputActivation => Activation.Softmax;

    protected override Tensor ForwardLogits(Tensor input)
    {
        using var pooled = _pool.forward(input);
        return _output.ForwardLinear(pooled);
    }
}

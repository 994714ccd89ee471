using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ModelDsl.ReliabilityHost;
using Xunit.Abstractions;
using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Layers;
using ModelDsl.Runtime.Losses;
using ModelDsl.Runtime.Metrics;
using ModelDsl.Runtime.Optimizers;
using ModelDsl.Runtime.Training;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Data;

/// <summary>Flatten, dropout, dense softmax over (height, width, 3) uint8 pixels rescaled by 1/255.</summary>
public sealed class PixelClassifier : SequentialModel
{
    private readonly Flatten _flatten;
    private readonly Dropout _dropout;
    private readonly Dense _output;

    public PixelClassifier(int height, int width, int classes, int? seed = 9, Loss? loss = null)
        : base(new ModelConfig("PixelClassifier", loss ?? Loss.SparseCategoricalCrossentropy(), () => new Adam(learningRate: 0.003),
            [Metric.SparseCategoricalAccuracy("accuracy")], 1 / 255.0, [height, width, 3]), seed)
    {
        _flatten = Add("flatten", new Flatten());
        _dropout = Add("dropout", new Dropout(0.2));
        _output = Add("dense", new Dense(height * width * 3, classes, Activation.Softmax));
        Build(CPU);
    }

    protected override Activation OutputActivation => Activation.Softmax;

    protected override Tensor ForwardLogits(Tensor input)
    {
        using var flat = _flatten.forward(input);
        using var dropped = _dropout.forward(flat);
        return _output.ForwardLinear(dropped);
    }
}

[Collection(TrainingCollection.Name)]
public sealed class StreamingTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan ChildBound = TimeSpan.FromSeconds(120);
    private readonly string _dir = Directory.CreateTempSubdirectory("modeldsl-stream-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// <paramref name="perClass"/> PNGs per class; class c is a bright band in the c-th horizontal stripe. Only
    /// <paramref name="distinct"/> images per class are encoded, the rest are copies: decoding, not writing, is what is tested.
    /// </summary>
    private string WriteFolder(int classes, int perClass, int height, int width, int distinct = 4)
    {
        var root = Path.Combine(_dir, $"images-{height}x{width}");
        var random = new Random(2);
        for (int c = 0; c < classes; c++)
        {
            var folder = Directory.CreateDirectory(Path.Combine(root, $"class_{c}")).FullName;
            for (int i = 0; i < Math.Min(distinct, perClass); i++)
            {
                using var image = new Image<Rgb24>(width, height);
                for (int y = 0; y < height; y++)
                {
                    for (int x = 0; x < width; x++)
                    {
                        bool band = y * classes / height == c;
                        byte level = (byte)(band ? 150 + random.Next(100) : random.Next(100));
                        image[x, y] = new Rgb24(level, (byte)(level / 2), (byte)(x * 255 / width));
                    }
                }
                image.SaveAsPng(Path.Combine(folder, $"{i:D5}.png"));
            }
            for (int i = distinct; i < perClass; i++)
                File.Copy(Path.Combine(folder, $"{i % distinct:D5}.png"), Path.Combine(folder, $"{i:D5}.png"));
        }
        return root;
    }

    [Fact]
    public void StreamTrainsToTheSameWeightsAsMemoryForTheSameSeed()
    {
        var root = WriteFolder(classes: 3, perClass: 20, height: 12, width: 10, distinct: 20);
        var folder = new ImageFolderOptions { ImageSize = (12, 10), Seed = 4, ValidationSplit = 0.25 };
        var fit = new FitOptions { Epochs = 3, BatchSize = 8, Seed = 21, Verbose = Verbosity.Silent };

        using var inMemory = ImageFolder.Load(root, folder);
        using var memoryModel = new PixelClassifier(12, 10, 3);
        var memoryHistory = memoryModel.Fit(inMemory.Train, fit with { ValidationData = inMemory.Validation });

        using var streamed = ImageFolder.Stream(root, folder);
        using var streamModel = new PixelClassifier(12, 10, 3);
        var streamHistory = streamModel.Fit(streamed.Train, fit, streamed.Validation);

        foreach (var key in memoryHistory.Keys)
            Assert.Equal(memoryHistory[key], streamHistory[key]);
        var expected = memoryModel.GetWeights().Tensors;
        var actual = streamModel.GetWeights().Tensors;
        for (int i = 0; i < expected.Count; i++)
            Assert.Equal(expected[i].Data, actual[i].Data);
        Assert.Equal(memoryModel.Evaluate(inMemory.Validation!).Loss, streamModel.Evaluate(streamed.Validation!).Loss);
    }

    [Fact]
    public void ValidationSplitOfAStreamIsItsLastSamples()
    {
        var root = WriteFolder(classes: 2, perClass: 10, height: 4, width: 4);
        var folder = new ImageFolderOptions { ImageSize = (4, 4), Shuffle = false };
        var fit = new FitOptions { Epochs = 2, BatchSize = 4, Seed = 3, Verbose = Verbosity.Silent, ValidationSplit = 0.3, Shuffle = false };
        using var inMemory = ImageFolder.Load(root, folder);
        using var memoryModel = new PixelClassifier(4, 4, 2);
        var memory = memoryModel.Fit(inMemory.Train, fit);
        using var streamed = ImageFolder.Stream(root, folder);
        using var streamModel = new PixelClassifier(4, 4, 2);
        var stream = streamModel.Fit(streamed.Train, fit);
        Assert.Equal(memory["val_loss"], stream["val_loss"]);
    }

    [Fact]
    public void StreamWhoseImagesDoNotMatchTheModelIsNamed()
    {
        var root = WriteFolder(classes: 2, perClass: 2, height: 4, width: 4);
        using var streamed = ImageFolder.Stream(root, new ImageFolderOptions { ImageSize = (5, 4) });
        using var model = new PixelClassifier(4, 4, 2);
        var error = Assert.Throws<ArgumentException>(() => model.Fit(streamed.Train, new FitOptions { Verbose = Verbosity.Silent }));
        Assert.Contains("PixelClassifier expects input (batch, 4, 4, 3) but the data's samples are (5, 4, 3)", error.Message);
    }

    [Fact]
    public void ClassTheModelCannotHoldIsNamedBeforeTrainingOnTheStream()
    {
        var root = WriteFolder(classes: 3, perClass: 2, height: 4, width: 4);
        using var model = new PixelClassifier(4, 4, 2);
        using var streamed = ImageFolder.Stream(root, new ImageFolderOptions { ImageSize = (4, 4), Shuffle = false });
        var error = Assert.Throws<DataFileException>(() => model.Fit(streamed.Train, new FitOptions { Verbose = Verbosity.Silent }));
        Assert.Equal($"{Path.Combine(root, "class_2", "00000.png")}: its class folder 'class_2': found class index 2 of the folder's 3 classes, " +
                     "expected a class index 0..1: PixelClassifier's output has 2 classes", error.Message);
        Assert.Equal(0, model.Optimizer.Iterations);

        // One-hot labels of 3 classes against 2 outputs, and the same check for a stream evaluated.
        using var oneHot = new PixelClassifier(4, 4, 2, loss: Loss.CategoricalCrossentropy());
        using var categorical = ImageFolder.Stream(root, new ImageFolderOptions { ImageSize = (4, 4), Shuffle = false, LabelMode = LabelMode.Categorical });
        var width = Assert.Throws<DataFileException>(() => oneHot.Fit(categorical.Train, new FitOptions { Verbose = Verbosity.Silent }));
        Assert.StartsWith($"{Path.Combine(root, "class_2", "00000.png")}: its class folder 'class_2': found class index 2", width.Message);
        using var evaluated = ImageFolder.Stream(root, new ImageFolderOptions { ImageSize = (4, 4), Shuffle = false });
        Assert.Throws<DataFileException>(() => model.Evaluate(evaluated.Train));
    }

    /// <summary>
    /// <paramref name="perClass"/> PNGs per class of smooth gradients (tinted per class), which PNG compresses about
    /// 400-fold: gigabytes once decoded, megabytes on disk. Four distinct images per class, the rest copies.
    /// </summary>
    private string WriteCompressibleFolder(int classes, int perClass, int height, int width)
    {
        const int distinct = 4;
        var root = Path.Combine(_dir, $"gradients-{height}x{width}");
        for (int c = 0; c < classes; c++)
        {
            var folder = Directory.CreateDirectory(Path.Combine(root, $"class_{c}")).FullName;
            for (int i = 0; i < distinct; i++)
            {
                using var image = new Image<Rgb24>(width, height);
                for (int y = 0; y < height; y++)
                {
                    for (int x = 0; x < width; x++)
                        image[x, y] = new Rgb24((byte)(x + 40 * c + i), (byte)(y + i), (byte)(60 * c + i));
                }
                image.SaveAsPng(Path.Combine(folder, $"{i:D5}.png"));
            }
            for (int i = distinct; i < perClass; i++)
                File.Copy(Path.Combine(folder, $"{i % distinct:D5}.png"), Path.Combine(folder, $"{i:D5}.png"));
        }
        return root;
    }

    [Fact]
    public void StreamedFolderLargerThanTheProcessMayHoldTrainsWithFlatRss()
    {
        // 5,100 images of 512 x 512 x 3: 4.0 GB of uint8 pixels decoded (16 GB as the float32 the model computes in),
        // about 10 MB of PNGs on disk. The child caps its own memory (RLIMIT_DATA) at 640 MB, so it cannot hold them.
        const int height = 512, width = 512, classes = 3, perClass = 1_700, capMegabytes = 640;
        var root = WriteCompressibleFolder(classes, perClass, height, width);
        long decoded = (long)classes * perClass * height * width * 3;
        long disk = Directory.EnumerateFiles(root, "*.png", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        var clock = Stopwatch.StartNew();

        // The cap binds: the same child decoding the folder into memory is refused its allocation.
        var (loadExit, loadLog) = RunStreamHost(root, height, width, capMegabytes, "--load");
        output.WriteLine($"loading under the cap: exit {loadExit}: {loadLog[..Math.Min(loadLog.Length, 200)]}");
        Assert.True(loadExit == StreamHost.OutOfMemoryExit, $"loading {decoded >> 20} MB under a {capMegabytes} MB cap gave exit {loadExit}:\n{loadLog}");

        var (exit, log) = RunStreamHost(root, height, width, capMegabytes);
        Assert.True(exit == 0, $"the streamed epoch failed (exit {exit}):\n{log}");
        var result = JsonSerializer.Deserialize<StreamResult>(File.ReadAllText(Path.Combine(_dir, "stream.json")))!;
        var rss = result.Rss.ToList();
        int quarter = rss.Count / 4;
        long second = Median(rss.GetRange(quarter, quarter)), last = Median(rss.GetRange(3 * quarter, rss.Count - 3 * quarter));
        output.WriteLine($"decoded {decoded >> 20} MB, {disk >> 20} MB on disk; {result.Steps} steps in {result.Seconds:F1} s " +
                         $"(test {clock.Elapsed.TotalSeconds:F1} s); VmRSS median over the second quarter {second >> 20} MB, " +
                         $"over the last {last >> 20} MB, VmHWM {result.PeakRss >> 20} MB; by tenths " +
                         string.Join(" ", Enumerable.Range(1, 10).Select(t => rss[t * rss.Count / 10 - 1] >> 20)));

        Assert.Equal(classes * perClass, result.Samples);
        Assert.Equal((result.Samples + StreamHost.BatchSize - 1) / StreamHost.BatchSize, result.Steps);
        Assert.Equal(result.Steps, rss.Count);
        // libtorch's and the GC's heaps warm up over the first steps (a batch is 6 MB of pixels, 25 MB as float32), then
        // RSS is flat: from the second quarter to the last it grows less than 64 MB, where holding the images streamed
        // between those medians would add 2 GB, and the peak (VmHWM, libtorch's code pages included; 370 MB measured)
        // stays under an eighth of the decoded images.
        Assert.True(last - second < 64L << 20, $"VmRSS grew {(last - second) >> 20} MB from the second quarter of the epoch to the last");
        Assert.True(result.PeakRss < decoded / 8, $"VmHWM {result.PeakRss >> 20} MB, against {decoded >> 20} MB of decoded images");
    }

    /// <summary>Runs <see cref="StreamHost"/> on <paramref name="root"/>: its exit code and output.</summary>
    private (int Exit, string Log) RunStreamHost(string root, int height, int width, int capMegabytes, params string[] flags)
    {
        var inv = CultureInfo.InvariantCulture;
        using var child = Process.Start(StreamHost.StartInfo(["stream", root, height.ToString(inv), width.ToString(inv),
            capMegabytes.ToString(inv), Path.Combine(_dir, "stream.json"), .. flags]))!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        Assert.True(child.WaitForExit(ChildBound), $"the stream host did not finish within {ChildBound}");
        return (child.ExitCode, stdout.Result + stderr.Result);
    }

    private static long Median(List<long> values) => values.Order().ElementAt(values.Count / 2);
}

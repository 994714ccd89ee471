using System.Diagnostics;
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

    public PixelClassifier(int height, int width, int classes, int? seed = 9)
        : base(new ModelConfig("PixelClassifier", Loss.SparseCategoricalCrossentropy(), () => new Adam(learningRate: 0.003),
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
    public void StreamedFolderLargerThanItsBatchesTrainsWithFlatMemory()
    {
        // 3,000 images of 256 x 256 x 3: 590 MB once decoded, a few MB of PNGs on disk. In memory they would be 590 MB;
        // streamed, the process holds a few batches of them at a time.
        const int height = 256, width = 256, classes = 3, perClass = 1000, batch = 8;
        var root = WriteFolder(classes, perClass, height, width);
        long decoded = (long)classes * perClass * height * width * 3;
        using var streamed = ImageFolder.Stream(root, new ImageFolderOptions { ImageSize = (height, width), Seed = 1 });
        using var model = new PixelClassifier(height, width, classes);

        // Garbage other tests left is collected first, so that what is measured is this run's own memory.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        long before = Rss();
        var samples = new List<long>();
        model.Fit(streamed.Train, new FitOptions
        {
            Epochs = 1, BatchSize = batch, Seed = 1, Verbose = Verbosity.Silent,
            Callbacks = [new StepSampler(_ => samples.Add(Rss()))],
        });
        int quarter = samples.Count / 4;
        long second = Median(samples.GetRange(quarter, quarter)), last = Median(samples.GetRange(3 * quarter, samples.Count - 3 * quarter));
        long peak = samples.Max();
        output.WriteLine($"decoded {decoded >> 20} MB; RSS before {before >> 20} MB, median over the second quarter {second >> 20} MB, " +
                         $"over the last quarter {last >> 20} MB, peak {peak >> 20} MB over {samples.Count} batches; by tenths " +
                         string.Join(" ", Enumerable.Range(1, 10).Select(t => samples[t * samples.Count / 10 - 1] >> 20)));
        // libtorch's and the GC's heaps warm up to their working size (a few batches of float32 activations and
        // gradients), then RSS is flat: from the second quarter of the epoch to the last it grows by less than half of
        // what holding one quarter's images would add (140 MB; holding them all would add twice that between the two
        // medians), and the whole run adds less than half of what the images would take in memory. Its warm-up is the
        // same for any folder size; in the full suite the heaps start from other tests' state and other tests'
        // collections land in this one's time (up to 36 MB seen), hence medians and these margins.
        Assert.True(last - second < decoded / 8, $"RSS grew {(last - second) >> 20} MB from the second quarter of the epoch to the last");
        Assert.True(peak - before < decoded / 2, $"RSS grew {(peak - before) >> 20} MB, against {decoded >> 20} MB of decoded images");
    }

    private static long Median(List<long> values) => values.Order().ElementAt(values.Count / 2);

    private static long Rss()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}

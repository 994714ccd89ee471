using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Training;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Data;

[Collection(TrainingCollection.Name)]
public sealed class CsvStreamTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("modeldsl-csvstream-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteWithPandas()
    {
        var path = Path.Combine(_dir, "clusters.csv");
        // Four features, three quoted-or-not label names; one label holds a comma, so rows are not split on it.
        Python.Run("""
            import sys
            import numpy as np, pandas as pd
            rng = np.random.default_rng(8)
            n = 150
            label = np.arange(n) % 3
            x = rng.random((n, 4)) * 0.35 + 0.1
            x[np.arange(n), label] += 0.5
            frame = pd.DataFrame(x, columns=["f0", "f1", "f2", "f3"])
            frame.insert(2, "kind", np.array(["alpha", "beta, b", "gamma"])[label])
            frame.to_csv(sys.argv[1], index=False)
            """, path);
        return path;
    }

    [Fact]
    public void StreamedCsvGivesTheLoadedBatchesAndTrainsTheSame()
    {
        var path = WriteWithPandas();
        var options = new CsvOptions { LabelColumn = "kind" };
        using var loaded = CsvLoader.Load(path, options);
        using var streamed = CsvLoader.Stream(path, options);
        Assert.Equal(loaded.Features, streamed.Features);
        Assert.Equal(loaded.Classes!.Classes, streamed.Classes!.Classes);
        Assert.Equal(loaded.Data.Count, streamed.Data.Count);
        using (var scope = NewDisposeScope())
        {
            using var order = randperm(loaded.Data.Count);
            var (x, y) = streamed.Data.Batch(2, 40, order);
            var (ex, ey) = loaded.Data.Batch(2, 40, order);
            Assert.Equal(ex.data<float>().ToArray(), x.data<float>().ToArray());
            Assert.Equal(ey.data<long>().ToArray(), y.data<long>().ToArray());
        }

        var fit = new FitOptions { Epochs = 3, BatchSize = 16, Seed = 2, Verbose = Verbosity.Silent, ValidationSplit = 0.2 };
        using var fromMemory = new TinyClassifier();
        var memory = fromMemory.Fit(loaded.Data, fit);
        using var fromStream = new TinyClassifier();
        var stream = fromStream.Fit(streamed.Data, fit);
        foreach (var key in memory.Keys)
            Assert.Equal(memory[key], stream[key]);
    }

    [Fact]
    public void BadCellIsNamedBeforeAnyBatchIsRead()
    {
        var path = Path.Combine(_dir, "late.csv");
        File.WriteAllLines(path, ["a,b,label", .. Enumerable.Range(0, 1000).Select(i => $"{i},{i},x"), "1,oops,y"]);
        var error = Assert.Throws<DataFileException>(() => CsvLoader.Stream(path, new CsvOptions { LabelColumn = "label" }));
        Assert.Equal($"{path}: row 1002, column 'b' (2): found 'oops', expected a number", error.Message);

        var labels = Path.Combine(_dir, "labels.csv");
        File.WriteAllLines(labels, ["a,weather", "1,sun", "2,sun", "3,hail"]);
        var unknown = Assert.Throws<DataFileException>(() =>
            CsvLoader.Stream(labels, new CsvOptions { LabelColumn = "weather", Classes = new ClassMapping("weather", ["rain", "sun"]) }));
        Assert.Equal($"{labels}: row 4, column 'weather' (2): found 'hail', expected one of the 2 classes of 'weather': rain, sun", unknown.Message);

        var ragged = Path.Combine(_dir, "ragged.csv");
        File.WriteAllLines(ragged, ["a,b,label", "1,2,x", "3,x"]);
        var raggedError = Assert.Throws<DataFileException>(() => CsvLoader.Stream(ragged, new CsvOptions { LabelColumn = "label" }));
        Assert.Equal($"{ragged}: row 3: found 2 fields, expected 3, one per header column", raggedError.Message);
    }

    [Fact]
    public void CategoryTheModelCannotHoldIsNamedBeforeTraining()
    {
        var path = Path.Combine(_dir, "four.csv");
        File.WriteAllLines(path, ["a,b,c,d,kind", "1,2,3,4,alpha", "1,2,3,4,beta", "1,2,3,4,gamma", "1,2,3,4,delta", "1,2,3,4,alpha"]);
        using var model = new TinyClassifier();
        using var streamed = CsvLoader.Stream(path, new CsvOptions { LabelColumn = "kind" });
        var error = Assert.Throws<DataFileException>(() => model.Fit(streamed.Data, new FitOptions { Verbose = Verbosity.Silent }));
        // Classes in alphanumeric order: alpha, beta, delta, gamma.
        Assert.Equal($"{path}: row 4, column 'kind' (5): found 'gamma', class index 3 of 4, " +
                     "expected a class index 0..2: TinyClassifier's output has 3 classes", error.Message);
        Assert.Equal(0, model.Optimizer.Iterations);
    }

    [Theory]
    [InlineData("3", "a class index 0..2: TinyClassifier's output has 3 classes")]
    [InlineData("-1", "a class index 0..2: TinyClassifier's output has 3 classes")]
    [InlineData("1.5", "a whole class index (sparse categorical labels are integers 0..2)")]
    public void NumericLabelTheModelCannotHoldIsNamedWhenItsBatchIsRead(string label, string expected)
    {
        // Row 10 is the 9th sample: in the third batch of 4, after two batches have trained.
        var path = Path.Combine(_dir, "numeric.csv");
        File.WriteAllLines(path, ["a,b,label,c,d", .. Enumerable.Range(0, 12).Select(i => $"{i},1,{(i == 8 ? label : (i % 3).ToString())},2,3")]);
        using var model = new TinyClassifier();
        using var streamed = CsvLoader.Stream(path, new CsvOptions { LabelColumn = "label", Labels = CsvLabels.Numeric });
        var error = Assert.Throws<DataFileException>(() =>
            model.Fit(streamed.Data, new FitOptions { Verbose = Verbosity.Silent, BatchSize = 4, Shuffle = false }));
        Assert.Equal($"{path}: row 10, column 'label' (3): found label {label}, expected {expected}", error.Message);
        Assert.Equal(2, model.Optimizer.Iterations);
    }
}

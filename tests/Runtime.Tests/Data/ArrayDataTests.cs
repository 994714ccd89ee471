using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Training;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Data;

[Collection(TrainingCollection.Name)]
public sealed class ArrayDataTests
{
    [Fact]
    public void RectangularAndJaggedArraysOfAnyRankKeepTheirValuesAndShape()
    {
        var rank3 = new float[2, 3, 4];
        var jagged = new float[2][][];
        for (int i = 0; i < 2; i++)
        {
            jagged[i] = new float[3][];
            for (int j = 0; j < 3; j++)
            {
                jagged[i][j] = new float[4];
                for (int k = 0; k < 4; k++)
                    rank3[i, j, k] = jagged[i][j][k] = i * 100 + j * 10 + k;
            }
        }
        using var fromRectangular = Dataset.FromArrays(rank3, new[] { 0, 1 });
        using var fromJagged = Dataset.FromArrays(jagged, new long[] { 0, 1 });
        Assert.Equal([2L, 3, 4], fromRectangular.Inputs.shape);
        Assert.Equal(ScalarType.Float32, fromRectangular.Inputs.dtype);
        Assert.Equal(123f, fromRectangular.Inputs[1, 2, 3].item<float>());
        Assert.Equal(12f, fromRectangular.Inputs[0, 1, 2].item<float>());
        Assert.Equal(fromRectangular.Inputs.data<float>().ToArray(), fromJagged.Inputs.data<float>().ToArray());
        // int[] class indices become int64, as the losses take them.
        Assert.Equal(ScalarType.Int64, fromRectangular.Targets.dtype);
        Assert.Equal([0L, 1], fromRectangular.Targets.data<long>().ToArray());
    }

    [Fact]
    public void VectorsAndFloatTargetsAreSamples()
    {
        using var data = Dataset.FromArrays(new[] { 1f, 2f, 3f }, new[,] { { 0.5f }, { 1.5f }, { 2.5f } });
        Assert.Equal([3L], data.Inputs.shape);
        Assert.Equal([3L, 1], data.Targets.shape);
        Assert.Equal(2.5f, data.Targets[2, 0].item<float>());
    }

    [Fact]
    public void RaggedJaggedArrayIsNamedWithItsIndex()
    {
        float[][] ragged = [[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3]];
        var error = Assert.Throws<ArgumentException>(() => Dataset.FromArrays(ragged, new[] { 0, 1, 2 }));
        Assert.Equal("inputs", error.ParamName);
        Assert.Contains("inputs[2] is ragged: it has 3 elements along its axis 0, but inputs's axis 1 has 4", error.Message);
    }

    [Fact]
    public void UnsupportedElementTypeAndUnequalCountsAreNamed()
    {
        var strings = Assert.Throws<ArgumentException>(() => Dataset.FromArrays(new[] { "a" }, new[] { 0 }));
        Assert.Contains("arrays of String are not supported", strings.Message);
        var counts = Assert.Throws<ArgumentException>(() => Dataset.FromArrays(new float[3, 4], new[] { 0, 1 }));
        Assert.Contains("3 inputs, 2 targets", counts.Message);
    }

    [Fact]
    public void FitOnArraysTrainsAsFitOnTheSameDataset()
    {
        using var clusters = TinyClassifier.Clusters(120);
        var x = new float[120, TinyClassifier.Features];
        var flat = clusters.Inputs.data<float>().ToArray();
        Buffer.BlockCopy(flat, 0, x, 0, flat.Length * sizeof(float));
        var y = clusters.Targets.data<long>().ToArray().Select(v => (int)v).ToArray();
        var options = new FitOptions { Epochs = 2, BatchSize = 16, Seed = 3, Verbose = Verbosity.Silent };

        using var fromArrays = new TinyClassifier();
        var arrays = fromArrays.Fit(x, y, options);
        using var fromDataset = new TinyClassifier();
        var dataset = fromDataset.Fit(clusters, options);

        Assert.Equal(dataset["loss"], arrays["loss"]);
        Assert.Equal(fromDataset.Evaluate(clusters).Loss, fromArrays.Evaluate(x, y).Loss);
        using var predicted = fromArrays.Predict(x);
        Assert.Equal([120L, TinyClassifier.Classes], predicted.shape);
    }

    [Fact]
    public void ClassIndexTheOutputCannotHoldIsNamedBeforeTraining()
    {
        using var model = new TinyClassifier();
        var x = new float[4, TinyClassifier.Features];
        var error = Assert.Throws<ArgumentException>(() =>
            model.Fit(x, new[] { 0, 2, 3, 1 }, new FitOptions { Verbose = Verbosity.Silent }));
        Assert.Contains("target of sample 2 is 3; expected a class index 0..2: TinyClassifier's output has 3 classes", error.Message);
        var negative = Assert.Throws<ArgumentException>(() => model.Evaluate(x, new long[] { 0, -1, 0, 0 }));
        Assert.Contains("target of sample 1 is -1", negative.Message);
    }

    [Fact]
    public void InputShapeThatDoesNotMatchTheModelIsNamed()
    {
        using var model = new TinyClassifier();
        var error = Assert.Throws<ArgumentException>(() =>
            model.Fit(new float[4, 5], new[] { 0, 1, 2, 0 }, new FitOptions { Verbose = Verbosity.Silent }));
        Assert.Contains("TinyClassifier expects input (batch, 4) but got (4, 5)", error.Message);
    }
}

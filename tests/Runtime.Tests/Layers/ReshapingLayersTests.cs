using ModelDsl.Runtime.Layers;
using static ModelDsl.Runtime.Tests.Layers.LayerTestHelpers;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Layers;

/// <summary>UpSampling, ZeroPadding, Cropping, RepeatVector and Permute: values moved where Keras moves them, in every argument form.</summary>
[Collection(NativeGlobalState.Name)]
public class ReshapingLayersTests
{
    [Fact]
    public void UpSampling1DRepeatsEachStep()
    {
        using var layer = new UpSampling1D(3);
        var y = layer.forward(Doubles([1, 10, 2, 20], 1, 2, 2));
        Assert.Equal(new long[] { 1, 6, 2 }, y.shape);
        AssertClose([1, 10, 1, 10, 1, 10, 2, 20, 2, 20, 2, 20], Read(y));
        Assert.Equal(2, new UpSampling1D().Size);
        Assert.Equal(new long[] { 3, 10, 4 }, new UpSampling1D().forward(rand(3, 5, 4)).shape);
        Assert.Equal("size", Assert.Throws<ArgumentOutOfRangeException>(() => new UpSampling1D(0)).ParamName);
        Assert.Throws<ArgumentException>(() => layer.forward(rand(2, 3)));
    }

    [Fact]
    public void UpSampling2DNearestRepeatsRowsAndColumns()
    {
        using var layer = new UpSampling2D((2, 3));
        Assert.Equal(UpSamplingInterpolation.Nearest, layer.Interpolation);
        var y = layer.forward(Doubles([1, 2, 3, 4], 1, 2, 2, 1));
        Assert.Equal(new long[] { 1, 4, 6, 1 }, y.shape);
        AssertClose(
        [
            1, 1, 1, 2, 2, 2,
            1, 1, 1, 2, 2, 2,
            3, 3, 3, 4, 4, 4,
            3, 3, 3, 4, 4, 4,
        ], Read(y));
        using var standard = new UpSampling2D();
        Assert.Equal((2, 2), standard.Size);
        Assert.Equal(new long[] { 2, 6, 10, 3 }, standard.forward(rand(2, 3, 5, 3)).shape);
    }

    [Fact]
    public void UpSampling2DBilinearInterpolatesBetweenCellCentres()
    {
        // f(row, column) = 2 row + column is linear, so the result is f at the output cells' centres mapped back
        // (half-pixel centres), held at the edges: 0, 0.25, 0.75, 1 on each axis.
        using var layer = new UpSampling2D(interpolation: "bilinear");
        var y = layer.forward(Doubles([0, 1, 2, 3], 1, 2, 2, 1));
        double[] axis = [0, 0.25, 0.75, 1];
        AssertClose([.. axis.SelectMany(r => axis.Select(c => 2 * r + c))], Read(y), 1e-12);
    }

    // TensorFlow's resize_bilinear with half-pixel centres, one axis: source position, lower and upper cells, weight.
    private static (int Lower, int Upper, double Weight)[] Taps(int inputSize, int outputSize)
    {
        var taps = new (int, int, double)[outputSize];
        for (var i = 0; i < outputSize; i++)
        {
            var source = (i + 0.5) * inputSize / outputSize - 0.5;
            var floor = Math.Floor(source);
            taps[i] = ((int)Math.Max(floor, 0), (int)Math.Min(Math.Ceiling(source), inputSize - 1), source - floor);
        }
        return taps;
    }

    [Fact]
    public void UpSampling2DBilinearMatchesTensorFlowsResizeOnOddSizes()
    {
        const int Height = 3, Width = 5, Channels = 2, ScaleHeight = 2, ScaleWidth = 3;
        var x = Doubles([.. Enumerable.Range(0, Height * Width * Channels).Select(i => Math.Sin(1.7 * i))], 1, Height, Width, Channels);
        var values = Read(x);
        using var layer = new UpSampling2D((ScaleHeight, ScaleWidth), "bilinear");
        var y = layer.forward(x);
        Assert.Equal(new long[] { 1, Height * ScaleHeight, Width * ScaleWidth, Channels }, y.shape);
        var rows = Taps(Height, Height * ScaleHeight);
        var columns = Taps(Width, Width * ScaleWidth);
        double At(int r, int c, int ch) => values[(r * Width + c) * Channels + ch];
        var expected = new List<double>();
        foreach (var (top, bottom, dy) in rows)
            foreach (var (left, right, dx) in columns)
                for (var ch = 0; ch < Channels; ch++)
                {
                    var upper = At(top, left, ch) * (1 - dx) + At(top, right, ch) * dx;
                    var lower = At(bottom, left, ch) * (1 - dx) + At(bottom, right, ch) * dx;
                    expected.Add(upper * (1 - dy) + lower * dy);
                }
        AssertClose([.. expected], Read(y), 1e-12);
    }

    [Fact]
    public void UpSampling2DRejectsBadArguments()
    {
        Assert.Equal("interpolation", Assert.Throws<ArgumentException>(() => new UpSampling2D(interpolation: "bicubic")).ParamName);
        Assert.Equal("size", Assert.Throws<ArgumentOutOfRangeException>(() => new UpSampling2D((0, 2))).ParamName);
        Assert.Throws<ArgumentException>(() => new UpSampling2D().forward(rand(2, 3, 4)));
    }

    [Fact]
    public void ZeroPadding1DAddsZeroSteps()
    {
        var x = Doubles([1, 2, 3, 4], 1, 2, 2);
        using var symmetric = new ZeroPadding1D();
        Assert.Equal((1, 1), symmetric.Padding);
        AssertClose([0, 0, 1, 2, 3, 4, 0, 0], Read(symmetric.forward(x)));
        using var asymmetric = new ZeroPadding1D((2, 0));
        var y = asymmetric.forward(x);
        Assert.Equal(new long[] { 1, 4, 2 }, y.shape);
        AssertClose([0, 0, 0, 0, 1, 2, 3, 4], Read(y));
        Assert.Equal(new long[] { 3, 10, 5 }, new ZeroPadding1D(3).forward(rand(3, 4, 5)).shape);
        Assert.Equal("padding", Assert.Throws<ArgumentOutOfRangeException>(() => new ZeroPadding1D(-1)).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentOutOfRangeException>(() => new ZeroPadding1D((1, -2))).ParamName);
        Assert.Throws<ArgumentException>(() => symmetric.forward(rand(2, 3)));
    }

    [Fact]
    public void ZeroPadding2DTakesKerasThreeForms()
    {
        var x = Doubles([1, 2, 3, 4], 1, 2, 2, 1);
        using var all = new ZeroPadding2D();
        Assert.Equal(((1, 1), (1, 1)), all.Padding);
        AssertClose(
        [
            0, 0, 0, 0,
            0, 1, 2, 0,
            0, 3, 4, 0,
            0, 0, 0, 0,
        ], Read(all.forward(x)));
        using var symmetric = new ZeroPadding2D((1, 0));
        Assert.Equal(((1, 1), (0, 0)), symmetric.Padding);
        Assert.Equal(new long[] { 1, 4, 2, 1 }, symmetric.forward(x).shape);
        using var explicitSides = new ZeroPadding2D(((0, 1), (2, 0)));
        var y = explicitSides.forward(x);
        Assert.Equal(new long[] { 1, 3, 4, 1 }, y.shape);
        AssertClose(
        [
            0, 0, 1, 2,
            0, 0, 3, 4,
            0, 0, 0, 0,
        ], Read(y));
        Assert.Equal(new long[] { 2, 7, 9, 3 }, new ZeroPadding2D(2).forward(rand(2, 3, 5, 3)).shape);
        Assert.Equal("padding", Assert.Throws<ArgumentOutOfRangeException>(() => new ZeroPadding2D(((0, 0), (0, -1)))).ParamName);
        Assert.Throws<ArgumentException>(() => all.forward(rand(2, 3, 4)));
    }

    [Fact]
    public void Cropping1DRemovesStepsAtBothEnds()
    {
        var x = Counting(1, 5, 2);
        using var standard = new Cropping1D();
        Assert.Equal((1, 1), standard.Cropping);
        AssertClose([2, 3, 4, 5, 6, 7], Read(standard.forward(x)));
        using var start = new Cropping1D((2, 0));
        var y = start.forward(x);
        Assert.Equal(new long[] { 1, 3, 2 }, y.shape);
        AssertClose([4, 5, 6, 7, 8, 9], Read(y));
        var tooMuch = Assert.Throws<ArgumentException>(() => new Cropping1D((3, 2)).forward(x));
        Assert.Equal("input", tooMuch.ParamName);
        Assert.Contains("leaves none", tooMuch.Message);
        Assert.Equal("cropping", Assert.Throws<ArgumentOutOfRangeException>(() => new Cropping1D(-1)).ParamName);
        Assert.Throws<ArgumentException>(() => standard.forward(rand(5, 2)));
    }

    [Fact]
    public void Cropping2DTakesKerasThreeForms()
    {
        // 3 x 4, one channel, values 0..11.
        var x = Counting(1, 3, 4, 1);
        using var nothing = new Cropping2D();
        Assert.Equal(((0, 0), (0, 0)), nothing.Cropping);
        AssertClose(Read(x), Read(nothing.forward(x)));
        using var all = new Cropping2D(1);
        AssertClose([5, 6], Read(all.forward(x)));
        using var symmetric = new Cropping2D((0, 1));
        Assert.Equal(new long[] { 1, 3, 2, 1 }, symmetric.forward(x).shape);
        AssertClose([1, 2, 5, 6, 9, 10], Read(symmetric.forward(x)));
        using var explicitSides = new Cropping2D(((1, 0), (0, 3)));
        AssertClose([4, 8], Read(explicitSides.forward(x)));
        Assert.Throws<ArgumentException>(() => new Cropping2D(((2, 1), (0, 0))).forward(x));
        Assert.Throws<ArgumentException>(() => new Cropping2D(((0, 0), (2, 2))).forward(x));
        Assert.Equal("cropping", Assert.Throws<ArgumentOutOfRangeException>(() => new Cropping2D(((0, -1), (0, 0)))).ParamName);
        Assert.Throws<ArgumentException>(() => all.forward(rand(3, 4, 1)));
    }

    [Fact]
    public void RepeatVectorRepeatsEachSample()
    {
        using var layer = new RepeatVector(3);
        var y = layer.forward(Doubles([1, 2, 3, 4], 2, 2));
        Assert.Equal(new long[] { 2, 3, 2 }, y.shape);
        AssertClose([1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4], Read(y));
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => new RepeatVector(0)).ParamName);
        Assert.Throws<ArgumentException>(() => layer.forward(rand(2, 3, 4)));
    }

    [Fact]
    public void PermuteCountsAxesFromOne()
    {
        var x = Counting(2, 3, 4);
        using var swap = new Permute(2, 1);
        var y = swap.forward(x);
        Assert.Equal(new long[] { 2, 4, 3 }, y.shape);
        AssertClose(Read(x.transpose(1, 2)), Read(y));
        // Each sample's (a, b, c) to (c, a, b).
        using var rotate = new Permute(3, 1, 2);
        Assert.Equal(new long[] { 5, 4, 2, 3 }, rotate.forward(rand(5, 2, 3, 4)).shape);
        Assert.Equal([3, 1, 2], rotate.Dims);
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 1, 1 })]
    [InlineData(new[] { 0, 1 })]
    [InlineData(new[] { 1, 3 })]
    public void PermuteRejectsWhatIsNoPermutation(int[] dims)
    {
        var error = Assert.Throws<ArgumentException>(() => new Permute(dims));
        Assert.Equal("dims", error.ParamName);
    }

    [Fact]
    public void PermuteRejectsAnInputOfAnotherRank() =>
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => new Permute(2, 1).forward(rand(2, 3))).ParamName);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void UpSampling1DGradients(int size) => GradientTests.CheckGradients(new UpSampling1D(size), [2, 3, 2]);

    [Theory]
    [InlineData("nearest")]
    [InlineData("bilinear")]
    public void UpSampling2DGradients(string interpolation) =>
        GradientTests.CheckGradients(new UpSampling2D((2, 3), interpolation), [2, 3, 2, 2]);

    [Fact]
    public void ZeroPadding1DGradients() => GradientTests.CheckGradients(new ZeroPadding1D((1, 2)), [2, 3, 2]);

    [Fact]
    public void ZeroPadding2DGradients() => GradientTests.CheckGradients(new ZeroPadding2D(((1, 0), (2, 1))), [2, 3, 3, 2]);

    [Fact]
    public void Cropping1DGradients() => GradientTests.CheckGradients(new Cropping1D((1, 2)), [2, 6, 2]);

    [Fact]
    public void Cropping2DGradients() => GradientTests.CheckGradients(new Cropping2D(((1, 0), (1, 2))), [2, 4, 5, 2]);

    [Fact]
    public void RepeatVectorGradients() => GradientTests.CheckGradients(new RepeatVector(3), [2, 4]);

    [Fact]
    public void PermuteGradients() => GradientTests.CheckGradients(new Permute(3, 1, 2), [2, 3, 4, 2]);
}

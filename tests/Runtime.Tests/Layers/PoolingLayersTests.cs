using ModelDsl.Runtime.Layers;
using static ModelDsl.Runtime.Tests.Layers.LayerTestHelpers;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Layers;

/// <summary>Global and average pooling against hand-computed windows, Keras' output sizes, and "same" padding that is not counted.</summary>
[Collection(NativeGlobalState.Name)]
public class PoolingLayersTests
{
    [Fact]
    public void GlobalPooling1DReducesTheSteps()
    {
        // (batch 2, steps 3, channels 2): values 0..11.
        var x = Counting(2, 3, 2);
        using var average = new GlobalAveragePooling1D();
        var pooled = average.forward(x);
        Assert.Equal(new long[] { 2, 2 }, pooled.shape);
        AssertClose([2, 3, 8, 9], Read(pooled));
        using var max = new GlobalMaxPooling1D();
        AssertClose([4, 5, 10, 11], Read(max.forward(x)));

        using var kept = new GlobalAveragePooling1D(keepdims: true);
        Assert.True(kept.Keepdims);
        Assert.Equal(new long[] { 2, 1, 2 }, kept.forward(x).shape);
        using var keptMax = new GlobalMaxPooling1D(keepdims: true);
        Assert.Equal(new long[] { 2, 1, 2 }, keptMax.forward(x).shape);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => average.forward(Counting(2, 3))).ParamName);
        Assert.Throws<ArgumentException>(() => max.forward(Counting(1, 2, 3, 2)));
    }

    [Fact]
    public void GlobalPooling2DReducesHeightAndWidth()
    {
        // (batch 1, 3 x 5, channels 2) with values 0..29: channel c holds the even or odd numbers.
        var x = Counting(1, 3, 5, 2);
        using var average = new GlobalAveragePooling2D();
        AssertClose([14, 15], Read(average.forward(x)));
        using var max = new GlobalMaxPooling2D();
        Assert.Equal(new long[] { 1, 2 }, max.forward(x).shape);
        AssertClose([28, 29], Read(max.forward(x)));
        using var kept = new GlobalMaxPooling2D(keepdims: true);
        Assert.Equal(new long[] { 1, 1, 1, 2 }, kept.forward(x).shape);
        using var keptAverage = new GlobalAveragePooling2D(keepdims: true);
        Assert.Equal(new long[] { 1, 1, 1, 2 }, keptAverage.forward(x).shape);
        Assert.Throws<ArgumentException>(() => average.forward(Counting(2, 3, 2)));
        Assert.Throws<ArgumentException>(() => max.forward(Counting(2, 3, 2)));
    }

    [Fact]
    public void AveragePooling1DDefaultsItsStridesToThePoolSize()
    {
        using var layer = new AveragePooling1D(2);
        Assert.Equal(2, layer.Strides);
        Assert.Equal("valid", layer.Padding);
        // Seven steps, valid: three windows, the last step left over.
        var x = Doubles([1, 2, 3, 4, 5, 6, 7], 1, 7, 1);
        var y = layer.forward(x);
        Assert.Equal(new long[] { 1, 3, 1 }, y.shape);
        AssertClose([1.5, 3.5, 5.5], Read(y));
        using var overlapping = new AveragePooling1D(3, 1);
        AssertClose([2, 3, 4, 5, 6], Read(overlapping.forward(x)));
    }

    [Fact]
    public void AveragePooling1DSameDoesNotCountThePadding()
    {
        // Six steps, pool 3, stride 2: ceil(6 / 2) = 3 outputs, one padded step after the end.
        using var layer = new AveragePooling1D(3, 2, "same");
        var x = Doubles([1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60], 1, 2, 6).permute(0, 2, 1);
        var y = layer.forward(x);
        Assert.Equal(new long[] { 1, 3, 2 }, y.shape);
        // Windows [1 2 3], [3 4 5], [5 6 pad]: the last averages two steps, not three.
        AssertClose([2, 20, 4, 40, 5.5, 55], Read(y));
        // Seven steps, pool 2, stride 2: 4 outputs, the last window holds only the 7th step.
        using var odd = new AveragePooling1D(2, padding: "same");
        AssertClose([1.5, 3.5, 5.5, 7], Read(odd.forward(Doubles([1, 2, 3, 4, 5, 6, 7], 1, 7, 1))));
    }

    [Fact]
    public void AveragePooling2DMatchesKerasDocumentedExamples()
    {
        var x = Doubles([1, 2, 3, 4, 5, 6, 7, 8, 9], 1, 3, 3, 1);
        using var valid = new AveragePooling2D((2, 2), (1, 1));
        AssertClose([3, 4, 6, 7], Read(valid.forward(x)));
        // Same padding adds a row and a column after: the edge windows average 2 and 1 cells.
        using var same = new AveragePooling2D((2, 2), (1, 1), "same");
        var y = same.forward(x);
        Assert.Equal(new long[] { 1, 3, 3, 1 }, y.shape);
        AssertClose([3, 4, 4.5, 6, 7, 7.5, 7.5, 8.5, 9], Read(y));

        // Keras' stride-2 example on 3 x 4: strides default to the pool size.
        using var halving = new AveragePooling2D((2, 2));
        Assert.Equal((2, 2), halving.Strides);
        AssertClose([3.5, 5.5], Read(halving.forward(Doubles([.. Enumerable.Range(1, 12).Select(i => (double)i)], 1, 3, 4, 1))));
    }

    [Theory]
    [InlineData(5, 6, 2, 3, 2, 2, "valid", 2, 2)]
    [InlineData(5, 6, 2, 3, 2, 2, "same", 3, 3)]
    [InlineData(7, 3, 3, 1, 3, 1, "same", 3, 3)]
    [InlineData(1, 9, 1, 4, 1, 3, "valid", 1, 2)]
    public void AveragePooling2DOutputSizesAreKeras(int height, int width, int poolHeight, int poolWidth, int strideHeight, int strideWidth,
        string padding, int outHeight, int outWidth)
    {
        using var layer = new AveragePooling2D((poolHeight, poolWidth), (strideHeight, strideWidth), padding);
        var y = layer.forward(rand(2, height, width, 3, ScalarType.Float64));
        Assert.Equal(new long[] { 2, outHeight, outWidth, 3 }, y.shape);
        // An average of values in [0, 1) stays there, padding or not.
        Assert.All(Read(y), v => Assert.InRange(v, 0, 1));
    }

    [Fact]
    public void AveragePoolingSameOnAConstantInputIsThatConstant()
    {
        // Were the padded zeros counted, the edge windows would come out smaller.
        using var one = new AveragePooling1D(4, 3, "same");
        Assert.All(Read(one.forward(full(new long[] { 2, 11, 3 }, 2.5, ScalarType.Float64))), v => Assert.Equal(2.5, v, 14));
        using var two = new AveragePooling2D((3, 4), (2, 3), "same");
        Assert.All(Read(two.forward(full(new long[] { 2, 5, 7, 2 }, 2.5, ScalarType.Float64))), v => Assert.Equal(2.5, v, 14));
    }

    [Fact]
    public void AveragePoolingRejectsBadArguments()
    {
        Assert.Equal("poolSize", Assert.Throws<ArgumentOutOfRangeException>(() => new AveragePooling1D(0)).ParamName);
        Assert.Equal("strides", Assert.Throws<ArgumentOutOfRangeException>(() => new AveragePooling1D(2, 0)).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentException>(() => new AveragePooling1D(2, padding: "causal")).ParamName);
        Assert.Equal("poolSize", Assert.Throws<ArgumentOutOfRangeException>(() => new AveragePooling2D((2, 0))).ParamName);
        Assert.Equal("strides", Assert.Throws<ArgumentOutOfRangeException>(() => new AveragePooling2D((2, 2), (0, 1))).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentException>(() => new AveragePooling2D((2, 2), padding: "full")).ParamName);
        Assert.Throws<ArgumentException>(() => new AveragePooling1D(2).forward(Counting(2, 4)));
        Assert.Throws<ArgumentException>(() => new AveragePooling2D((2, 2)).forward(Counting(2, 4, 3)));
    }

    [Fact]
    public void GlobalAveragePooling1DGradients() => GradientTests.CheckGradients(new GlobalAveragePooling1D(), [2, 5, 3]);

    [Fact]
    public void GlobalAveragePooling2DGradients() => GradientTests.CheckGradients(new GlobalAveragePooling2D(keepdims: true), [2, 3, 5, 2]);

    [Fact]
    public void GlobalMaxPooling1DGradients() => GradientTests.CheckGradients(new GlobalMaxPooling1D(keepdims: true), [2, 5, 3]);

    [Fact]
    public void GlobalMaxPooling2DGradients() => GradientTests.CheckGradients(new GlobalMaxPooling2D(), [2, 3, 5, 2]);

    [Theory]
    [InlineData(2, null, "valid")]
    [InlineData(3, 2, "same")]
    [InlineData(2, 1, "same")]
    public void AveragePooling1DGradients(int poolSize, int? strides, string padding) =>
        GradientTests.CheckGradients(new AveragePooling1D(poolSize, strides, padding), [2, 7, 3]);

    [Theory]
    [InlineData("valid")]
    [InlineData("same")]
    public void AveragePooling2DGradients(string padding) =>
        GradientTests.CheckGradients(new AveragePooling2D((2, 3), (2, 2), padding), [2, 5, 6, 2]);
}

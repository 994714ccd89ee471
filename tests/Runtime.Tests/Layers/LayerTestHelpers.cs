using TorchSharp;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Layers;

/// <summary>Small helpers the tests of the simple layers share: float64 tensors from values, reading them back, comparing.</summary>
internal static class LayerTestHelpers
{
    public static Tensor Doubles(double[] values, params long[] shape) => tensor(values, shape, ScalarType.Float64);

    /// <summary>0, 1, 2, ... in float64, shaped.</summary>
    public static Tensor Counting(params long[] shape) => arange(shape.Aggregate(1L, (a, b) => a * b), ScalarType.Float64).reshape(shape);

    public static double[] Read(Tensor t) => t.to_type(ScalarType.Float64).data<double>().ToArray();

    public static void Assign(Tensor target, double[] values)
    {
        using var noGrad = no_grad();
        target.copy_(tensor(values, target.shape, target.dtype));
    }

    public static void AssertClose(double[] expected, double[] actual, double tolerance = 1e-12)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    public static long LiveTensors => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
}

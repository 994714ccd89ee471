using TorchSharp;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Wrappers;

/// <summary>Comparisons shared by the wrapper tests.</summary>
internal static class WrapperAssert
{
    public static double[] Values(Tensor tensor) => tensor.detach().to(ScalarType.Float64).contiguous().data<double>().ToArray();

    /// <summary>Same shape, and every element within <paramref name="tolerance"/> (absolute, plus relative to the expected one).</summary>
    public static void Close(Tensor expected, Tensor actual, double tolerance = 1e-6)
    {
        Assert.Equal(expected.shape, actual.shape);
        var (want, got) = (Values(expected), Values(actual));
        for (var i = 0; i < want.Length; i++)
            Assert.True(Math.Abs(want[i] - got[i]) <= tolerance * (1 + Math.Abs(want[i])), $"element {i}: expected {want[i]:R}, got {got[i]:R}");
    }

    /// <summary>
    /// How many TorchSharp tensors the backward of Σ <paramref name="output"/> made: the fused node's backward is C# and
    /// makes some for every step; a cell loop's runs inside libtorch and makes none.
    /// </summary>
    public static long TensorsMadeByBackward(Tensor output)
    {
        var loss = output.sum();
        var stats = DisposeScopeManager.Statistics;
        long before = stats.CreatedInScopeCount + stats.CreatedOutsideScopeCount;
        loss.backward();
        return stats.CreatedInScopeCount + stats.CreatedOutsideScopeCount - before;
    }
}

namespace ModelDsl.Runtime.Tests;

public class TensorTests
{
    [Fact]
    public void RoundTripsDataThroughNativeMemory()
    {
        using var t = Tensor.From(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        Assert.Equal(DType.Float32, t.DType);
        Assert.Equal(new long[] { 2, 3 }, t.Shape);
        Assert.Equal(2, t.Dim);
        Assert.Equal(6, t.NumElements);
        Assert.Equal(Device.Cpu, t.Device);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, t.ToArray<float>());
        // A non-contiguous view is copied out in logical (row-major) order.
        using var transposed = t.Transpose(0, 1);
        Assert.Equal(new float[] { 1, 4, 2, 5, 3, 6 }, transposed.ToArray<float>());
    }

    [Fact]
    public void SupportsEveryDType()
    {
        using (var t = Tensor.From(new double[] { 1.5, -2 }))
            Assert.Equal(new[] { 1.5, -2 }, t.ToArray<double>());
        using (var t = Tensor.From(new long[] { long.MaxValue, -3 }))
            Assert.Equal(new[] { long.MaxValue, -3 }, t.ToArray<long>());
        using (var t = Tensor.From(new byte[] { 0, 255 }))
            Assert.Equal(new byte[] { 0, 255 }, t.ToArray<byte>());
        using (var t = Tensor.From(new[] { true, false }))
            Assert.Equal(new[] { true, false }, t.ToArray<bool>());
        using (var t = Tensor.From(new[] { 7, -7 }))
            Assert.Equal(DType.Int32, t.DType);
        using var bytes = Tensor.From(new byte[] { 3 });
        using var converted = bytes.To(DType.Float32);
        Assert.Equal(3f, converted.Item<float>());
        Assert.Throws<InvalidOperationException>(() => bytes.ToArray<float>());
        Assert.Throws<ArgumentException>(() => Tensor.From(new float[] { 1, 2, 3 }, 2, 2));
    }

    [Fact]
    public void ScalarItems()
    {
        using var t = Tensor.Scalar(2.5, DType.Float64);
        Assert.Equal(0, t.Dim);
        Assert.Equal(2.5, t.ToDouble());
        Assert.Equal(2.5, t.Item<double>());
        using var n = Tensor.Scalar(42, DType.Int64);
        Assert.Equal(42L, n.ToInt64());
        Assert.Equal(42, n.Item<int>());
    }

    [Fact]
    public void ArithmeticBroadcastsAndPromotes()
    {
        using var a = Tensor.From(new float[] { 1, 2, 3, 4 }, 2, 2);
        using var b = Tensor.From(new float[] { 10, 20 }, 2);
        using var sum = a + b;
        Assert.Equal(new float[] { 11, 22, 13, 24 }, sum.ToArray<float>());
        using var difference = 1 - a;
        Assert.Equal(new float[] { 0, -1, -2, -3 }, difference.ToArray<float>());
        using var quotient = 12 / a;
        Assert.Equal(new float[] { 12, 6, 4, 3 }, quotient.ToArray<float>());
        using var scaled = a * 2 - a / 2;
        Assert.Equal(new float[] { 1.5f, 3, 4.5f, 6 }, scaled.ToArray<float>());
        using var negated = -a;
        Assert.Equal(-10f, negated.Sum().ToSingle());
        using var product = a.MatMul(a);
        Assert.Equal(new float[] { 7, 10, 15, 22 }, product.ToArray<float>());
        using var clamped = a.Clamp(min: 2, max: 3);
        Assert.Equal(new float[] { 2, 2, 3, 3 }, clamped.ToArray<float>());
        using var roots = a.Sqrt();
        using var exp = roots.Log().Exp();
        Assert.Equal(new[] { 1.0, Math.Sqrt(2), Math.Sqrt(3), 2 }, exp.ToArray<float>().Select(v => (double)v), new ToleranceComparer(1e-6));
    }

    [Fact]
    public void ReductionsAndComparisons()
    {
        using var scope = new DisposeScope();
        using var t = Tensor.From(new float[] { 1, 5, 3, 4, 2, 6 }, 2, 3);
        Assert.Equal(21f, t.Sum().ToSingle());
        Assert.Equal(new float[] { 9, 12 }, t.Sum(1).ToArray<float>());
        Assert.Equal(new float[] { 2.5f, 3.5f, 4.5f }, t.Mean(0).ToArray<float>());
        Assert.Equal(new long[] { 2, 1 }, t.Sum([1], keepDim: true).Shape);
        Assert.Equal(6f, t.Max().ToSingle());
        Assert.Equal(1f, t.Min().ToSingle());
        var (values, indices) = t.Max(1);
        Assert.Equal(new float[] { 5, 6 }, values.ToArray<float>());
        Assert.Equal(new long[] { 1, 2 }, indices.ToArray<long>());
        Assert.Equal(new long[] { 1, 2 }, t.ArgMax(1).ToArray<long>());
        using var above = t.Gt(3);
        Assert.Equal(DType.Bool, above.DType);
        Assert.Equal(new[] { false, true, false, true, false, true }, above.ToArray<bool>());
        Assert.Equal(3L, above.Sum().ToInt64());
        using var same = t.Eq(t);
        Assert.True(same.All().ToBoolean());
        using var picked = Tensor.Where(above, t, t.ZerosLike());
        Assert.Equal(new float[] { 0, 5, 0, 4, 0, 6 }, picked.ToArray<float>());
        Assert.True(t.AllFinite());
        using var infinite = t / 0;
        Assert.False(infinite.AllFinite());
    }

    [Fact]
    public void ShapeOps()
    {
        using var scope = new DisposeScope();
        using var t = Tensor.Arange(0, 24, dtype: DType.Float32).Reshape(2, 3, 4);
        Assert.Equal(new long[] { 4, 3, 2 }, t.Permute(2, 1, 0).Shape);
        Assert.Equal(new long[] { 2, 12 }, t.Flatten(1).Shape);
        Assert.Equal(new long[] { 6, 4 }, t.View(-1, 4).Shape);
        Assert.Equal(new float[] { 4, 5, 6, 7 }, t.Select(0, 0).Select(0, 1).ToArray<float>());
        Assert.Equal(new float[] { 13, 14 }, t.Narrow(2, 1, 2).Select(0, 1).Select(0, 0).ToArray<float>());
        Assert.Equal(new float[] { 0, 2 }, t.Slice(2, 0, 4, 2).Select(0, 0).Select(0, 0).ToArray<float>());
        Assert.Equal(new long[] { 2, 1, 3, 4 }, t.Unsqueeze(1).Shape);
        Assert.Equal(new long[] { 2, 3, 4 }, t.Unsqueeze(1).Squeeze(1).Shape);
        using var index = Tensor.From(new long[] { 2, 0 });
        Assert.Equal(new float[] { 8, 0 }, t.IndexSelect(1, index).Select(0, 0).Select(1, 0).ToArray<float>());

        var parts = t.Unbind(1);
        Assert.Equal(3, parts.Length);
        Assert.Equal(new long[] { 2, 4 }, parts[0].Shape);
        Assert.Equal(new long[] { 2, 3, 4 }, Tensor.Stack(parts, 1).Shape);
        var chunks = t.Chunk(2, 2);
        Assert.Equal(2, chunks.Length);
        Assert.Equal(new long[] { 2, 3, 4 }, Tensor.Cat(chunks, 2).Shape);
        using var joined = Tensor.Cat(chunks, 2);
        Assert.Equal(t.ToArray<float>(), joined.ToArray<float>());
        Assert.Equal(new long[] { 2, 3, 4 }, t.Contiguous().Shape);
        Assert.Equal(new long[] { 3, 2, 3, 4 }, t.Unsqueeze(0).Expand(3, -1, -1, -1).Shape);
    }

    [Fact]
    public void FactoriesAndInPlaceUpdates()
    {
        using var zeros = Tensor.Zeros([2, 2], DType.Float64);
        Assert.Equal(DType.Float64, zeros.DType);
        zeros.AddInPlace(1.5).MulInPlace(2);
        Assert.All(zeros.ToArray<double>(), v => Assert.Equal(3.0, v));
        using var ones = Tensor.Ones([2, 2], DType.Float64);
        zeros.AddInPlace(ones, alpha: -2);
        Assert.All(zeros.ToArray<double>(), v => Assert.Equal(1.0, v));
        zeros.FillInPlace(7).SubInPlace(ones);
        Assert.All(zeros.ToArray<double>(), v => Assert.Equal(6.0, v));
        zeros.CopyFrom(ones);
        Assert.All(zeros.ToArray<double>(), v => Assert.Equal(1.0, v));
        using var full = Tensor.Full([3], -1);
        Assert.Equal(new float[] { -1, -1, -1 }, full.ToArray<float>());

        using var permutation = Tensor.RandPerm(10);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), permutation.ToArray<long>().Order());
        using var uniform = Tensor.Uniform([1000], -2, 2);
        Assert.All(uniform.ToArray<float>(), v => Assert.InRange(v, -2f, 2f));
        using var truncated = Tensor.TruncatedNormal([1000], 0, 1);
        Assert.All(truncated.ToArray<float>(), v => Assert.InRange(v, -2f, 2f));
    }

    [Fact]
    public void AutogradComputesGradients()
    {
        using var x = Tensor.From(new double[] { 1, 2, 3 }).WithRequiresGrad();
        Assert.True(x.RequiresGrad);
        Assert.Null(x.Grad);
        using var y = (x * x).Sum();
        y.Backward();
        using var grad = x.Grad;
        Assert.Equal(new double[] { 2, 4, 6 }, grad!.ToArray<double>());

        using (new NoGradScope())
        {
            Assert.False(Torch.IsGradEnabled);
            using var z = x * 2;
            Assert.False(z.RequiresGrad);
        }
        Assert.True(Torch.IsGradEnabled);
        using var detached = x.Detach();
        Assert.False(detached.RequiresGrad);
    }

    [Fact]
    public void UseAfterDisposeThrowsObjectDisposedException()
    {
        var t = Tensor.Ones([2]);
        t.Dispose();
        Assert.True(t.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => t.Shape);
        Assert.Throws<ObjectDisposedException>(() => t + 1);
        using var other = Tensor.Ones([2]);
        Assert.Throws<ObjectDisposedException>(() => other + t);
        Assert.Throws<ObjectDisposedException>(() => Tensor.Cat([other, t]));
        t.Dispose();
        Assert.Equal("Tensor(disposed)", t.ToString());
    }

    [Fact]
    public void LibtorchErrorsSurfaceAsTorchExceptionsWithLibtorchsMessage()
    {
        using var a = Tensor.Zeros([2, 3]);
        using var b = Tensor.Zeros([4, 5]);
        var error = Assert.Throws<TorchException>(() => a.MatMul(b));
        Assert.Contains("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)", error.Message);
        // The process and the thread's next calls are fine.
        using var c = a.MatMul(Tensor.Zeros([3, 1]));
        Assert.Equal(new long[] { 2, 1 }, c.Shape);

        var reshape = Assert.Throws<TorchException>(() => a.Reshape(5));
        Assert.Contains("invalid for input of size 6", reshape.Message);
    }

    [Fact]
    public void DeviceNamesParse()
    {
        Assert.Equal(Device.Cpu, Device.Parse("cpu"));
        Assert.Equal(Device.Cuda(1), Device.Parse("cuda:1"));
        Assert.Equal("cuda:0", Device.Cuda().ToString());
        Assert.Throws<FormatException>(() => Device.Parse("tpu"));
        Assert.Equal(Device.CudaAvailable ? Device.Cuda(0) : Device.Cpu, Device.Auto);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}

namespace ModelDsl.Runtime;

/// <summary>Shape ops. Views share the data (no copy) where libtorch can make one.</summary>
public partial class Tensor
{
    private unsafe Tensor ShapeOp(ShapeOpKind op, ReadOnlySpan<long> values)
    {
        fixed (long* p = values)
            return new Tensor(NativeMethods.ShapeOp(Handle, op, p, values.Length));
    }

    /// <summary>The same elements in a new shape (one size may be -1); a view when possible.</summary>
    public Tensor Reshape(params ReadOnlySpan<long> shape) => ShapeOp(ShapeOpKind.Reshape, shape);

    /// <summary>Like <see cref="Reshape"/> but never copies (fails on an incompatible layout).</summary>
    public Tensor View(params ReadOnlySpan<long> shape) => ShapeOp(ShapeOpKind.View, shape);

    public Tensor Permute(params ReadOnlySpan<long> dims) => ShapeOp(ShapeOpKind.Permute, dims);

    /// <summary>Broadcasts size-1 dimensions (a view; -1 keeps a size).</summary>
    public Tensor Expand(params ReadOnlySpan<long> shape) => ShapeOp(ShapeOpKind.Expand, shape);

    public Tensor Flatten(long startDim = 0, long endDim = -1) => new(NativeMethods.Flatten(Handle, startDim, endDim));

    public Tensor Transpose(long dim0, long dim1) => new(NativeMethods.Transpose(Handle, dim0, dim1));

    /// <summary>Elements start..start+length-1 of <paramref name="dim"/> (a view).</summary>
    public Tensor Narrow(long dim, long start, long length) => new(NativeMethods.Narrow(Handle, dim, start, length));

    /// <summary>Python's t[start:end:step] along <paramref name="dim"/> (a view; end is clamped).</summary>
    public Tensor Slice(long dim, long start, long end, long step = 1) => new(NativeMethods.Slice(Handle, dim, start, end, step));

    /// <summary>Index <paramref name="index"/> of <paramref name="dim"/>, which goes away (a view).</summary>
    public Tensor Select(long dim, long index) => new(NativeMethods.Select(Handle, dim, index));

    public Tensor Squeeze(long dim) => new(NativeMethods.Squeeze(Handle, dim, 0));

    public Tensor Unsqueeze(long dim) => new(NativeMethods.Squeeze(Handle, dim, 1));

    /// <summary>The entries of <paramref name="dim"/> listed (int64) in <paramref name="index"/> (a copy): mini-batches.</summary>
    public Tensor IndexSelect(long dim, Tensor index) => new(NativeMethods.IndexSelect(Handle, dim, index.Handle));

    private static unsafe Tensor Join(IReadOnlyList<Tensor> tensors, long dim, bool stack)
    {
        using var lease = Lease(tensors);
        fixed (IntPtr* p = lease.Pointers)
            return new Tensor(NativeMethods.Cat(p, tensors.Count, dim, stack ? 1 : 0));
    }

    /// <summary>Joins along an existing dimension.</summary>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: false);

    /// <summary>Joins along a new dimension.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: true);

    private unsafe Tensor[] Split(int op, long dim, int capacity)
    {
        var parts = new IntPtr[capacity];
        int count;
        fixed (IntPtr* p = parts)
            NativeMethods.Check(NativeMethods.Split(Handle, op, dim, p, capacity, out count));
        var result = new Tensor[count];
        for (var i = 0; i < count; i++)
            result[i] = new Tensor(parts[i]);
        return result;
    }

    /// <summary>The slices along <paramref name="dim"/> (views).</summary>
    public Tensor[] Unbind(long dim = 0) => Split(0, dim, checked((int)Size((int)dim)));

    /// <summary>Up to <paramref name="chunks"/> equal views along <paramref name="dim"/> (the last may be smaller).</summary>
    public Tensor[] Chunk(int chunks, long dim = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunks, 1);
        return Split(1, dim, chunks);
    }
}

using System.Runtime.CompilerServices;

namespace ModelDsl.Runtime;

/// <summary>
/// A libtorch tensor. Disposing frees the native tensor (and with it CPU or GPU memory the .NET GC cannot see);
/// inside a <see cref="DisposeScope"/> every tensor created is disposed when the scope ends unless moved out.
/// Any use after Dispose throws <see cref="ObjectDisposedException"/>.
/// </summary>
public partial class Tensor : IDisposable
{
    private TensorHandle _handle;

    // Each value read back to .NET waits for the GPU's queued work (a sync): counted per thread, so tests can tell a
    // training loop that reads once an epoch from one that reads every step.
    [ThreadStatic]
    private static long t_hostReads;

    /// <summary>How many times this thread has read tensor values back to .NET (each a sync with a GPU).</summary>
    internal static long HostReads => t_hostReads;

    /// <summary>The scope that will dispose this tensor, or null.</summary>
    internal DisposeScope? Scope { get; set; }

    /// <summary>Takes ownership of a handle a native call returned; null there means the call failed.</summary>
    internal Tensor(IntPtr handle) : this(handle, scoped: true)
    {
    }

    private protected Tensor(IntPtr handle, bool scoped)
    {
        _handle = new TensorHandle(NativeMethods.Check(handle));
        if (scoped)
            DisposeScope.Current?.Register(this);
    }

    internal TensorHandle Handle =>
        _handle.IsClosed ? throw new ObjectDisposedException(nameof(Tensor), "the tensor was disposed") : _handle;

    internal static TensorHandle HandleOf(Tensor? tensor) => tensor?.Handle ?? TensorHandle.Null;

    public bool IsDisposed => _handle.IsClosed;

    public void Dispose()
    {
        _handle.Dispose();
        GC.SuppressFinalize(this);
    }

    // ---- what it is ----

    private (DType DType, int Dim, Device Device, bool RequiresGrad) Info()
    {
        NativeMethods.Check(NativeMethods.Info(Handle, out var dtype, out var dim, out var deviceType, out var deviceIndex, out var requiresGrad));
        return ((DType)dtype, dim, new Device((DeviceType)deviceType, deviceIndex), requiresGrad != 0);
    }

    public DType DType => Info().DType;

    public Device Device => Info().Device;

    /// <summary>The number of dimensions.</summary>
    public int Dim => Info().Dim;

    public unsafe long[] Shape
    {
        get
        {
            const int Capacity = 16;
            var buffer = stackalloc long[Capacity];
            NativeMethods.Check(NativeMethods.Shape(Handle, buffer, Capacity, out var dim));
            if (dim <= Capacity)
                return new ReadOnlySpan<long>(buffer, dim).ToArray();
            var shape = new long[dim];
            fixed (long* p = shape)
                NativeMethods.Check(NativeMethods.Shape(Handle, p, dim, out _));
            return shape;
        }
    }

    /// <summary>The size of one dimension; negative counts from the end.</summary>
    public long Size(int dim)
    {
        var shape = Shape;
        return shape[dim < 0 ? dim + shape.Length : dim];
    }

    public long NumElements
    {
        get
        {
            long n = 1;
            foreach (var size in Shape)
                n *= size;
            return n;
        }
    }

    public override string ToString() =>
        IsDisposed ? "Tensor(disposed)" : $"Tensor({DType.Name()}, [{string.Join(", ", Shape)}], {Device})";

    // ---- from and to .NET memory ----

    /// <summary>A tensor holding a copy of <paramref name="data"/> (one copy, straight onto the device).</summary>
    public static unsafe Tensor From<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape, Device? device = null) where T : unmanaged
    {
        long count = 1;
        foreach (var size in shape)
            count *= size;
        if (count != data.Length)
            throw new ArgumentException($"shape [{string.Join(", ", shape.ToArray())}] holds {count} elements but {data.Length} were given", nameof(shape));
        var target = device ?? Device.Cpu;
        fixed (T* source = data)
        fixed (long* dims = shape)
            return new Tensor(NativeMethods.FromData(source, dims, shape.Length, (int)DTypes.Of<T>(), (int)target.Type, target.Index));
    }

    /// <summary>A tensor holding a copy of <paramref name="data"/>; without a shape, 1-D.</summary>
    public static Tensor From<T>(T[] data, params long[] shape) where T : unmanaged =>
        From(new ReadOnlySpan<T>(data), shape.Length == 0 ? [data.LongLength] : shape);

    /// <summary>A 0-D tensor.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32, Device? device = null) => Full([], value, dtype, device);

    /// <summary>Copies every element (in row-major order) into <paramref name="destination"/>, whose type must match <see cref="DType"/>.</summary>
    public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        var dtype = DType;
        if (DTypes.Of<T>() != dtype)
            throw new InvalidOperationException($"the tensor holds {dtype.Name()}, not {typeof(T).Name}; convert it with To(DType) first");
        t_hostReads++;
        fixed (T* target = destination)
            NativeMethods.Check(NativeMethods.CopyTo(Handle, target, (long)destination.Length * sizeof(T)));
    }

    public T[] ToArray<T>() where T : unmanaged
    {
        var result = new T[NumElements];
        CopyTo<T>(result);
        return result;
    }

    /// <summary>The value of a one-element tensor.</summary>
    public double ToDouble()
    {
        t_hostReads++;
        NativeMethods.Check(NativeMethods.Item(Handle, out var value));
        return value;
    }

    public float ToSingle() => (float)ToDouble();

    public long ToInt64()
    {
        t_hostReads++;
        NativeMethods.Check(NativeMethods.ItemLong(Handle, out var value));
        return value;
    }

    public bool ToBoolean() => ToInt64() != 0;

    /// <summary>The value of a one-element tensor as <typeparamref name="T"/> (float, double, long, int, byte or bool).</summary>
    public T Item<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(double)) { var v = ToDouble(); return Unsafe.As<double, T>(ref v); }
        if (typeof(T) == typeof(float)) { var v = ToSingle(); return Unsafe.As<float, T>(ref v); }
        if (typeof(T) == typeof(long)) { var v = ToInt64(); return Unsafe.As<long, T>(ref v); }
        if (typeof(T) == typeof(int)) { var v = checked((int)ToInt64()); return Unsafe.As<int, T>(ref v); }
        if (typeof(T) == typeof(byte)) { var v = checked((byte)ToInt64()); return Unsafe.As<byte, T>(ref v); }
        if (typeof(T) == typeof(bool)) { var v = ToBoolean(); return Unsafe.As<bool, T>(ref v); }
        throw new NotSupportedException($"tensors do not hold {typeof(T).Name} elements");
    }

    // ---- factories ----

    private static unsafe Tensor Filled(ReadOnlySpan<long> shape, int kind, double value, DType dtype, Device? device)
    {
        var target = device ?? Device.Cpu;
        fixed (long* dims = shape)
            return new Tensor(NativeMethods.Filled(dims, shape.Length, kind, value, (int)dtype, (int)target.Type, target.Index));
    }

    private static unsafe Tensor Random(ReadOnlySpan<long> shape, int kind, double a, double b, DType dtype, Device? device)
    {
        var target = device ?? Device.Cpu;
        fixed (long* dims = shape)
            return new Tensor(NativeMethods.Random(dims, shape.Length, kind, a, b, (int)dtype, (int)target.Type, target.Index));
    }

    public static Tensor Zeros(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null) => Filled(shape, 0, 0, dtype, device);

    public static Tensor Ones(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null) => Filled(shape, 1, 0, dtype, device);

    public static Tensor Full(ReadOnlySpan<long> shape, double value, DType dtype = DType.Float32, Device? device = null) =>
        Filled(shape, 2, value, dtype, device);

    /// <summary>Uninitialized memory.</summary>
    public static Tensor Empty(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null) => Filled(shape, 3, 0, dtype, device);

    /// <summary>Uniform on [0, 1), from libtorch's generator (<see cref="Torch.ManualSeed"/>).</summary>
    public static Tensor Rand(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null) => Random(shape, 0, 0, 1, dtype, device);

    /// <summary>Standard normal.</summary>
    public static Tensor Randn(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null) => Random(shape, 1, 0, 1, dtype, device);

    public static Tensor Uniform(ReadOnlySpan<long> shape, double low, double high, DType dtype = DType.Float32, Device? device = null) =>
        Random(shape, 0, low, high, dtype, device);

    public static Tensor Normal(ReadOnlySpan<long> shape, double mean, double stddev, DType dtype = DType.Float32, Device? device = null) =>
        Random(shape, 1, mean, stddev, dtype, device);

    /// <summary>Normal, values beyond two standard deviations redrawn (Keras' TruncatedNormal).</summary>
    public static Tensor TruncatedNormal(ReadOnlySpan<long> shape, double mean, double stddev, DType dtype = DType.Float32, Device? device = null) =>
        Random(shape, 2, mean, stddev, dtype, device);

    /// <summary>A random permutation of 0..n-1 (int64).</summary>
    public static Tensor RandPerm(long n, Device? device = null)
    {
        var target = device ?? Device.Cpu;
        return new Tensor(NativeMethods.RandPerm(n, (int)target.Type, target.Index));
    }

    /// <summary>start, start + step, ... below end.</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Int64, Device? device = null)
    {
        var target = device ?? Device.Cpu;
        return new Tensor(NativeMethods.Arange(start, end, step, (int)dtype, (int)target.Type, target.Index));
    }

    /// <summary>A (rows, cols) matrix from Keras' orthogonal initializer, on the CPU.</summary>
    public static Tensor Orthogonal(long rows, long cols, double gain = 1.0, DType dtype = DType.Float32) =>
        new(NativeMethods.Orthogonal(rows, cols, gain, (int)dtype));

    public Tensor ZerosLike() => new(NativeMethods.Like(Handle, 0, 0));

    public Tensor OnesLike() => new(NativeMethods.Like(Handle, 1, 0));

    public Tensor FullLike(double value) => new(NativeMethods.Like(Handle, 2, value));

    public Tensor EmptyLike() => new(NativeMethods.Like(Handle, 3, 0));

    public Tensor RandLike() => new(NativeMethods.Like(Handle, 4, 0));

    public Tensor RandnLike() => new(NativeMethods.Like(Handle, 5, 0));

    // ---- conversion ----

    /// <summary>This tensor in another dtype and/or on another device (the same tensor's data when nothing changes).</summary>
    public Tensor To(DType dtype, Device device, bool copy = false) =>
        new(NativeMethods.To(Handle, (int)dtype, (int)device.Type, device.Index, copy ? 1 : 0));

    public Tensor To(DType dtype) => To(dtype, Device);

    public Tensor To(Device device) => To(DType, device);

    public Tensor Cpu() => To(Device.Cpu);

    public Tensor Clone() => Unary(UnaryOp.Clone);

    /// <summary>The same data, cut from the autograd graph.</summary>
    public Tensor Detach() => Unary(UnaryOp.Detach);

    public Tensor Contiguous() => Unary(UnaryOp.Contiguous);

    /// <summary>A second handle on this very tensor (no copy), disposed independently.</summary>
    public Tensor Alias() => Unary(UnaryOp.Alias);

    /// <summary>Replaces the data in place, keeping identity and requires-grad (PyTorch's <c>t.data = source</c>).</summary>
    public void SetData(Tensor source) => NativeMethods.Check(NativeMethods.SetData(Handle, source.Handle));

    // ---- autograd ----

    public bool RequiresGrad
    {
        get => Info().RequiresGrad;
        set => NativeMethods.Check(NativeMethods.SetRequiresGrad(Handle, value ? 1 : 0));
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor.</summary>
    public Tensor WithRequiresGrad(bool value = true)
    {
        RequiresGrad = value;
        return this;
    }

    /// <summary>The accumulated gradient (a new handle on it), or null before any backward reached this tensor.</summary>
    public Tensor? Grad
    {
        get
        {
            NativeMethods.Check(NativeMethods.Grad(Handle, out var grad));
            return grad == IntPtr.Zero ? null : new Tensor(grad);
        }
    }

    /// <summary>Back-propagates from this tensor (a scalar unless <paramref name="gradient"/> is given).</summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false) =>
        NativeMethods.Check(NativeMethods.Backward(Handle, HandleOf(gradient), retainGraph ? 1 : 0));

    // ---- dispose scopes ----

    /// <summary>Hands this tensor to the scope outside the current one (or to nobody when there is none).</summary>
    public Tensor MoveToOuterScope()
    {
        var outer = Scope?.Outer;
        Scope = null;
        outer?.Register(this);
        return this;
    }

    /// <summary>Takes this tensor out of its dispose scope: the caller disposes it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        Scope = null;
        return this;
    }

    // ---- helpers shared by the op files ----

    private Tensor Unary(UnaryOp op) => new(NativeMethods.Unary(Handle, op));

    /// <summary>Native handles of tensors held (AddRef'd) until the returned lease is disposed.</summary>
    internal static HandleLease Lease(IReadOnlyList<Tensor> tensors) => new(tensors);

    internal sealed class HandleLease : IDisposable
    {
        private readonly TensorHandle[] _handles;
        private int _acquired;

        public IntPtr[] Pointers { get; }

        public HandleLease(IReadOnlyList<Tensor> tensors)
        {
            _handles = new TensorHandle[tensors.Count];
            Pointers = new IntPtr[tensors.Count];
            try
            {
                for (; _acquired < tensors.Count; _acquired++)
                {
                    var handle = tensors[_acquired].Handle;
                    var added = false;
                    handle.DangerousAddRef(ref added);
                    _handles[_acquired] = handle;
                    Pointers[_acquired] = handle.DangerousGetHandle();
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            for (var i = 0; i < _acquired; i++)
                _handles[i].DangerousRelease();
            _acquired = 0;
        }
    }
}

using System.Runtime.InteropServices;

namespace ModelDsl.Runtime;

/// <summary>Owns one native tensor handle; freed once, by Dispose or, for a leaked tensor, by the finalizer.</summary>
internal sealed class TensorHandle : SafeHandle
{
    /// <summary>Passed where a native argument is optional (a missing bias).</summary>
    internal static readonly TensorHandle Null = new();

    public TensorHandle() : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    internal TensorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.Free(handle);
        return true;
    }
}

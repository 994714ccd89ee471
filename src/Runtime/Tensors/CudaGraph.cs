using System.Runtime.InteropServices;

namespace ModelDsl.Runtime;

/// <summary>
/// A CUDA graph with its own side stream: work is warmed up eagerly on that stream (<see cref="EnterSideStream"/>),
/// captured once (<see cref="BeginCapture"/> .. <see cref="EndCapture"/>) and then <see cref="Replay"/>ed, reading
/// and writing the same tensors every time. Tensors made during the capture live in the graph's memory pool.
/// </summary>
public sealed class CudaGraph : IDisposable
{
    private readonly GraphHandle _handle;

    public CudaGraph(Device device)
    {
        if (!device.IsCuda)
            throw new ArgumentException($"CUDA graphs need a CUDA device, not {device}", nameof(device));
        _handle = new GraphHandle(NativeMethods.Check(NativeMethods.CudaGraphNew(device.Index)));
        Device = device;
    }

    /// <summary>Whether this build of the native shim has CUDA (graphs included).</summary>
    public static bool Supported => NativeMethods.CudaGraphsAvailable() != 0;

    public Device Device { get; }

    public bool IsCaptured { get; private set; }

    /// <summary>Makes the side stream current (ordered after the work queued so far) until <see cref="LeaveSideStream"/>.</summary>
    public void EnterSideStream() => Call(NativeMethods.CudaGraphEnter);

    public void LeaveSideStream() => Call(NativeMethods.CudaGraphLeave);

    /// <summary>Starts recording on the side stream: nothing launched until <see cref="EndCapture"/> runs now.</summary>
    public void BeginCapture() => Call(NativeMethods.CudaGraphCaptureBegin);

    /// <summary>Ends the recording and returns to the previous stream; the recorded work has not run yet.</summary>
    public void EndCapture()
    {
        Call(NativeMethods.CudaGraphCaptureEnd);
        IsCaptured = true;
    }

    public void Replay() => Call(NativeMethods.CudaGraphReplay);

    private void Call(Func<IntPtr, int> call)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        var added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            NativeMethods.Check(call(_handle.DangerousGetHandle()));
        }
        finally
        {
            if (added)
                _handle.DangerousRelease();
        }
    }

    public void Dispose() => _handle.Dispose();

    private sealed class GraphHandle(IntPtr handle) : SafeHandle(handle, ownsHandle: true)
    {
        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            NativeMethods.CudaGraphFree(handle);
            return true;
        }
    }
}

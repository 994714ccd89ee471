using System.Runtime.InteropServices;

namespace ModelDsl.Runtime;

/// <summary>Process-wide libtorch settings and counters.</summary>
public static class Torch
{
    /// <summary>Seeds libtorch's generators (CPU and CUDA): initializers, dropout, shuffling.</summary>
    public static void ManualSeed(long seed) => NativeMethods.Check(NativeMethods.ManualSeed(unchecked((ulong)seed)));

    /// <summary>libtorch's intra-op threads.</summary>
    public static void SetNumThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        NativeMethods.Check(NativeMethods.SetNumThreads(threads));
    }

    public static int NumThreads => NativeMethods.GetNumThreads();

    /// <summary>
    /// Resizes OpenBLAS' thread pool (what OPENBLAS_NUM_THREADS sets at load, which .NET cannot set for its own process).
    /// Returns false, changing nothing, when libtorch's BLAS is not OpenBLAS.
    /// </summary>
    public static bool SetBlasThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        return NativeMethods.SetBlasThreads(threads) != 0;
    }

    /// <summary>OpenBLAS' threads, or 0 when libtorch's BLAS is not OpenBLAS.</summary>
    public static int BlasThreads => NativeMethods.GetBlasThreads();

    /// <summary>
    /// Whether this thread runs the hand-fused CPU kernels (the whole-sequence LSTM, single-pass Adam); default true.
    /// Off, the same results come from the plain libtorch composition (to rounding): for comparisons and tests.
    /// </summary>
    public static bool FusedKernels
    {
        get => NativeMethods.GetFusedKernels() != 0;
        set => NativeMethods.SetFusedKernels(value ? 1 : 0);
    }

    /// <summary>
    /// Whether the process's heap keeps freed memory for reuse (set when the shim loads: glibc's mmap threshold at
    /// 32 MiB, its trim threshold at 1 GiB), so a training step reuses the last step's pages instead of faulting fresh
    /// ones in; see Native/allocator.cpp. False when MODELDSL_KEEP_FREED_MEMORY=0 or glibc's own MALLOC_* settings are given.
    /// </summary>
    public static bool KeepsFreedMemory => NativeMethods.KeepsFreedMemory() != 0;

    /// <summary>Native tensor handles alive now (undisposed tensors, parameters, optimizer state): flat in a leak-free loop.</summary>
    public static long LiveTensorCount => NativeMethods.LiveTensors();

    public static bool IsGradEnabled => NativeMethods.IsGradEnabled() != 0;

    /// <summary>The libtorch version the shim was built against ("1.13.0").</summary>
    public static string Version => Marshal.PtrToStringUTF8(NativeMethods.TorchVersion()) ?? "";

    /// <summary>Waits for the GPU's queued work (for timing); nothing on the CPU.</summary>
    public static void Synchronize(Device device)
    {
        if (device.IsCuda)
            NativeMethods.Check(NativeMethods.CudaSynchronize(device.Index));
    }
}

using System.Runtime.InteropServices;

namespace ModelDsl.Runtime;

/// <summary>
/// Keeps glibc's malloc from handing libtorch's CPU tensors back to the kernel between training steps.
/// libtorch allocates every activation and gradient with malloc. By default glibc serves a block of a few MB with
/// its own mmap and returns it with munmap when freed, and trims the heap's free top whenever it passes twice that
/// threshold, so each step of a convolutional network asks the kernel for the same pages again and zero-fills
/// them (a quarter of the CNN benchmark's time was page faults; with these settings it runs 1.5-1.7x faster at the
/// same peak RSS). A fixed mmap threshold of 32 MB (glibc's largest) and a trim threshold of 128 MB keep those
/// blocks in the heap for the next step.
/// </summary>
/// <remarks>
/// Applied once, when the runtime first loads libtorch, and only on glibc. Left alone when the process's
/// environment already tunes malloc (<c>GLIBC_TUNABLES</c> with <c>glibc.malloc.</c> settings, or
/// <c>MALLOC_MMAP_THRESHOLD_</c>/<c>MALLOC_TRIM_THRESHOLD_</c>), or when <c>MODELDSL_MALLOC_TUNING=0</c>.
/// </remarks>
public static partial class NativeHeap
{
    /// <summary>The environment variable that turns the tuning off when set to 0.</summary>
    public const string SwitchVariable = "MODELDSL_MALLOC_TUNING";

    /// <summary>Blocks up to this size come from the heap, not from their own mapping (glibc's maximum on 64-bit).</summary>
    public const int MmapThresholdBytes = 32 << 20;

    /// <summary>The free top of the heap is returned to the kernel only above this size.</summary>
    public const int TrimThresholdBytes = 128 << 20;

    // mallopt's parameter numbers, from glibc's malloc.h.
    private const int MTrimThreshold = -1;
    private const int MMmapThreshold = -3;

    /// <summary>Whether this process runs with the settings above (false off glibc, or where the user chose).</summary>
    public static bool Tuned { get; private set; }

    /// <summary>Applies the settings once; safe to call again.</summary>
    internal static void Tune()
    {
        if (Tuned || !OperatingSystem.IsLinux() || UserChose(Environment.GetEnvironmentVariable))
            return;
        if (!NativeLibrary.TryLoad("libc.so.6", out var libc))
            return;
        try
        {
            if (!NativeLibrary.TryGetExport(libc, "mallopt", out _) || !NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out _))
                return;
            Tuned = Mallopt(MMmapThreshold, MmapThresholdBytes) == 1 && Mallopt(MTrimThreshold, TrimThresholdBytes) == 1;
        }
        finally
        {
            NativeLibrary.Free(libc);
        }
    }

    /// <summary>Whether the environment (<paramref name="variable"/> reads it) turns the tuning off or tunes malloc itself.</summary>
    internal static bool UserChose(Func<string, string?> variable) =>
        variable(SwitchVariable) == "0"
        || variable("GLIBC_TUNABLES")?.Contains("glibc.malloc.", StringComparison.Ordinal) == true
        || variable("MALLOC_MMAP_THRESHOLD_") is not null
        || variable("MALLOC_TRIM_THRESHOLD_") is not null;

    [LibraryImport("libc.so.6", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);
}

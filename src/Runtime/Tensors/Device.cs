using System.Globalization;

namespace ModelDsl.Runtime;

public enum DeviceType
{
    Cpu = 0,
    Cuda = 1,
}

/// <summary>Where a tensor lives: the CPU or a CUDA device.</summary>
public readonly record struct Device(DeviceType Type, int Index)
{
    public static Device Cpu { get; } = new(DeviceType.Cpu, 0);

    public static Device Cuda(int index = 0) => new(DeviceType.Cuda, index);

    /// <summary>The first CUDA device when libtorch can use one, else the CPU.</summary>
    public static Device Auto => CudaAvailable ? Cuda(0) : Cpu;

    public static bool CudaAvailable => CudaDeviceCount > 0;

    /// <summary>0 with a CPU-only libtorch or without a GPU.</summary>
    public static int CudaDeviceCount => NativeMethods.CudaDeviceCount();

    public bool IsCuda => Type == DeviceType.Cuda;

    /// <summary>"cpu", "cuda", "cuda:1" or "auto".</summary>
    public static Device Parse(string text)
    {
        var value = text.Trim().ToLowerInvariant();
        if (value == "cpu")
            return Cpu;
        if (value == "auto")
            return Auto;
        if (value == "cuda" || value == "gpu")
            return Cuda();
        if (value.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(value.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            return Cuda(index);
        throw new FormatException($"'{text}' is not a device; use cpu, cuda, cuda:N or auto");
    }

    public override string ToString() => IsCuda ? $"cuda:{Index}" : "cpu";
}

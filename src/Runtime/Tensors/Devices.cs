using System.Globalization;

namespace ModelDsl.Runtime;

/// <summary>Picking the device a model trains on, by name as the command line and the examples give it.</summary>
public static class Devices
{
    /// <summary>The first CUDA device when the application's libtorch can use one, else the CPU.</summary>
    public static Device Auto
    {
        get
        {
            TorchLibrary.EnsureLoaded();
            return cuda.is_available() ? CUDA : CPU;
        }
    }

    /// <summary>0 with a CPU-only libtorch or without a GPU.</summary>
    public static int CudaDeviceCount
    {
        get
        {
            TorchLibrary.EnsureLoaded();
            return cuda.is_available() ? cuda.device_count() : 0;
        }
    }

    /// <summary>"cpu", "cuda", "gpu", "cuda:1" or "auto".</summary>
    public static Device Parse(string text)
    {
        TorchLibrary.EnsureLoaded();
        var value = text.Trim().ToLowerInvariant();
        if (value == "cpu")
            return CPU;
        if (value == "auto")
            return Auto;
        if (value == "cuda" || value == "gpu")
            return new Device(DeviceType.CUDA, 0);
        if (value.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(value.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            return new Device(DeviceType.CUDA, index);
        throw new FormatException($"'{text}' is not a device; use cpu, cuda, cuda:N or auto");
    }

    /// <summary>Whether two devices are the same one (a CPU's index is not significant).</summary>
    public static bool SameAs(this Device device, Device other) =>
        device.type == other.type && (device.type != DeviceType.CUDA || Math.Max(device.index, 0) == Math.Max(other.index, 0));
}

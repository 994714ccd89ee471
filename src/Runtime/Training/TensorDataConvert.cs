using System.Runtime.InteropServices;

namespace ModelDsl.Runtime.Training;

/// <summary>Copies tensors to and from <see cref="TensorData"/> (raw little-endian bytes on the CPU).</summary>
internal static class TensorDataConvert
{
    public static TensorData Export(string name, Tensor tensor)
    {
        using var cpu = tensor.To(tensor.DType, Device.Cpu);
        var bytes = tensor.DType switch
        {
            DType.Float32 => Bytes(cpu.ToArray<float>()),
            DType.Float64 => Bytes(cpu.ToArray<double>()),
            DType.Int64 => Bytes(cpu.ToArray<long>()),
            DType.Int32 => Bytes(cpu.ToArray<int>()),
            DType.UInt8 => cpu.ToArray<byte>(),
            DType.Bool => Bytes(cpu.ToArray<bool>()),
            var other => throw new NotSupportedException($"cannot save a {other.Name()} tensor"),
        };
        return new TensorData(name, tensor.DType.Name(), tensor.Shape, bytes);
    }

    /// <summary>Float32 values already on the CPU (an optimizer slot).</summary>
    public static TensorData Export(string name, long[] shape, float[] values) => new(name, DType.Float32.Name(), shape, Bytes(values));

    /// <summary>The values of a float32 entry.</summary>
    public static float[] Floats(TensorData data) =>
        data.DType == DType.Float32.Name()
            ? MemoryMarshal.Cast<byte, float>(data.Data).ToArray()
            : throw new InvalidDataException($"'{data.Name}' is {data.DType}; optimizer state is float32");

    /// <summary>A new tensor on <paramref name="device"/> holding <paramref name="data"/>.</summary>
    public static Tensor Import(TensorData data, Device device)
    {
        var dtype = ParseDType(data.DType);
        long count = data.Shape.Aggregate(1L, (a, b) => a * b);
        if (count * dtype.ElementSize() != data.Data.LongLength)
            throw new InvalidDataException($"'{data.Name}' holds {data.Data.Length} bytes, not the {count * dtype.ElementSize()} of a {data.DType} {data.ShapeText}");
        ReadOnlySpan<byte> bytes = data.Data;
        return dtype switch
        {
            DType.Float32 => Tensor.From(MemoryMarshal.Cast<byte, float>(bytes), data.Shape, device),
            DType.Float64 => Tensor.From(MemoryMarshal.Cast<byte, double>(bytes), data.Shape, device),
            DType.Int64 => Tensor.From(MemoryMarshal.Cast<byte, long>(bytes), data.Shape, device),
            DType.Int32 => Tensor.From(MemoryMarshal.Cast<byte, int>(bytes), data.Shape, device),
            DType.UInt8 => Tensor.From(bytes, data.Shape, device),
            _ => Tensor.From(MemoryMarshal.Cast<byte, bool>(bytes), data.Shape, device),
        };
    }

    public static DType ParseDType(string name) =>
        Enum.GetValues<DType>().FirstOrDefault(d => d.Name() == name) is var dtype && dtype.Name() == name
            ? dtype
            : throw new InvalidDataException($"unknown dtype '{name}' in the checkpoint");

    // The checkpoint format is little-endian, which is every platform .NET and libtorch run on here.
    private static byte[] Bytes<T>(T[] values) where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}

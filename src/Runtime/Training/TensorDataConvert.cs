using System.Runtime.InteropServices;

namespace ModelDsl.Runtime.Training;

/// <summary>Copies tensors to and from <see cref="TensorData"/> (raw little-endian bytes on the CPU).</summary>
internal static class TensorDataConvert
{
    // The checkpoint's names of the element types it stores.
    private static readonly (ScalarType Type, string Name, int Size)[] Types =
    [
        (ScalarType.Float32, "float32", sizeof(float)),
        (ScalarType.Float64, "float64", sizeof(double)),
        (ScalarType.Int64, "int64", sizeof(long)),
        (ScalarType.Int32, "int32", sizeof(int)),
        (ScalarType.Byte, "uint8", sizeof(byte)),
        (ScalarType.Bool, "bool", sizeof(bool)),
    ];

    /// <summary>The checkpoint's name of <paramref name="type"/> ("float32").</summary>
    public static string NameOf(ScalarType type) =>
        Types.FirstOrDefault(t => t.Type == type).Name ?? throw new NotSupportedException($"cannot save a {type} tensor");

    public static TensorData Export(string name, Tensor tensor)
    {
        var typeName = NameOf(tensor.dtype);
        using var cpu = tensor.detach().cpu().contiguous();
        return new TensorData(name, typeName, tensor.shape, cpu.bytes.ToArray());
    }

    /// <summary>Float32 values already on the CPU (an optimizer slot).</summary>
    public static TensorData Export(string name, long[] shape, float[] values) =>
        new(name, NameOf(ScalarType.Float32), shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    /// <summary>The values of a float32 entry.</summary>
    public static float[] Floats(TensorData data) =>
        data.DType == NameOf(ScalarType.Float32)
            ? MemoryMarshal.Cast<byte, float>(data.Data).ToArray()
            : throw new InvalidDataException($"'{data.Name}' is {data.DType}; optimizer state is float32");

    /// <summary>A new tensor on <paramref name="device"/> holding <paramref name="data"/>.</summary>
    public static Tensor Import(TensorData data, Device device)
    {
        var (type, _, size) = Types.FirstOrDefault(t => t.Name == data.DType);
        if (size == 0)
            throw new InvalidDataException($"unknown dtype '{data.DType}' in the checkpoint");
        long count = data.Shape.Aggregate(1L, (a, b) => a * b);
        if (count * size != data.Data.LongLength)
            throw new InvalidDataException($"'{data.Name}' holds {data.Data.Length} bytes, not the {count * size} of a {data.DType} {data.ShapeText}");
        // The checkpoint format is little-endian, which is every platform .NET and libtorch run on here.
        var cpu = empty(data.Shape, type);
        cpu.bytes = data.Data;
        if (device.type == DeviceType.CPU)
            return cpu;
        using (cpu)
            return cpu.to(device);
    }
}

namespace ModelDsl.Runtime;

/// <summary>Element types; the numeric values are the native shim's codes.</summary>
public enum DType
{
    Float32 = 0,
    Float64 = 1,
    Int64 = 2,
    UInt8 = 3,
    Bool = 4,
    Int32 = 5,
}

public static class DTypes
{
    public static bool IsFloatingPoint(this DType dtype) => dtype is DType.Float32 or DType.Float64;

    public static int ElementSize(this DType dtype) => dtype switch
    {
        DType.Float32 or DType.Int32 => 4,
        DType.Float64 or DType.Int64 => 8,
        DType.UInt8 or DType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>The dtype whose elements are a <typeparamref name="T"/>: float, double, long, byte, bool or int.</summary>
    public static DType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? DType.Float32
        : typeof(T) == typeof(double) ? DType.Float64
        : typeof(T) == typeof(long) ? DType.Int64
        : typeof(T) == typeof(byte) ? DType.UInt8
        : typeof(T) == typeof(bool) ? DType.Bool
        : typeof(T) == typeof(int) ? DType.Int32
        : throw new NotSupportedException($"tensors do not hold {typeof(T).Name} elements");

    /// <summary>Lower-case names as PyTorch prints them ("float32").</summary>
    public static string Name(this DType dtype) => dtype switch
    {
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        DType.Int64 => "int64",
        DType.UInt8 => "uint8",
        DType.Bool => "bool",
        DType.Int32 => "int32",
        _ => dtype.ToString(),
    };
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelDsl.Runtime.Data;

public sealed partial class Dataset
{
    /// <summary>
    /// Keras' <c>fit(x, y)</c> on NumPy arrays, for .NET arrays: <paramref name="inputs"/> of any rank, rectangular
    /// (<c>float[,,]</c>) or jagged (<c>float[][]</c>), whose first axis is the sample; <paramref name="targets"/> the same
    /// way: <c>int[]</c>/<c>long[]</c> class indices (int64) or <c>float</c> values. Element types: float, double
    /// (kept float64), byte (pixels), int and long (int64). The values are copied.
    /// </summary>
    /// <exception cref="ArgumentException">A ragged jagged array, an unsupported element type, or unequal sample counts.</exception>
    public static Dataset FromArrays(Array inputs, Array targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        using var scope = NewDisposeScope();
        var x = ArrayTensor.From(inputs, nameof(inputs));
        var y = ArrayTensor.From(targets, nameof(targets));
        if (x.dim() == 0 || y.dim() == 0)
            throw new ArgumentException($"a dataset needs arrays whose first axis is the sample: {(x.dim() == 0 ? "inputs" : "targets")} hold a single value",
                x.dim() == 0 ? nameof(inputs) : nameof(targets));
        if (x.size(0) != y.size(0))
            throw new ArgumentException($"a dataset needs as many targets as inputs: {x.size(0)} inputs, {y.size(0)} targets", nameof(targets));
        return new Dataset(x, y);
    }
}

/// <summary>Copies .NET arrays (rectangular or jagged, any rank) into CPU tensors of the matching element type.</summary>
internal static class ArrayTensor
{
    /// <summary>A tensor holding <paramref name="array"/>'s values; <paramref name="parameter"/> names it in errors.</summary>
    public static Tensor From(Array array, string parameter)
    {
        var (element, shape) = Describe(array, parameter);
        if (element == typeof(float))
            return tensor(Flatten<float>(array, shape), shape);
        if (element == typeof(double))
            return tensor(Flatten<double>(array, shape), shape);
        if (element == typeof(byte))
            return tensor(Flatten<byte>(array, shape), shape);
        if (element == typeof(long))
            return tensor(Flatten<long>(array, shape), shape);
        if (element == typeof(int))
        {
            // Class indices are int64 in the losses; int[] is the common .NET spelling of them.
            using var ints = tensor(Flatten<int>(array, shape), shape);
            return ints.to(ScalarType.Int64);
        }
        throw new ArgumentException(
            $"arrays of {element.Name} are not supported: use float, double, byte, int or long", parameter);
    }

    /// <summary>The innermost element type and the full shape, checking that every jagged level is rectangular.</summary>
    private static (Type Element, long[] Shape) Describe(Array array, string parameter)
    {
        var shape = new List<long>();
        Array? level = array;
        var path = parameter;
        while (true)
        {
            for (int d = 0; d < level!.Rank; d++)
                shape.Add(level.GetLength(d));
            var element = level.GetType().GetElementType()!;
            if (!element.IsArray)
            {
                CheckRectangular(array, shape, parameter);
                return (element, shape.ToArray());
            }
            if (level.Rank != 1)
                throw new ArgumentException($"{path} mixes a rectangular array of arrays; use one kind of array per level", parameter);
            if (level.Length == 0)
                throw new ArgumentException($"{path} is an empty jagged array: its inner shape is unknown", parameter);
            level = (Array?)level.GetValue(0)
                ?? throw new ArgumentException($"{path}[0] is null", parameter);
            path += "[0]";
        }
    }

    /// <summary>Walks a jagged array and names the first inner array whose length differs from the first one's.</summary>
    private static void CheckRectangular(Array array, List<long> shape, string parameter)
    {
        void Check(Array level, int axis, string path)
        {
            for (int d = 0; d < level.Rank; d++)
            {
                if (level.GetLength(d) != shape[axis + d])
                    throw new ArgumentException(
                        $"{path} is ragged: it has {level.GetLength(d)} elements along its axis {d}, but {parameter}'s axis {axis + d} has {shape[axis + d]}",
                        parameter);
            }
            if (!level.GetType().GetElementType()!.IsArray)
                return;
            for (int i = 0; i < level.Length; i++)
            {
                var inner = (Array?)level.GetValue(i) ?? throw new ArgumentException($"{path}[{i}] is null", parameter);
                Check(inner, axis + level.Rank, $"{path}[{i}]");
            }
        }
        Check(array, 0, parameter);
    }

    private static T[] Flatten<T>(Array array, long[] shape) where T : unmanaged
    {
        var values = new T[shape.Aggregate(1L, (a, b) => a * b)];
        long written = 0;
        Copy(array, values, ref written);
        return values;
    }

    private static void Copy<T>(Array level, T[] values, ref long written) where T : unmanaged
    {
        if (!level.GetType().GetElementType()!.IsArray)
        {
            // A rectangular array of T is one contiguous block in row-major order, like a C-order tensor.
            var span = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(level)), level.Length);
            span.CopyTo(values.AsSpan(checked((int)written)));
            written += level.Length;
            return;
        }
        for (int i = 0; i < level.Length; i++)
            Copy<T>((Array)level.GetValue(i)!, values, ref written);
    }
}

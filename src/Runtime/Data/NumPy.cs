using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace ModelDsl.Runtime.Data;

/// <summary>
/// Reads NumPy's <c>.npy</c> (format versions 1, 2 and 3) and <c>.npz</c> (a zip of <c>.npy</c> files, stored or
/// deflated: <c>np.savez</c> and <c>np.savez_compressed</c>) into CPU tensors of the same dtype and shape. C order and
/// Fortran order both come back as an ordinary (C-order) tensor with NumPy's indexing. Big-endian data is byte-swapped.
/// </summary>
public static partial class NumPy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private const int CopyChunk = 1 << 24;

    // The dtypes the models take, by NumPy's kind and size ('f4'), with libtorch's type.
    private static readonly Dictionary<string, ScalarType> Types = new(StringComparer.Ordinal)
    {
        ["f2"] = ScalarType.Float16,
        ["f4"] = ScalarType.Float32,
        ["f8"] = ScalarType.Float64,
        ["i1"] = ScalarType.Int8,
        ["i2"] = ScalarType.Int16,
        ["i4"] = ScalarType.Int32,
        ["i8"] = ScalarType.Int64,
        ["u1"] = ScalarType.Byte,
        ["b1"] = ScalarType.Bool,
    };

    /// <summary>The array in a <c>.npy</c> file, as a CPU tensor the caller disposes.</summary>
    /// <exception cref="DataFileException">Not a .npy file, an unsupported dtype, or fewer bytes than the shape needs.</exception>
    public static Tensor LoadNpy(string path)
    {
        using var stream = File.OpenRead(path);
        return ReadNpy(stream, path);
    }

    /// <summary>Every array in a <c>.npz</c> archive, by name (the entry without <c>.npy</c>, as <c>np.load</c> keys them).</summary>
    public static Dictionary<string, Tensor> LoadNpz(string path)
    {
        using var archive = OpenArchive(path);
        var arrays = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in archive.Entries.Where(e => e.FullName.EndsWith(".npy", StringComparison.Ordinal)))
                arrays[entry.FullName[..^4]] = ReadEntry(entry, path);
            return arrays;
        }
        catch
        {
            foreach (var array in arrays.Values)
                array.Dispose();
            throw;
        }
    }

    /// <summary>One array of a <c>.npz</c> archive; a named error listing the archive's arrays when it has no <paramref name="name"/>.</summary>
    public static Tensor LoadNpz(string path, string name)
    {
        using var archive = OpenArchive(path);
        var entry = archive.GetEntry(name + ".npy")
            ?? throw new DataFileException(path, $"array '{name}'", "no such array",
                $"one of {string.Join(", ", archive.Entries.Select(e => $"'{Path.GetFileNameWithoutExtension(e.FullName)}'"))}");
        return ReadEntry(entry, path);
    }

    /// <summary>Reads one <c>.npy</c> array from <paramref name="stream"/> (read sequentially); <paramref name="name"/> names it in errors.</summary>
    public static Tensor ReadNpy(Stream stream, string name)
    {
        var header = ReadHeader(stream, name);
        long count = header.Shape.Aggregate(1L, (a, b) => a * b);
        long bytes = count * header.ItemSize;
        // Fortran order is C order of the reversed shape; transposing it back gives NumPy's indexing.
        var stored = header.FortranOrder ? header.Shape.Reverse().ToArray() : header.Shape;
        var result = empty(stored, header.Type);
        try
        {
            ReadInto(stream, result, bytes, name, header);
            if (header.BigEndian && header.ItemSize > 1)
                SwapBytes(result, header.ItemSize);
            if (!header.FortranOrder || header.Shape.Length < 2)
                return result;
            using (result)
            {
                using var permuted = result.permute(Enumerable.Range(0, stored.Length).Reverse().Select(i => (long)i).ToArray());
                return permuted.contiguous();
            }
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    private static ZipArchive OpenArchive(string path)
    {
        try
        {
            return ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw new DataFileException(path, "the archive", $"no zip archive ({e.Message})", "a .npz archive written by np.savez");
        }
    }

    private static Tensor ReadEntry(ZipArchiveEntry entry, string path)
    {
        using var stream = entry.Open();
        return ReadNpy(stream, $"{path}[{entry.FullName}]");
    }

    private sealed record Header(ScalarType Type, int ItemSize, bool BigEndian, bool FortranOrder, long[] Shape, string Descr);

    private static Header ReadHeader(Stream stream, string name)
    {
        Span<byte> prefix = stackalloc byte[10];
        int got = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (got < 8 || !prefix[..6].SequenceEqual(Magic))
            throw new DataFileException(name, "the header", got == 0 ? "an empty file" : $"the bytes {Convert.ToHexString(prefix[..Math.Min(got, 6)])}",
                "the NumPy magic 934E554D5059 (a .npy file written by np.save)");
        int major = prefix[6];
        int length;
        Encoding encoding = Encoding.Latin1;
        switch (major)
        {
            case 1:
                length = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..10]);
                break;
            case 2 or 3:
                Span<byte> wide = stackalloc byte[2];
                stream.ReadExactly(wide);
                length = checked((int)BinaryPrimitives.ReadUInt32LittleEndian([prefix[8], prefix[9], wide[0], wide[1]]));
                if (major == 3)
                    encoding = Encoding.UTF8;
                break;
            default:
                throw new DataFileException(name, "the header", $"format version {major}.{prefix[7]}", "version 1, 2 or 3");
        }
        var text = new byte[length];
        if (stream.ReadAtLeast(text, length, throwOnEndOfStream: false) < length)
            throw new DataFileException(name, "the header", "a truncated header", $"{length} bytes of header");
        return ParseHeader(encoding.GetString(text), name);
    }

    [GeneratedRegex(@"'descr'\s*:\s*'(?<descr>[^']*)'")]
    private static partial Regex DescrPattern();
    [GeneratedRegex(@"'fortran_order'\s*:\s*(?<order>True|False)")]
    private static partial Regex OrderPattern();
    [GeneratedRegex(@"'shape'\s*:\s*\((?<shape>[^)]*)\)")]
    private static partial Regex ShapePattern();

    private static Header ParseHeader(string text, string name)
    {
        var descr = DescrPattern().Match(text);
        var order = OrderPattern().Match(text);
        var shape = ShapePattern().Match(text);
        if (!descr.Success || !order.Success || !shape.Success)
            throw new DataFileException(name, "the header", $"'{text.Trim()}'", "a dict with 'descr', 'fortran_order' and 'shape'");
        var code = descr.Groups["descr"].Value;
        var kind = code.Length == 3 ? code[1..] : code;
        bool bigEndian = code.StartsWith('>');
        if (code.Length != 3 || code[0] is not ('<' or '>' or '|' or '=') || !Types.TryGetValue(kind, out var type))
            throw new DataFileException(name, "the header", $"dtype '{code}'",
                "a dtype the models take: float16/32/64, int8/16/32/64, uint8 or bool (" + string.Join(", ", Types.Keys) + ")");
        var dims = shape.Groups["shape"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.TryParse(d.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw new DataFileException(name, "the header", $"shape ({shape.Groups["shape"].Value})", "whole, non-negative sizes"))
            .ToArray();
        return new Header(type, int.Parse(kind[1..], CultureInfo.InvariantCulture), bigEndian, order.Groups["order"].Value == "True", dims, code);
    }

    private static unsafe void ReadInto(Stream stream, Tensor target, long bytes, string name, Header header)
    {
        if (bytes == 0)
            return;
        var start = TensorMemory.Pointer<byte>(target);
        long done = 0;
        while (done < bytes)
        {
            int chunk = (int)Math.Min(CopyChunk, bytes - done);
            int read = stream.ReadAtLeast(new Span<byte>(start + done, chunk), chunk, throwOnEndOfStream: false);
            done += read;
            if (read < chunk)
                throw new DataFileException(name, "the data", $"{done} bytes",
                    $"{bytes} bytes for a {header.Descr} array of shape ({string.Join(", ", header.Shape)})");
        }
    }

    private static unsafe void SwapBytes(Tensor target, int itemSize)
    {
        if (target.numel() == 0)
            return;
        var span = new Span<byte>(TensorMemory.Pointer<byte>(target), checked((int)(target.numel() * itemSize)));
        for (int i = 0; i < span.Length; i += itemSize)
            span.Slice(i, itemSize).Reverse();
    }
}

public sealed partial class Dataset
{
    /// <summary>Inputs and targets from two <c>.npy</c> files (<c>np.save("x.npy", x)</c>), as Keras' <c>fit(x, y)</c> takes them.</summary>
    public static Dataset FromNpy(string inputsPath, string targetsPath)
    {
        using var scope = NewDisposeScope();
        return Checked(NumPy.LoadNpy(inputsPath), NumPy.LoadNpy(targetsPath), $"{inputsPath} and {targetsPath}");
    }

    /// <summary>Inputs and targets from one <c>.npz</c> archive (<c>np.savez(path, x=x, y=y)</c>).</summary>
    public static Dataset FromNpz(string path, string inputs = "x", string targets = "y")
    {
        using var scope = NewDisposeScope();
        return Checked(NumPy.LoadNpz(path, inputs), NumPy.LoadNpz(path, targets), path);
    }

    private static Dataset Checked(Tensor inputs, Tensor targets, string where)
    {
        if (inputs.dim() == 0 || targets.dim() == 0 || inputs.size(0) != targets.size(0))
            throw new DataFileException(where, "the arrays",
                $"inputs of shape ({string.Join(", ", inputs.shape)}) and targets of shape ({string.Join(", ", targets.shape)})",
                "arrays with the same first axis (one entry per sample)");
        return new Dataset(inputs, targets);
    }
}

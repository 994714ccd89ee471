using System.Buffers.Binary;

namespace ModelDsl.Runtime.Data;

/// <summary>A file that is not the IDX file it should be; the message names the file and what is wrong.</summary>
public sealed class IdxFormatException(string path, string problem)
    : IOException($"{path}: {problem}")
{
    public string FilePath { get; } = path;
    public string Problem { get; } = problem;
}

/// <summary>The images of an IDX3 file, row-major uint8, <c>Count × Rows × Columns</c>.</summary>
public sealed record IdxImages(int Count, int Rows, int Columns, byte[] Pixels);

/// <summary>Reads the IDX files of MNIST: a big-endian header (magic, counts, dimensions), then raw uint8 items.</summary>
public static class Idx
{
    public const int ImagesMagic = 2051;
    public const int LabelsMagic = 2049;

    public static IdxImages ReadImages(string path)
    {
        var bytes = ReadFile(path);
        CheckMagic(path, bytes, ImagesMagic, "images");
        if (bytes.Length < 16)
            throw new IdxFormatException(path, $"truncated: {bytes.Length} bytes is shorter than the 16-byte IDX3 header");
        int count = ReadCount(path, bytes, 4, "image count");
        int rows = ReadCount(path, bytes, 8, "row count");
        int columns = ReadCount(path, bytes, 12, "column count");
        CheckLength(path, bytes.Length, 16, (long)count * rows * columns, $"{count} images of {rows}x{columns}");
        return new IdxImages(count, rows, columns, bytes.AsSpan(16).ToArray());
    }

    public static byte[] ReadLabels(string path)
    {
        var bytes = ReadFile(path);
        CheckMagic(path, bytes, LabelsMagic, "labels");
        int count = ReadCount(path, bytes, 4, "label count");
        CheckLength(path, bytes.Length, 8, count, $"{count} labels");
        return bytes.AsSpan(8).ToArray();
    }

    /// <summary>Reads an images file and its labels file, which must hold the same number of items.</summary>
    public static (IdxImages Images, byte[] Labels) ReadPair(string imagesPath, string labelsPath)
    {
        var images = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath);
        if (images.Count != labels.Length)
            throw new IdxFormatException(labelsPath,
                $"image/label count mismatch: {labels.Length} labels but {imagesPath} has {images.Count} images");
        return (images, labels);
    }

    private static byte[] ReadFile(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: missing IDX file", path);
        return File.ReadAllBytes(path);
    }

    private static void CheckMagic(string path, byte[] bytes, int expected, string kind)
    {
        if (bytes.Length < 8)
            throw new IdxFormatException(path, $"truncated: {bytes.Length} bytes is shorter than the IDX header");
        if (bytes[0] == 0x1f && bytes[1] == 0x8b)
            throw new IdxFormatException(path, "wrong magic: the file is gzip-compressed; decompress it first");
        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (magic == expected)
            return;
        string hint = magic switch
        {
            ImagesMagic => " (this is an images file)",
            LabelsMagic => " (this is a labels file)",
            _ => "",
        };
        throw new IdxFormatException(path, $"wrong magic {magic}{hint}; an IDX {kind} file starts with {expected}");
    }

    private static int ReadCount(string path, byte[] bytes, int offset, string what)
    {
        int value = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset));
        if (value < 0)
            throw new IdxFormatException(path, $"negative {what} {value} in the header");
        return value;
    }

    private static void CheckLength(string path, long length, int header, long payload, string declared)
    {
        long expected = header + payload;
        if (length < expected)
            throw new IdxFormatException(path,
                $"truncated: the header declares {declared} ({expected} bytes) but the file has {length} bytes");
        if (length > expected)
            throw new IdxFormatException(path,
                $"wrong item count: the header declares {declared} ({expected} bytes) but the file has {length} bytes");
    }
}

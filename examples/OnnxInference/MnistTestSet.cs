using System.Buffers.Binary;
using System.IO.Compression;

namespace Examples.OnnxInference;

/// <summary>
/// The 10,000 MNIST test images and their labels, read from the canonical IDX files (uncompressed, as the training
/// examples cache them, or gzipped, as the public mirrors serve them). Pixels stay 0..255: the exported model rescales
/// them itself.
/// </summary>
internal sealed class MnistTestSet
{
    public const string ImagesFile = "t10k-images-idx3-ubyte";
    public const string LabelsFile = "t10k-labels-idx1-ubyte";
    public const int Classes = 10;

    // IDX: two zero bytes, the element type (0x08: unsigned byte), the number of dimensions; then each dimension as a
    // big-endian int32; then the data, row-major.
    private const int UnsignedByteImages = 0x00000803;
    private const int UnsignedByteLabels = 0x00000801;
    private const int MagicSize = sizeof(int);
    private const int DimensionSize = sizeof(int);
    private const string GzipSuffix = ".gz";

    private MnistTestSet(byte[] pixels, byte[] labels, int rows, int columns)
    {
        Pixels = pixels;
        Labels = labels;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>Row-major pixels, image after image.</summary>
    public byte[] Pixels { get; }

    public byte[] Labels { get; }

    public int Rows { get; }

    public int Columns { get; }

    public int Count => Labels.Length;

    public int PixelsPerImage => Rows * Columns;

    /// <summary><c>$MODELDSL_DATA</c>, else <c>~/.cache/modeldsl/mnist</c>: where the training examples cache MNIST.</summary>
    public static string DefaultDirectory()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("MODELDSL_DATA");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
            return fromEnvironment;
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "modeldsl", "mnist");
    }

    /// <summary>Reads both files from <paramref name="directory"/>; a missing, truncated or foreign file is named in the exception.</summary>
    public static MnistTestSet Load(string directory)
    {
        var (imagesPath, imageBytes) = ReadFile(directory, ImagesFile);
        var (labelsPath, labelBytes) = ReadFile(directory, LabelsFile);

        var imageDimensions = Dimensions(imagesPath, imageBytes, UnsignedByteImages, count: 3);
        var labelDimensions = Dimensions(labelsPath, labelBytes, UnsignedByteLabels, count: 1);
        int images = imageDimensions[0], rows = imageDimensions[1], columns = imageDimensions[2], labels = labelDimensions[0];
        if (images != labels)
            throw new InvalidDataException($"{imagesPath} holds {images} images but {labelsPath} holds {labels} labels");

        var pixels = Data(imagesPath, imageBytes, 3, (long)images * rows * columns);
        var classes = Data(labelsPath, labelBytes, 1, labels);
        for (var i = 0; i < classes.Length; i++)
        {
            if (classes[i] >= Classes)
                throw new InvalidDataException($"{labelsPath}: label {i} is {classes[i]}, not a digit 0-9");
        }

        return new MnistTestSet(pixels, classes, rows, columns);
    }

    private static (string Path, byte[] Bytes) ReadFile(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        if (File.Exists(path))
            return (path, File.ReadAllBytes(path));
        var gzipped = path + GzipSuffix;
        if (File.Exists(gzipped))
        {
            using var file = File.OpenRead(gzipped);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var bytes = new MemoryStream();
            gzip.CopyTo(bytes);
            return (gzipped, bytes.ToArray());
        }

        throw new FileNotFoundException(
            $"MNIST test file not found: {path} (nor {gzipped}). Training an MNIST example once fetches MNIST into " +
            $"{DefaultDirectory()}; or pass --data DIR with the t10k IDX files.", path);
    }

    /// <summary>Checks the magic number and returns the <paramref name="count"/> dimensions after it.</summary>
    private static int[] Dimensions(string path, byte[] bytes, int magic, int count)
    {
        var header = MagicSize + (count * DimensionSize);
        if (bytes.Length < header)
            throw new InvalidDataException($"{path}: {bytes.Length} bytes, shorter than an IDX header of {header}");
        var actual = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (actual != magic)
            throw new InvalidDataException($"{path}: magic number 0x{actual:X8}, expected 0x{magic:X8} (unsigned bytes, {count} dimension(s))");

        var dimensions = new int[count];
        for (var d = 0; d < count; d++)
        {
            dimensions[d] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(MagicSize + (d * DimensionSize)));
            if (dimensions[d] <= 0)
                throw new InvalidDataException($"{path}: dimension {d} is {dimensions[d]}, not a positive size");
        }

        return dimensions;
    }

    /// <summary>The data after the header, which must be exactly <paramref name="length"/> bytes.</summary>
    private static byte[] Data(string path, byte[] bytes, int dimensions, long length)
    {
        var header = MagicSize + (dimensions * DimensionSize);
        if (bytes.Length - header != length)
            throw new InvalidDataException($"{path}: {bytes.Length - header} bytes of data after the header, its dimensions say {length}");
        return bytes[header..];
    }
}

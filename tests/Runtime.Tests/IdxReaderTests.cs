using System.Buffers.Binary;
using ModelDsl.Runtime.Data;

namespace ModelDsl.Runtime.Tests;

public sealed class IdxReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("modeldsl-idx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, params byte[][] parts)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, parts.SelectMany(p => p).ToArray());
        return path;
    }

    private static byte[] Header(params int[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }

    [Fact]
    public void ReadsImagesAndLabels()
    {
        var images = Write("images", Header(2051, 2, 2, 3), Enumerable.Range(0, 12).Select(i => (byte)i).ToArray());
        var labels = Write("labels", Header(2049, 2), [7, 1]);

        var (read, classes) = Idx.ReadPair(images, labels);

        Assert.Equal((2, 2, 3), (read.Count, read.Rows, read.Columns));
        Assert.Equal(11, read.Pixels[11]);
        Assert.Equal([7, 1], classes);
    }

    [Fact]
    public void TruncatedFileIsNamed()
    {
        var path = Write("images", Header(2051, 3, 28, 28), new byte[100]);

        var error = Assert.Throws<IdxFormatException>(() => Idx.ReadImages(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("truncated", error.Message);
        Assert.Contains("3 images of 28x28", error.Message);
    }

    [Fact]
    public void TruncatedHeaderIsNamed()
    {
        var path = Write("labels", [0, 0, 8]);

        var error = Assert.Throws<IdxFormatException>(() => Idx.ReadLabels(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void WrongMagicIsNamed()
    {
        var path = Write("labels", Header(2051, 1, 1, 1), [0]);

        var error = Assert.Throws<IdxFormatException>(() => Idx.ReadLabels(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("wrong magic 2051 (this is an images file)", error.Message);
        Assert.Contains("2049", error.Message);
    }

    [Fact]
    public void GzippedFileIsRecognised()
    {
        var path = Write("images.gz", [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);

        var error = Assert.Throws<IdxFormatException>(() => Idx.ReadImages(path));

        Assert.Contains("gzip", error.Message);
    }

    [Fact]
    public void ExtraItemsAreAWrongItemCount()
    {
        var path = Write("labels", Header(2049, 2), [1, 2, 3]);

        var error = Assert.Throws<IdxFormatException>(() => Idx.ReadLabels(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("wrong item count", error.Message);
        Assert.Contains("2 labels", error.Message);
    }

    [Fact]
    public void ImageLabelCountMismatchNamesBothFiles()
    {
        var images = Write("images", Header(2051, 2, 1, 1), [0, 0]);
        var labels = Write("labels", Header(2049, 3), [0, 0, 0]);

        var error = Assert.Throws<IdxFormatException>(() => Idx.ReadPair(images, labels));

        Assert.Contains(images, error.Message);
        Assert.Contains(labels, error.Message);
        Assert.Contains("3 labels but", error.Message);
        Assert.Contains("2 images", error.Message);
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        var path = Path.Combine(_dir, "nope-idx1-ubyte");

        var error = Assert.Throws<FileNotFoundException>(() => Idx.ReadLabels(path));

        Assert.Contains(path, error.Message);
        Assert.Equal(path, error.FileName);
    }
}

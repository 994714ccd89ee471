namespace ModelDsl.Runtime.Data;

/// <summary>
/// MNIST from the canonical IDX files: uint8 images (N, 28, 28) and int64 labels (N), 60000 for training and 10000
/// for testing. The files are MD5-verified and cached under <c>$MODELDSL_DATA</c> or <c>~/.cache/modeldsl/mnist</c>,
/// and fetched when missing (see <see cref="MnistFiles"/>).
/// </summary>
public static class Mnist
{
    /// <summary>Loads MNIST from <paramref name="directory"/> (default: the cache), fetching what is missing or corrupt.</summary>
    public static (Dataset Train, Dataset Test) Load(string? directory = null)
    {
        var files = new MnistFiles(directory ?? MnistFiles.DefaultDirectory()) { Log = Console.Error };
        files.Ensure();
        var train = Read(files, MnistFiles.All[0], MnistFiles.All[1]);
        try
        {
            return (train, Read(files, MnistFiles.All[2], MnistFiles.All[3]));
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    private static Dataset Read(MnistFiles files, MnistFile images, MnistFile labels)
    {
        var (pixels, classes) = Idx.ReadPair(files.PathOf(images), files.PathOf(labels));
        TorchLibrary.EnsureLoaded();
        var inputs = tensor(pixels.Pixels, [pixels.Count, pixels.Rows, pixels.Columns]);
        var targets = tensor(Array.ConvertAll(classes, c => (long)c));
        return new Dataset(inputs, targets);
    }
}

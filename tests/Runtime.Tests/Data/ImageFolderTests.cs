using ModelDsl.Runtime.Data;
using static TorchSharp.torch;

namespace ModelDsl.Runtime.Tests.Data;

public sealed class ImageFolderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("modeldsl-images-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // PIL writes the images, and its own decoding of each (C order, height x width x channels) goes to a .npy beside it.
    private const string Writer = """
        import os, sys
        import numpy as np
        from PIL import Image
        root, expected = sys.argv[1], sys.argv[2]
        rng = np.random.default_rng(3)
        def smooth(h, w, c):
            # JPEG is lossy: smooth gradients plus mild noise keep its error small and measurable. The JPEGs are
            # written 4:4:4 (subsampling=0): decoders upsample subsampled chroma each their own way.
            y, x = np.mgrid[0:h, 0:w]
            base = np.stack([(x * 255 // (w - 1)), (y * 255 // (h - 1)), ((x + y) * 127 // (h + w))], -1)[..., :c]
            return np.clip(base + rng.integers(-8, 8, size=base.shape), 0, 255).astype(np.uint8)
        files = {
            "Zebra/a.png": ("RGB", smooth(6, 5, 3)),
            "Zebra/nested/b.png": ("L", smooth(6, 5, 1)[..., 0]),
            "apple/c.png": ("RGB", rng.integers(0, 256, size=(6, 5, 3)).astype(np.uint8)),
            "apple/d.jpg": ("RGB", smooth(6, 5, 3)),
            "mango/e.JPEG": ("RGB", smooth(6, 5, 3)),
        }
        for name, (mode, pixels) in files.items():
            path = os.path.join(root, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            Image.fromarray(pixels, mode).save(path, quality=95, subsampling=0) if name.lower().endswith(("jpg", "jpeg")) else Image.fromarray(pixels, mode).save(path)
            decoded = np.asarray(Image.open(path).convert("RGB"))
            key = name.replace("/", "_")
            np.save(os.path.join(expected, key + ".rgb.npy"), decoded)
            f = decoded.astype(np.float32)
            gray = np.float32(0.2989) * f[..., 0] + np.float32(0.587) * f[..., 1] + np.float32(0.114) * f[..., 2]
            np.save(os.path.join(expected, key + ".gray.npy"), np.rint(gray).astype(np.uint8)[..., None])
        open(os.path.join(root, "mango", "notes.txt"), "w").write("not an image")
        """;

    private string Expected => Path.Combine(_dir, "expected");
    private string Images => Path.Combine(_dir, "images");

    private void WriteImages()
    {
        Directory.CreateDirectory(Expected);
        Directory.CreateDirectory(Images);
        Python.Run(Writer, Images, Expected);
    }

    [Theory]
    [InlineData(ColorMode.Rgb, "rgb")]
    [InlineData(ColorMode.Grayscale, "gray")]
    public void PngAndJpegFromPythonLoadValueForValue(ColorMode mode, string suffix)
    {
        WriteImages();
        using var data = ImageFolder.Load(Images, new ImageFolderOptions { ImageSize = (6, 5), ColorMode = mode, Shuffle = false });
        // Ordinal order, as Python sorts: upper case before lower case; nested folders belong to their class.
        Assert.Equal(["Zebra", "apple", "mango"], data.Classes.Classes);
        Assert.Null(data.Validation);
        Assert.Equal([5L, 6, 5, (long)mode], data.Train.Inputs.shape);
        Assert.Equal(ScalarType.Byte, data.Train.Inputs.dtype);
        Assert.Equal([0L, 0, 1, 1, 2], data.Train.Targets.data<long>().ToArray());

        string[] files = ["Zebra_a.png", "Zebra_nested_b.png", "apple_c.png", "apple_d.jpg", "mango_e.JPEG"];
        for (int i = 0; i < files.Length; i++)
        {
            using var expected = NumPy.LoadNpy(Path.Combine(Expected, $"{files[i]}.{suffix}.npy"));
            using var actual = data.Train.Inputs[i];
            using var difference = (actual.to(ScalarType.Int32) - expected.to(ScalarType.Int32)).abs().max();
            int largest = difference.item<int>();
            // PNG is lossless: the same bytes. JPEG decoders may round their inverse DCT differently by a level or two.
            bool jpeg = files[i].EndsWith("jpg", StringComparison.Ordinal) || files[i].EndsWith("JPEG", StringComparison.Ordinal);
            Assert.True(jpeg ? largest <= 2 : largest == 0, $"{files[i]} ({suffix}): differs from PIL by up to {largest}");
        }
    }

    [Fact]
    public void ShuffledSplitIsSeededAndKerasSized()
    {
        WriteImages();
        var options = new ImageFolderOptions { ImageSize = (3, 3), Seed = 11, ValidationSplit = 0.4 };
        using var first = ImageFolder.Load(Images, options);
        using var again = ImageFolder.Load(Images, options);
        // int(0.4 * 5) = 2 validation images, from the end of the shuffled list.
        Assert.Equal(3, first.Train.Count);
        Assert.Equal(2, first.Validation!.Count);
        Assert.Equal(first.Train.Inputs.data<byte>().ToArray(), again.Train.Inputs.data<byte>().ToArray());
        Assert.Equal(first.Validation.Targets.data<long>().ToArray(), again.Validation!.Targets.data<long>().ToArray());
        var all = first.Train.Targets.data<long>().Concat(first.Validation.Targets.data<long>()).Order();
        Assert.Equal([0L, 0, 1, 1, 2], all);
    }

    [Fact]
    public void LabelModesAndCropResize()
    {
        WriteImages();
        using var categorical = ImageFolder.Load(Images, new ImageFolderOptions { ImageSize = (4, 4), LabelMode = LabelMode.Categorical, Shuffle = false, CropToAspectRatio = true });
        Assert.Equal([5L, 4, 4, 3], categorical.Train.Inputs.shape);
        Assert.Equal([5L, 3], categorical.Train.Targets.shape);
        Assert.Equal([0f, 1f, 0f], categorical.Train.Targets[2].data<float>().ToArray());

        Directory.Delete(Path.Combine(Images, "mango"), recursive: true);
        using var binary = ImageFolder.Load(Images, new ImageFolderOptions { ImageSize = (6, 5), LabelMode = LabelMode.Binary, Shuffle = false });
        Assert.Equal([4L, 1], binary.Train.Targets.shape);
        Assert.Equal([0f, 0f, 1f, 1f], binary.Train.Targets.data<float>().ToArray());
    }

    [Fact]
    public void UnreadableImageIsNamedWhenLoadedAndWhenStreamed()
    {
        WriteImages();
        var broken = Path.Combine(Images, "apple", "broken.png");
        File.WriteAllText(broken, "this is not a PNG");
        var options = new ImageFolderOptions { ImageSize = (6, 5), Shuffle = false };
        var loaded = Assert.Throws<DataFileException>(() => ImageFolder.Load(Images, options));
        Assert.Equal(broken, loaded.File);
        Assert.StartsWith($"{broken}: the image: found data that does not decode", loaded.Message);
        Assert.EndsWith("expected a readable .bmp, .gif, .jpeg, .jpg, .png image", loaded.Message);

        using var stream = ImageFolder.Stream(Images, options);
        var streamed = Assert.Throws<DataFileException>(() =>
        {
            for (int batch = 0; batch < stream.Train.BatchCount(2); batch++)
            {
                using var scope = NewDisposeScope();
                stream.Train.Batch(batch, 2);
            }
        });
        Assert.Equal(broken, streamed.File);
    }

    [Fact]
    public void FolderProblemsAreNamed()
    {
        WriteImages();
        var names = Assert.Throws<ArgumentException>(() =>
            ImageFolder.Load(Images, new ImageFolderOptions { ClassNames = ["apple", "mango"] }));
        Assert.Contains("the class names apple, mango do not match the subfolders", names.Message);
        var seed = Assert.Throws<ArgumentException>(() =>
            ImageFolder.Load(Images, new ImageFolderOptions { ValidationSplit = 0.2 }));
        Assert.Contains("needs a seed", seed.Message);
        var binary = Assert.Throws<ArgumentException>(() =>
            ImageFolder.Load(Images, new ImageFolderOptions { LabelMode = LabelMode.Binary }));
        Assert.Contains("label mode binary needs exactly 2 classes", binary.Message);

        var empty = Directory.CreateDirectory(Path.Combine(_dir, "empty", "cats")).Parent!.FullName;
        var none = Assert.Throws<DataFileException>(() => ImageFolder.Load(empty));
        Assert.Equal($"{empty}: its class subfolders: found no images, expected .bmp, .gif, .jpeg, .jpg, .png files in one subfolder per class", none.Message);
    }

    [Fact]
    public void ExplicitClassNamesSetTheIndices()
    {
        WriteImages();
        using var data = ImageFolder.Load(Images, new ImageFolderOptions { ImageSize = (2, 2), ClassNames = ["mango", "apple", "Zebra"], Shuffle = false });
        Assert.Equal([0L, 1, 1, 2, 2], data.Train.Targets.data<long>().ToArray());
    }
}

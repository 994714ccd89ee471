using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using SixLabors.ImageSharp.Processing.Processors.Transforms;

namespace ModelDsl.Runtime.Data;

/// <summary>Keras' <c>color_mode</c>: the channels each image is converted to.</summary>
public enum ColorMode
{
    /// <summary>One channel: luminance 0.2989 R + 0.587 G + 0.114 B (TensorFlow's weights), rounded.</summary>
    Grayscale = 1,
    Rgb = 3,
    Rgba = 4,
}

/// <summary>Keras' <c>label_mode</c>.</summary>
public enum LabelMode
{
    /// <summary>The class index (int64): for sparse categorical crossentropy.</summary>
    Int,
    /// <summary>A one-hot float32 vector: for categorical crossentropy.</summary>
    Categorical,
    /// <summary>0 or 1 as float32, shape (1): for binary crossentropy; exactly two classes.</summary>
    Binary,
}

/// <summary>Keras' <c>interpolation</c> for resizing, with ImageSharp's resampler of the same kind.</summary>
public enum Interpolation
{
    Bilinear,
    Nearest,
    Bicubic,
    Area,
    Lanczos3,
    Lanczos5,
}

/// <summary>Keras' <c>image_dataset_from_directory</c> arguments (Keras' defaults).</summary>
public sealed record ImageFolderOptions
{
    /// <summary>(height, width) every image is resized to.</summary>
    public (int Height, int Width) ImageSize { get; init; } = (256, 256);
    public ColorMode ColorMode { get; init; } = ColorMode.Rgb;
    public LabelMode LabelMode { get; init; } = LabelMode.Int;
    /// <summary>The classes in index order; must name exactly the subfolders. Null: the subfolders in alphanumeric order.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }
    /// <summary>Shuffle the file list (before the validation split, as Keras does).</summary>
    public bool Shuffle { get; init; } = true;
    public int? Seed { get; init; }
    /// <summary>The fraction of the (shuffled) files, taken from the end, held out for validation; null for none.</summary>
    public double? ValidationSplit { get; init; }
    public Interpolation Interpolation { get; init; } = Interpolation.Bilinear;
    /// <summary>Crop the largest centred window of the target's aspect ratio before resizing, instead of stretching.</summary>
    public bool CropToAspectRatio { get; init; }
}

/// <summary>An image folder loaded into memory: uint8 pixels (samples, height, width, channels), channels last.</summary>
public sealed record ImageFolderData(Dataset Train, Dataset? Validation, ClassMapping Classes) : IDisposable
{
    public void Dispose()
    {
        Train.Dispose();
        Validation?.Dispose();
    }
}

/// <summary>An image folder read batch by batch from disk.</summary>
public sealed record ImageFolderStream(StreamingDataset Train, StreamingDataset? Validation, ClassMapping Classes) : IDisposable
{
    public void Dispose()
    {
        Train.Dispose();
        Validation?.Dispose();
    }
}

/// <summary>
/// Keras' <c>image_dataset_from_directory</c> with inferred labels: one subfolder per class (alphanumeric order unless
/// <see cref="ImageFolderOptions.ClassNames"/> says otherwise), the .bmp, .gif, .jpeg, .jpg and .png files under each
/// (in alphanumeric order, subfolders included; other files are not images and are left out, as Keras does), decoded
/// with ImageSharp, converted to <see cref="ImageFolderOptions.ColorMode"/>, resized to
/// <see cref="ImageFolderOptions.ImageSize"/>, channels last. Pixels stay 0..255 (uint8): the model's
/// <c>preprocess: rescale</c> scales them, as a Keras <c>Rescaling</c> layer would.
/// </summary>
public static class ImageFolder
{
    /// <summary>The image extensions Keras reads, compared case-insensitively.</summary>
    public static readonly IReadOnlyList<string> Extensions = [".bmp", ".gif", ".jpeg", ".jpg", ".png"];

    /// <summary>Every image decoded into memory (a training set, and a validation set when a split is asked for).</summary>
    public static ImageFolderData Load(string directory, ImageFolderOptions? options = null)
    {
        var (reader, validation, classes) = Prepare(directory, options ?? new ImageFolderOptions());
        return new ImageFolderData(ReadAll(reader), validation is null ? null : ReadAll(validation), classes);
    }

    /// <summary>The same samples as <see cref="Load"/>, read from disk batch by batch as training asks for them.</summary>
    public static ImageFolderStream Stream(string directory, ImageFolderOptions? options = null,
        int prefetchBatches = StreamingDataset.DefaultPrefetchBatches)
    {
        var (reader, validation, classes) = Prepare(directory, options ?? new ImageFolderOptions());
        return new ImageFolderStream(new StreamingDataset(reader, prefetchBatches),
            validation is null ? null : new StreamingDataset(validation, prefetchBatches), classes);
    }

    private static (ImageFileReader Train, ImageFileReader? Validation, ClassMapping Classes) Prepare(string directory, ImageFolderOptions options)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"{directory}: no such image folder");
        var (height, width) = options.ImageSize;
        if (height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.ImageSize, "image_size needs a positive height and width");
        if (options.ValidationSplit is double split && split is <= 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(options), split, "validation_split is a fraction between 0 and 1");
        if (options.ValidationSplit is not null && options.Shuffle && options.Seed is null)
            throw new ArgumentException(
                "a validation split of shuffled files needs a seed, so that the training and validation sets do not overlap from one call to the next",
                nameof(options));

        var subfolders = Directory.EnumerateDirectories(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        var names = options.ClassNames?.ToArray() ?? subfolders!;
        if (options.ClassNames is not null && !names.Order(StringComparer.Ordinal).SequenceEqual(subfolders, StringComparer.Ordinal))
            throw new ArgumentException(
                $"the class names {string.Join(", ", names)} do not match the subfolders of {directory}: {string.Join(", ", subfolders)}", nameof(options));
        if (options.LabelMode == LabelMode.Binary && names.Length != 2)
            throw new ArgumentException($"label mode binary needs exactly 2 classes; {directory} has {names.Length}: {string.Join(", ", names)}", nameof(options));
        var classes = new ClassMapping(Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)), names!);

        var files = new List<(string Path, int Label)>();
        for (int label = 0; label < names.Length; label++)
        {
            var folder = Path.Combine(directory, names[label]!);
            files.AddRange(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                .Order(StringComparer.Ordinal)
                .Select(f => (f, label)));
        }
        if (files.Count == 0)
            throw new DataFileException(directory, "its class subfolders", "no images",
                $"{string.Join(", ", Extensions)} files in one subfolder per class");

        if (options.Shuffle)
        {
            var random = options.Seed is int seed ? new Random(seed) : new Random();
            for (int i = files.Count - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (files[i], files[j]) = (files[j], files[i]);
            }
        }
        if (options.ValidationSplit is not double fraction)
            return (new ImageFileReader(files, classes, options), null, classes);
        // Keras: int(validation_split * n) files from the end are the validation set.
        int validationCount = (int)(fraction * files.Count);
        if (validationCount == 0 || validationCount == files.Count)
            throw new ArgumentException($"a validation split of {fraction} leaves an empty set from {files.Count} images", nameof(options));
        int trainCount = files.Count - validationCount;
        return (new ImageFileReader(files[..trainCount], classes, options),
            new ImageFileReader(files[trainCount..], classes, options), classes);
    }

    private static Dataset ReadAll(ImageFileReader reader)
    {
        using var scope = NewDisposeScope();
        long count = reader.Count;
        var inputs = empty([count, .. reader.InputShape], reader.InputType);
        var targets = empty([count, .. reader.TargetShape], reader.TargetType);
        int inputBytes = checked((int)(reader.InputShape.Aggregate(1L, (a, b) => a * b) * reader.InputType.ElementSize()));
        int targetBytes = checked((int)(reader.TargetShape.Aggregate(1L, (a, b) => a * b) * reader.TargetType.ElementSize()));
        unsafe
        {
            byte* input = count == 0 ? null : TensorMemory.Pointer<byte>(inputs);
            byte* target = count == 0 ? null : TensorMemory.Pointer<byte>(targets);
            for (long i = 0; i < count; i++)
                reader.ReadSample(i, new Span<byte>(input + i * inputBytes, inputBytes), new Span<byte>(target + i * targetBytes, targetBytes));
        }
        return new Dataset(inputs, targets);
    }
}

/// <summary>Decodes, converts and resizes one image file per sample, with its label as the target.</summary>
internal sealed class ImageFileReader : SampleReader
{
    // A small pool of decoding buffers, reused image after image: ImageSharp's default pool may keep a large share of
    // the machine's memory, and buffers from the GC's heap would leave every image's pixels as garbage that RSS carries
    // until a full collection.
    private const int DecodingPoolMegabytes = 16;
    private static readonly Configuration Decoding = CreateDecoding();

    private static Configuration CreateDecoding()
    {
        var configuration = Configuration.Default.Clone();
        configuration.MemoryAllocator = SixLabors.ImageSharp.Memory.MemoryAllocator.Create(
            new SixLabors.ImageSharp.Memory.MemoryAllocatorOptions { MaximumPoolSizeMegabytes = DecodingPoolMegabytes });
        return configuration;
    }

    private readonly IReadOnlyList<(string Path, int Label)> _files;
    private readonly ClassMapping _classes;
    private readonly ImageFolderOptions _options;

    public ImageFileReader(IReadOnlyList<(string Path, int Label)> files, ClassMapping classes, ImageFolderOptions options)
    {
        _files = files;
        _classes = classes;
        _options = options;
        var (height, width) = options.ImageSize;
        InputShape = [height, width, (int)options.ColorMode];
        TargetShape = options.LabelMode switch
        {
            LabelMode.Categorical => [classes.Count],
            LabelMode.Binary => [1],
            _ => [],
        };
    }

    public override long Count => _files.Count;
    public override long[] InputShape { get; }
    public override ScalarType InputType => ScalarType.Byte;
    public override long[] TargetShape { get; }
    public override ScalarType TargetType => _options.LabelMode == LabelMode.Int ? ScalarType.Int64 : ScalarType.Float32;

    /// <summary>The file of sample <paramref name="index"/> and its class index.</summary>
    public (string Path, int Label) File(long index) => _files[checked((int)index)];

    /// <summary>Known from the file's class folder.</summary>
    public override long? ClassIndex(long index) => _files[checked((int)index)].Label;

    public override DataFileException LabelError(long index, double label, string expected)
    {
        var (path, folder) = _files[checked((int)index)];
        return new DataFileException(path, $"its class folder '{_classes[folder]}'",
            $"class index {FormatLabel(label)} of the folder's {_classes.Count} classes", expected);
    }

    public override void ReadSample(long index, Span<byte> input, Span<byte> target)
    {
        var (path, label) = _files[checked((int)index)];
        WriteTarget(label, target);
        try
        {
            if (_options.ColorMode == ColorMode.Rgba)
            {
                using var rgba = Image.Load<Rgba32>(Decoding, path);
                Resize(rgba);
                rgba.CopyPixelDataTo(input);
                return;
            }
            using var rgb = Image.Load<Rgb24>(Decoding, path);
            Resize(rgb);
            if (_options.ColorMode == ColorMode.Rgb)
            {
                rgb.CopyPixelDataTo(input);
                return;
            }
            var pixels = System.Buffers.ArrayPool<Rgb24>.Shared.Rent(rgb.Width * rgb.Height);
            try
            {
                rgb.CopyPixelDataTo(pixels.AsSpan(0, rgb.Width * rgb.Height));
                for (int i = 0; i < rgb.Width * rgb.Height; i++)
                    input[i] = (byte)Math.Round(0.2989f * pixels[i].R + 0.587f * pixels[i].G + 0.114f * pixels[i].B, MidpointRounding.ToEven);
            }
            finally
            {
                System.Buffers.ArrayPool<Rgb24>.Shared.Return(pixels);
            }
        }
        catch (Exception e) when (e is ImageFormatException or UnknownImageFormatException or InvalidImageContentException or NotSupportedException)
        {
            throw new DataFileException(path, "the image", $"data that does not decode ({e.Message})",
                $"a readable {string.Join(", ", ImageFolder.Extensions)} image");
        }
    }

    private void WriteTarget(int label, Span<byte> target)
    {
        switch (_options.LabelMode)
        {
            case LabelMode.Int:
                BitConverter.TryWriteBytes(target, (long)label);
                break;
            case LabelMode.Binary:
                BitConverter.TryWriteBytes(target, (float)label);
                break;
            default:
                target.Clear();
                BitConverter.TryWriteBytes(target[(label * sizeof(float))..], 1f);
                break;
        }
    }

    private void Resize<TPixel>(Image<TPixel> image) where TPixel : unmanaged, IPixel<TPixel>
    {
        var (height, width) = _options.ImageSize;
        if (image.Width == width && image.Height == height)
            return;
        image.Mutate(x => x.Resize(new ResizeOptions
        {
            Size = new SixLabors.ImageSharp.Size(width, height),
            Mode = _options.CropToAspectRatio ? ResizeMode.Crop : ResizeMode.Stretch,
            Position = AnchorPositionMode.Center,
            Sampler = Sampler(_options.Interpolation),
        }));
    }

    private static IResampler Sampler(Interpolation interpolation) => interpolation switch
    {
        Interpolation.Nearest => KnownResamplers.NearestNeighbor,
        Interpolation.Bicubic => KnownResamplers.Bicubic,
        Interpolation.Area => KnownResamplers.Box,
        Interpolation.Lanczos3 => KnownResamplers.Lanczos3,
        Interpolation.Lanczos5 => KnownResamplers.Lanczos5,
        _ => KnownResamplers.Triangle,
    };
}

namespace ModelDsl.Runtime.Report;

/// <summary>An input sample as 8-bit pixels, row-major, <see cref="Channels"/> per pixel (1 gray, 3 RGB, 4 RGBA).</summary>
public sealed class SampleImage
{
    private const int MinimumSide = 8;

    public SampleImage(int width, int height, int channels, byte[] pixels)
    {
        if (channels is not (1 or 3 or 4))
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "an image has 1, 3 or 4 channels");
        if (pixels.Length != width * height * channels)
            throw new ArgumentException($"{width}x{height}x{channels} needs {width * height * channels} bytes, got {pixels.Length}", nameof(pixels));
        Width = width;
        Height = height;
        Channels = channels;
        Pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }
    public int Channels { get; }
    public byte[] Pixels { get; }

    /// <summary>
    /// Whether samples of <paramref name="sampleShape"/> can be drawn: (H, W) or channels-last (H, W, C) with C of 1, 3 or 4,
    /// as Keras lays images out. Smaller sides than 8 are feature tables rather than pictures.
    /// </summary>
    public static bool IsImageShape(IReadOnlyList<long> sampleShape, out int height, out int width, out int channels)
    {
        (height, width, channels) = sampleShape.Count switch
        {
            2 => ((int)sampleShape[0], (int)sampleShape[1], 1),
            3 when sampleShape[2] is 1 or 3 or 4 => ((int)sampleShape[0], (int)sampleShape[1], (int)sampleShape[2]),
            _ => (0, 0, 0),
        };
        return height >= MinimumSide && width >= MinimumSide && height <= 4096 && width <= 4096;
    }

    /// <summary>
    /// Samples <paramref name="indices"/> of <paramref name="inputs"/> as images, or null when they are not image-like.
    /// uint8 inputs are drawn as they are; floating inputs in 0..1 are scaled to 0..255, any other range is stretched
    /// over 0..255, the same for all of them so they stay comparable.
    /// </summary>
    public static IReadOnlyList<SampleImage>? FromSamples(Tensor inputs, IReadOnlyList<long> indices)
    {
        if (!IsImageShape(inputs.shape[1..], out var height, out var width, out var channels))
            return null;
        var raw = inputs.dtype == ScalarType.Byte;
        var values = new float[indices.Count][];
        for (var i = 0; i < indices.Count; i++)
        {
            using var sample = inputs.narrow(0, indices[i], 1);
            using var floats = sample.to(ScalarType.Float32, CPU);
            values[i] = floats.data<float>().ToArray();
        }

        float low = 0, high = 255;
        if (!raw && values.Length > 0)
        {
            var finite = values.SelectMany(v => v).Where(float.IsFinite).DefaultIfEmpty(0).ToArray();
            float min = finite.Min(), max = finite.Max();
            (low, high) = min >= 0 && max <= 1 ? (0f, 1f) : min >= 0 && max <= 255 ? (0f, 255f) : (min, max);
        }
        var scale = high > low ? 255 / (high - low) : 0;
        return values.Select(v => new SampleImage(width, height, channels,
            Array.ConvertAll(v, x => float.IsFinite(x) ? (byte)Math.Clamp(MathF.Round((x - low) * scale), 0, 255) : (byte)0))).ToArray();
    }
}

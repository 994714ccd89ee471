namespace ModelDsl.Runtime;

/// <summary>
/// Keras' initializers by name, drawing from libtorch's generator (<c>torch.manual_seed</c>). Shapes are in Keras'
/// layout, from which the fans follow: (in, out) for dense kernels, (k..., in, out) for convolutions.
/// </summary>
public static class Initializers
{
    // Keras divides truncated-normal standard deviations by this (the std of a unit normal cut at +-2).
    private const double TruncatedNormalCorrection = 0.87962566103423978;

    // Keras' truncated normal redraws values beyond this many standard deviations.
    private const double TruncationBound = 2.0;

    // Keras' RandomNormal/RandomUniform/TruncatedNormal defaults.
    private const double DefaultStddev = 0.05;

    private static readonly string[] KnownNames =
    [
        "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal", "orthogonal",
        "zeros", "ones", "random_normal", "random_uniform", "uniform", "truncated_normal",
    ];

    public static IReadOnlyList<string> Names => KnownNames;

    public static bool IsKnown(string name) => Array.IndexOf(KnownNames, name) >= 0;

    /// <summary>Keras' fans: the receptive field (kernel spatial size) times the input and output channels.</summary>
    public static (double FanIn, double FanOut) Fans(ReadOnlySpan<long> shape)
    {
        switch (shape.Length)
        {
            case 0:
                return (1, 1);
            case 1:
                return (shape[0], shape[0]);
            case 2:
                return (shape[0], shape[1]);
            default:
                double receptive = 1;
                foreach (var size in shape[..^2])
                    receptive *= size;
                return (shape[^2] * receptive, shape[^1] * receptive);
        }
    }

    /// <summary>A new CPU tensor of <paramref name="shape"/> initialized the Keras way (no gradient history).</summary>
    public static Tensor Create(string name, long[] shape, ScalarType dtype = ScalarType.Float32)
    {
        TorchLibrary.EnsureLoaded();
        var (fanIn, fanOut) = Fans(shape);
        var fanAverage = (fanIn + fanOut) / 2;
        using var noGrad = no_grad();
        return name switch
        {
            "glorot_uniform" => Uniform(shape, Math.Sqrt(3 / fanAverage), dtype),
            "glorot_normal" => TruncatedNormal(shape, Math.Sqrt(1 / fanAverage) / TruncatedNormalCorrection, dtype),
            "he_uniform" => Uniform(shape, Math.Sqrt(6 / fanIn), dtype),
            "he_normal" => TruncatedNormal(shape, Math.Sqrt(2 / fanIn) / TruncatedNormalCorrection, dtype),
            "lecun_uniform" => Uniform(shape, Math.Sqrt(3 / fanIn), dtype),
            "lecun_normal" => TruncatedNormal(shape, Math.Sqrt(1 / fanIn) / TruncatedNormalCorrection, dtype),
            "orthogonal" => Orthogonal(shape, dtype),
            "zeros" => zeros(shape, dtype),
            "ones" => ones(shape, dtype),
            "random_normal" => empty(shape, dtype).normal_(0, DefaultStddev),
            "random_uniform" or "uniform" => Uniform(shape, DefaultStddev, dtype),
            "truncated_normal" => TruncatedNormal(shape, DefaultStddev, dtype),
            _ => throw new ArgumentException($"unknown initializer '{name}'; expected one of {string.Join(", ", KnownNames)}", nameof(name)),
        };
    }

    private static Tensor Uniform(long[] shape, double limit, ScalarType dtype) => empty(shape, dtype).uniform_(-limit, limit);

    /// <summary>A normal draw with every value beyond two standard deviations redrawn (Keras' TruncatedNormal).</summary>
    private static Tensor TruncatedNormal(long[] shape, double stddev, ScalarType dtype)
    {
        var values = randn(shape, dtype);
        for (;;)
        {
            using var outside = values.abs().gt(TruncationBound);
            if (!outside.any().item<bool>())
                break;
            using var redrawn = randn(shape, dtype);
            var next = where(outside, redrawn, values);
            values.Dispose();
            values = next;
        }
        return values.mul_(stddev);
    }

    // Keras flattens every axis but the last into rows; QR of a normal matrix, signs fixed by R's diagonal.
    private static Tensor Orthogonal(long[] shape, ScalarType dtype)
    {
        if (shape.Length < 2)
            throw new ArgumentException("the orthogonal initializer needs a shape of at least two dimensions", nameof(shape));
        long rows = 1;
        foreach (var size in shape[..^1])
            rows *= size;
        long cols = shape[^1];
        using var scope = NewDisposeScope();
        var normal = randn([Math.Max(rows, cols), Math.Min(rows, cols)], ScalarType.Float64);
        var (q, r) = linalg.qr(normal);
        var fixedSigns = q * r.diagonal().sign();
        var matrix = rows < cols ? fixedSigns.t() : fixedSigns;
        return matrix.contiguous().to(dtype).reshape(shape).MoveToOuterDisposeScope();
    }
}

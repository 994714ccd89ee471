namespace ModelDsl.Runtime;

/// <summary>
/// Keras' initializers by name, drawing from libtorch's generator (<see cref="Torch.ManualSeed"/>). Shapes are in
/// Keras' layout, from which the fans follow: (in, out) for dense kernels, (k..., in, out) for convolutions.
/// </summary>
public static class Initializers
{
    // Keras divides truncated-normal standard deviations by this (the std of a unit normal cut at +-2).
    private const double TruncatedNormalCorrection = 0.87962566103423978;

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

    /// <summary>A new CPU tensor of <paramref name="shape"/> initialized the Keras way.</summary>
    public static Tensor Create(string name, long[] shape, DType dtype = DType.Float32)
    {
        var (fanIn, fanOut) = Fans(shape);
        var fanAverage = (fanIn + fanOut) / 2;
        return name switch
        {
            "glorot_uniform" => Uniform(shape, Math.Sqrt(3 / fanAverage), dtype),
            "glorot_normal" => Tensor.TruncatedNormal(shape, 0, Math.Sqrt(1 / fanAverage) / TruncatedNormalCorrection, dtype),
            "he_uniform" => Uniform(shape, Math.Sqrt(6 / fanIn), dtype),
            "he_normal" => Tensor.TruncatedNormal(shape, 0, Math.Sqrt(2 / fanIn) / TruncatedNormalCorrection, dtype),
            "lecun_uniform" => Uniform(shape, Math.Sqrt(3 / fanIn), dtype),
            "lecun_normal" => Tensor.TruncatedNormal(shape, 0, Math.Sqrt(1 / fanIn) / TruncatedNormalCorrection, dtype),
            "orthogonal" => Orthogonal(shape, dtype),
            "zeros" => Tensor.Zeros(shape, dtype),
            "ones" => Tensor.Ones(shape, dtype),
            "random_normal" => Tensor.Normal(shape, 0, 0.05, dtype),
            "random_uniform" or "uniform" => Tensor.Uniform(shape, -0.05, 0.05, dtype),
            "truncated_normal" => Tensor.TruncatedNormal(shape, 0, 0.05, dtype),
            _ => throw new ArgumentException($"unknown initializer '{name}'; expected one of {string.Join(", ", KnownNames)}", nameof(name)),
        };
    }

    private static Tensor Uniform(long[] shape, double limit, DType dtype) => Tensor.Uniform(shape, -limit, limit, dtype);

    // Keras flattens every axis but the last into rows.
    private static Tensor Orthogonal(long[] shape, DType dtype)
    {
        if (shape.Length < 2)
            throw new ArgumentException("the orthogonal initializer needs a shape of at least two dimensions", nameof(shape));
        long rows = 1;
        foreach (var size in shape[..^1])
            rows *= size;
        using var matrix = Tensor.Orthogonal(rows, shape[^1], 1.0, dtype);
        return matrix.Reshape(shape);
    }
}

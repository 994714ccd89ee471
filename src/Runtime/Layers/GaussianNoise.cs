namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' GaussianNoise: while training, adds zero-mean normal noise with standard deviation <see cref="Stddev"/>
/// (Keras 3 accepts 0 to 1); identity otherwise.
/// </summary>
public sealed class GaussianNoise : Layer
{
    public GaussianNoise(double stddev) : base(nameof(GaussianNoise))
    {
        if (stddev is < 0 or > 1 || double.IsNaN(stddev))
            throw new ArgumentOutOfRangeException(nameof(stddev), stddev, "GaussianNoise's stddev must be in [0, 1]");
        Stddev = stddev;
    }

    public double Stddev { get; }

    /// <summary>Nothing: noise is off at inference.</summary>
    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) => input;

    public override Tensor forward(Tensor input)
    {
        if (!training || Stddev == 0)
            return input.alias();
        using var scope = NewDisposeScope();
        var noise = randn_like(input).mul_(Stddev);
        return (input + noise).MoveToOuterDisposeScope();
    }
}

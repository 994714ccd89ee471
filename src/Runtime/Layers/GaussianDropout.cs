namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' GaussianDropout: while training, multiplies by normal noise of mean 1 and standard deviation
/// sqrt(rate / (1 - rate)); identity otherwise. Keras accepts a rate of 0 to 1 and, as Keras, applies no noise at
/// 0 or 1.
/// </summary>
public sealed class GaussianDropout : Layer
{
    public GaussianDropout(double rate) : base(nameof(GaussianDropout))
    {
        if (rate is < 0 or > 1 || double.IsNaN(rate))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "GaussianDropout's rate must be in [0, 1]");
        Rate = rate;
    }

    public double Rate { get; }

    /// <summary>The noise's standard deviation, sqrt(rate / (1 - rate)); 0 where no noise is applied.</summary>
    public double NoiseStddev => Rate is > 0 and < 1 ? Math.Sqrt(Rate / (1 - Rate)) : 0;

    /// <summary>Nothing: noise is off at inference.</summary>
    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) => input;

    public override Tensor forward(Tensor input)
    {
        if (!training || NoiseStddev == 0)
            return input.alias();
        using var scope = NewDisposeScope();
        var noise = randn_like(input).mul_(NoiseStddev).add_(1);
        return (input * noise).MoveToOuterDisposeScope();
    }
}

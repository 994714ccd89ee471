namespace ModelDsl.Spec;

/// <summary>
/// Layers that only act while training and keep the shape: whole-channel dropout and Gaussian noise. Like
/// dropout, the output layer is the last layer before them.
/// </summary>
public abstract class NoiseLayer(DoubleArgument amount) : LayerKind
{
    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { amount };

    public override Argument Shorthand => amount;

    public override IReadOnlyList<string> Unsupported { get; } = new[] { "seed", "noise_shape" }.Concat(LayerUnsupported).ToArray();

    public override ShapeRole Role => ShapeRole.KeepsShape;

    public override bool OnlyInTraining => true;

    /// <summary>The axes before the channels the input must have (1: steps, 2: an image), or 0 for any shape.</summary>
    protected virtual int SpatialAxes => 0;

    internal override bool Infer(ShapeContext shapes)
    {
        if (SpatialAxes > 0 && !shapes.NeedsSpatial(SpatialAxes, "spatial_dropout2d"))
        {
            return false;
        }

        shapes.Output(shapes.Input, 0);
        return true;
    }

    protected static DoubleArgument Rate(string summary, bool belowOne) =>
        new("rate", summary, 0, r => r >= 0 && (belowOne ? r < 1 : r <= 1), belowOne ? "a number at least 0 and less than 1" : "a number from 0 to 1")
        {
            MissingHint = " (the fraction to drop, e.g. rate: 0.2)",
        };
}

/// <summary>Keras' SpatialDropout1D: drops whole channels of (steps, channels) while training.</summary>
public sealed class SpatialDropout1DLayer() : NoiseLayer(RateArgument)
{
    public override LayerExample Example { get; } = new("[6, 3]", "- spatial_dropout1d: 0.2");

    public static readonly DoubleArgument RateArgument = Rate("The fraction of channels to drop while training.", belowOne: true);

    public override string Name => "spatial_dropout1d";

    public override string KerasClass => "SpatialDropout1D";

    public override string Summary => "Drops whole channels of a sequence while training.";

    protected override int SpatialAxes => 1;
}

/// <summary>Keras' SpatialDropout2D: drops whole channels of an image while training.</summary>
public sealed class SpatialDropout2DLayer() : NoiseLayer(RateArgument)
{
    public override LayerExample Example { get; } = new("[4, 4, 3]", "- spatial_dropout2d: 0.2");

    public static readonly DoubleArgument RateArgument = Rate("The fraction of channels to drop while training.", belowOne: true);

    public override string Name => "spatial_dropout2d";

    public override string KerasClass => "SpatialDropout2D";

    public override string Summary => "Drops whole channels of an image while training.";

    protected override int SpatialAxes => 2;
}

/// <summary>Keras' GaussianNoise: adds zero-mean noise of <c>stddev</c> while training.</summary>
public sealed class GaussianNoiseLayer() : NoiseLayer(Stddev)
{
    public override LayerExample Example { get; } = new("[8]", "- gaussian_noise: 0.1");

    public static readonly DoubleArgument Stddev = new("stddev", "The standard deviation of the noise.", 0, v => v >= 0 && v <= 1, "a number from 0 to 1")
    {
        MissingHint = " (the noise's standard deviation, e.g. stddev: 0.1)",
    };

    public override string Name => "gaussian_noise";

    public override string KerasClass => "GaussianNoise";

    public override string Summary => "Adds Gaussian noise while training.";
}

/// <summary>Keras' GaussianDropout: multiplies by noise of mean 1 and standard deviation sqrt(rate / (1 - rate)) while training.</summary>
public sealed class GaussianDropoutLayer() : NoiseLayer(RateArgument)
{
    public override LayerExample Example { get; } = new("[8]", "- gaussian_dropout: 0.2");

    public static readonly DoubleArgument RateArgument = Rate("The drop probability the noise stands for.", belowOne: false);

    public override string Name => "gaussian_dropout";

    public override string KerasClass => "GaussianDropout";

    public override string Summary => "Multiplies by Gaussian noise of mean 1 while training.";
}

using System.Globalization;

namespace ModelDsl.Runtime.Regularizers;

/// <summary>Keras' built-in weight and activity penalties.</summary>
public enum RegularizerKind
{
    /// <summary><c>l1</c>: l1 * sum(|x|).</summary>
    L1,

    /// <summary><c>l2</c>: l2 * sum(x²).</summary>
    L2,

    /// <summary><c>l1_l2</c>: l1 * sum(|x|) + l2 * sum(x²).</summary>
    L1L2,
}

/// <summary>
/// A Keras regularizer: a penalty on a tensor that the model adds to its loss. On a layer's weights
/// (<c>kernel_regularizer</c>, <c>bias_regularizer</c>, <c>recurrent_regularizer</c>) it is the penalty of the weight as
/// it stands, while the weight is trainable; on its output (<c>activity_regularizer</c>) it is the penalty of that
/// output divided by the batch size, as Keras 3 (and tf.keras) divide it.
/// </summary>
public sealed class Regularizer
{
    /// <summary>Keras' default factor of <c>l1</c> and <c>l2</c> (the classes <c>L1()</c> and <c>L2()</c>).</summary>
    public const double DefaultFactor = 0.01;

    private Regularizer(RegularizerKind kind, double l1, double l2)
    {
        Kind = kind;
        L1Factor = l1;
        L2Factor = l2;
    }

    /// <summary>Keras' <c>L1(l1=0.01)</c>: l1 * sum(|x|).</summary>
    public static Regularizer L1(double l1 = DefaultFactor) => new(RegularizerKind.L1, Checked(l1, nameof(l1)), 0);

    /// <summary>Keras' <c>L2(l2=0.01)</c>: l2 * sum(x²).</summary>
    public static Regularizer L2(double l2 = DefaultFactor) => new(RegularizerKind.L2, 0, Checked(l2, nameof(l2)));

    /// <summary>
    /// Keras 3's <c>L1L2(l1=0.0, l2=0.0)</c>, also exported as <c>l1_l2</c>: l1 * sum(|x|) + l2 * sum(x²). Keras 2's
    /// <c>l1_l2()</c> function defaulted both factors to 0.01; Keras 3's class defaults them to 0.
    /// </summary>
    public static Regularizer L1L2(double l1 = 0, double l2 = 0) => new(RegularizerKind.L1L2, Checked(l1, nameof(l1)), Checked(l2, nameof(l2)));

    public RegularizerKind Kind { get; }

    /// <summary>Keras' <c>l1</c> (0 for <see cref="RegularizerKind.L2"/>).</summary>
    public double L1Factor { get; }

    /// <summary>Keras' <c>l2</c> (0 for <see cref="RegularizerKind.L1"/>).</summary>
    public double L2Factor { get; }

    /// <summary>Keras' name: "l1", "l2", "l1_l2".</summary>
    public string Name => Kind switch
    {
        RegularizerKind.L1 => "l1",
        RegularizerKind.L2 => "l2",
        _ => "l1_l2",
    };

    public override string ToString() => Kind switch
    {
        RegularizerKind.L1 => $"l1(l1={Text(L1Factor)})",
        RegularizerKind.L2 => $"l2(l2={Text(L2Factor)})",
        _ => $"l1_l2(l1={Text(L1Factor)}, l2={Text(L2Factor)})",
    };

    /// <summary>The penalty of <paramref name="x"/>: a 0-D tensor of its dtype on its device, differentiable in it.</summary>
    public Tensor Compute(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = NewDisposeScope();
        // As Keras' L1L2, a zero factor adds no term (and no pass over x).
        Tensor? penalty = null;
        if (L1Factor != 0)
            penalty = x.abs().sum().mul_(L1Factor);
        if (L2Factor != 0)
        {
            var squares = x.square().sum().mul_(L2Factor);
            penalty = penalty is null ? squares : penalty.add_(squares);
        }
        return (penalty ?? zeros([], x.dtype, x.device)).MoveToOuterDisposeScope();
    }

    private static double Checked(double factor, string name) =>
        factor >= 0 && double.IsFinite(factor)
            ? factor
            : throw new ArgumentOutOfRangeException(name, factor, $"{name} must be a non-negative finite number (Keras' regularization factor)");

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

namespace ModelDsl.Runtime.Layers;

/// <summary>The input checks the simple layers share: a wrong rank is an <see cref="ArgumentException"/> that names the layer.</summary>
internal static class LayerInputs
{
    /// <summary>Throws unless <paramref name="input"/> has <paramref name="rank"/> axes, described as <paramref name="axes"/>.</summary>
    public static void RequireRank(Tensor input, int rank, string layer, string axes)
    {
        if (input.dim() != rank)
            throw new ArgumentException($"{layer} needs a {rank}-D input {axes}, got [{string.Join(", ", input.shape)}]", nameof(input));
    }

    /// <summary>A rate in [0, 1) (Keras' dropout rates); throws with the argument's name otherwise.</summary>
    public static double Rate(double rate, string parameterName, string layer)
    {
        if (rate is < 0 or >= 1 || double.IsNaN(rate))
            throw new ArgumentOutOfRangeException(parameterName, rate, $"{layer}'s rate must be in [0, 1)");
        return rate;
    }

    /// <summary>A finite value at least <paramref name="minimum"/>; throws with the argument's name otherwise.</summary>
    public static double AtLeast(double value, double minimum, string parameterName, string layer)
    {
        if (!(value >= minimum) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(parameterName, value, $"{layer}'s {parameterName} must be a finite number >= {minimum}");
        return value;
    }

    /// <summary>Throws unless <paramref name="value"/> is finite.</summary>
    public static double Finite(double value, string parameterName, string layer)
    {
        if (!double.IsFinite(value))
            throw new ArgumentOutOfRangeException(parameterName, value, $"{layer}'s {parameterName} must be a finite number");
        return value;
    }

    /// <summary>Throws unless every amount is at least zero (padding and cropping amounts).</summary>
    public static void NonNegative(string parameterName, string layer, params int[] amounts)
    {
        foreach (var amount in amounts)
            if (amount < 0)
                throw new ArgumentOutOfRangeException(parameterName, amount, $"{layer}'s {parameterName} must not be negative");
    }
}

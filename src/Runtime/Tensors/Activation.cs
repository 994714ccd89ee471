namespace ModelDsl.Runtime;

/// <summary>Keras' activations; the numeric values are the native shim's codes.</summary>
public enum Activation
{
    Linear,
    Relu,
    Sigmoid,
    Tanh,
    Softmax,
    Elu,
    Selu,
    Softplus,
    Softsign,
    Gelu,
    Swish,
    HardSigmoid,
    Exponential,
}

public static class Activations
{
    private static readonly Dictionary<string, Activation> ByName = new(StringComparer.Ordinal)
    {
        ["linear"] = Activation.Linear,
        ["relu"] = Activation.Relu,
        ["sigmoid"] = Activation.Sigmoid,
        ["tanh"] = Activation.Tanh,
        ["softmax"] = Activation.Softmax,
        ["elu"] = Activation.Elu,
        ["selu"] = Activation.Selu,
        ["softplus"] = Activation.Softplus,
        ["softsign"] = Activation.Softsign,
        ["gelu"] = Activation.Gelu,
        ["swish"] = Activation.Swish,
        ["silu"] = Activation.Swish,
        ["hard_sigmoid"] = Activation.HardSigmoid,
        ["exponential"] = Activation.Exponential,
    };

    /// <summary>Keras' names ("relu", "hard_sigmoid"); null or "" is Keras' default, linear.</summary>
    public static Activation Parse(string? name)
    {
        if (string.IsNullOrEmpty(name))
            return Activation.Linear;
        return TryParse(name, out var activation)
            ? activation
            : throw new ArgumentException($"unknown activation '{name}'; expected one of {string.Join(", ", Names)}", nameof(name));
    }

    public static bool TryParse(string name, out Activation activation) => ByName.TryGetValue(name, out activation);

    public static IReadOnlyCollection<string> Names => ByName.Keys;

    /// <summary>Keras' name of an activation ("hard_sigmoid").</summary>
    public static string KerasName(this Activation activation) => activation switch
    {
        Activation.HardSigmoid => "hard_sigmoid",
        _ => activation.ToString().ToLowerInvariant(),
    };

    /// <summary>Applies the activation (softmax over the last axis); Linear returns an alias of the input.</summary>
    public static Tensor Apply(this Activation activation, Tensor input) => input.Activate(activation);
}

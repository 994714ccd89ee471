using static TorchSharp.torch;

namespace ModelDsl.Runtime;

/// <summary>Keras' activations.</summary>
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
    LeakyRelu,
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
        ["leaky_relu"] = Activation.LeakyRelu,
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
        Activation.LeakyRelu => "leaky_relu",
        _ => activation.ToString().ToLowerInvariant(),
    };

    /// <summary>Applies the activation (softmax over the last axis); Linear returns an alias of the input.</summary>
    public static Tensor Apply(this Activation activation, Tensor input) => activation switch
    {
        Activation.Linear => input.alias(),
        Activation.Relu => nn.functional.relu(input),
        Activation.Sigmoid => input.sigmoid(),
        Activation.Tanh => input.tanh(),
        Activation.Softmax => input.softmax(-1),
        Activation.Elu => nn.functional.elu(input, alpha: 1.0, inplace: false),
        Activation.Selu => nn.functional.selu(input),
        Activation.Softplus => nn.functional.softplus(input),
        Activation.Softsign => nn.functional.softsign(input),
        Activation.Gelu => nn.functional.gelu(input),
        Activation.Swish => nn.functional.silu(input),
        // Keras 2's piecewise-linear form.
        Activation.HardSigmoid => input.mul(HardSigmoidSlope).add_(HardSigmoidOffset).clamp_(0, 1),
        Activation.Exponential => input.exp(),
        Activation.LeakyRelu => nn.functional.leaky_relu(input, LeakyReluSlope),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };

    /// <summary>Keras 2's hard sigmoid: clamp(0.2 x + 0.5, 0, 1).</summary>
    public const double HardSigmoidSlope = 0.2;

    public const double HardSigmoidOffset = 0.5;

    /// <summary>
    /// The slope below zero of the <c>leaky_relu</c> activation (Keras' <c>activations.leaky_relu</c> default); the
    /// LeakyReLU layer's own default is 0.3.
    /// </summary>
    public const double LeakyReluSlope = 0.2;
}

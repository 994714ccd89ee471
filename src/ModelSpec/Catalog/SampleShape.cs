namespace ModelDsl.Spec;

/// <summary>A runtime constructor argument that is the layer's per-sample input shape (PReLU's alpha, LayerNormalization's axes).</summary>
public sealed record SampleShape(EquatableArray<int> Dimensions);

/// <summary>Per-sample axes of no fixed size: Keras' None, written <c>null</c> (or <c>None</c>) in a model's input.</summary>
public static class Axis
{
    /// <summary>An axis whose length varies from batch to batch (a sequence of any length).</summary>
    public const int Variable = -1;

    /// <summary>How Keras prints a length: the number, or None.</summary>
    public static string Format(int length) => length == Variable ? "None" : length.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

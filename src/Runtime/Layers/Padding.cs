namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' padding modes, resolved per axis into (before, after) amounts for the input at hand.</summary>
internal enum PaddingMode
{
    Valid,
    Same,
    Causal,
}

internal static class Padding
{
    public static PaddingMode Parse(string padding, bool allowCausal) => padding switch
    {
        "valid" => PaddingMode.Valid,
        "same" => PaddingMode.Same,
        "causal" when allowCausal => PaddingMode.Causal,
        _ => throw new ArgumentException(
            $"unknown padding '{padding}'; expected {(allowCausal ? "valid, same or causal" : "valid or same")}", nameof(padding)),
    };

    /// <summary>
    /// TensorFlow's rule: "same" gives ceil(length / stride) outputs, the extra cell (when the total is odd) after;
    /// "causal" pads only before, so output t sees inputs up to t.
    /// </summary>
    public static (long Before, long After) Amounts(PaddingMode mode, long length, long window, long stride, long dilation = 1)
    {
        var span = (window - 1) * dilation + 1;
        switch (mode)
        {
            case PaddingMode.Same:
                var outputs = (length + stride - 1) / stride;
                var total = Math.Max((outputs - 1) * stride + span - length, 0);
                return (total / 2, total - total / 2);
            case PaddingMode.Causal:
                return (span - 1, 0);
            default:
                return (0, 0);
        }
    }
}

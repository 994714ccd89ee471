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

    /// <summary>Keras' name of a padding mode ("same").</summary>
    public static string KerasName(this PaddingMode mode) => mode.ToString().ToLowerInvariant();

    /// <summary>The extent of a window of <paramref name="window"/> taps spread <paramref name="dilation"/> apart.</summary>
    public static long Span(long window, long dilation) => (window - 1) * dilation + 1;

    /// <summary>
    /// TensorFlow's rule: "same" gives ceil(length / stride) outputs, the extra cell (when the total is odd) after;
    /// "causal" pads only before, so output t sees inputs up to t.
    /// </summary>
    public static (long Before, long After) Amounts(PaddingMode mode, long length, long window, long stride, long dilation = 1)
    {
        var span = Span(window, dilation);
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

    /// <summary>
    /// Keras' output length of a transposed convolution. Without output_padding: "valid" gives
    /// (length - 1) * stride + max(span, stride), "same" length * stride. With it: (length - 1) * stride + span
    /// + outputPadding ("valid") or (length - 1) * stride + span % 2 + outputPadding ("same").
    /// </summary>
    public static long TransposedLength(PaddingMode mode, long length, long window, long stride, long dilation, long? outputPadding)
    {
        var span = Span(window, dilation);
        return (mode, outputPadding) switch
        {
            (PaddingMode.Same, null) => length * stride,
            (PaddingMode.Same, { } extra) => (length - 1) * stride + span % 2 + extra,
            (_, null) => (length - 1) * stride + Math.Max(span, stride),
            (_, { } extra) => (length - 1) * stride + span + extra,
        };
    }

    /// <summary>
    /// The (before, after) amounts that turn libtorch's unpadded transposed output, (length - 1) * stride + span
    /// cells, into Keras' <see cref="TransposedLength"/>: negative amounts crop, positive ones add cells no input
    /// reaches. "same" crops the smaller half of the surplus before, as TensorFlow does; "valid" only adds after.
    /// </summary>
    public static (long Before, long After) TransposedAmounts(PaddingMode mode, long length, long window, long stride, long dilation, long? outputPadding)
    {
        var full = (length - 1) * stride + Span(window, dilation);
        var target = TransposedLength(mode, length, window, stride, dilation, outputPadding);
        var surplus = full - target;
        var cropBefore = mode == PaddingMode.Same && surplus > 0 ? surplus / 2 : 0;
        return (-cropBefore, target - full + cropBefore);
    }
}

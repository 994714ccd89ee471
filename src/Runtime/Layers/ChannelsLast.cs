namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' channels-last layout over libtorch's channels-first convolutions and pooling.</summary>
internal static class ChannelsLast
{
    /// <summary>(batch, spatial..., channels) -> (batch, channels, spatial...), a view.</summary>
    public static Tensor ToChannelsFirst(Tensor x)
    {
        var order = new long[x.dim()];
        order[1] = x.dim() - 1;
        for (var i = 2; i < order.Length; i++)
            order[i] = i - 1;
        return x.permute(order);
    }

    /// <summary>(batch, channels, spatial...) -> (batch, spatial..., channels), a view.</summary>
    public static Tensor FromChannelsFirst(Tensor x)
    {
        var order = new long[x.dim()];
        for (var i = 1; i < order.Length - 1; i++)
            order[i] = i + 1;
        order[^1] = 1;
        return x.permute(order);
    }

    /// <summary>A Keras kernel (k..., in, out) as libtorch's weight (out, in, k...), a view.</summary>
    public static Tensor TorchKernel(Tensor kernel)
    {
        var order = new long[kernel.dim()];
        order[0] = kernel.dim() - 1;
        order[1] = kernel.dim() - 2;
        for (var i = 2; i < order.Length; i++)
            order[i] = i - 2;
        return kernel.permute(order);
    }

    /// <summary>
    /// Pads the spatial axes of a channels-first tensor with <paramref name="value"/>: (before, after) per spatial axis
    /// in order. Returns an alias when nothing is padded.
    /// </summary>
    public static Tensor PadSpatial(Tensor x, IReadOnlyList<(long Before, long After)> amounts, double value)
    {
        if (amounts.All(a => a is (0, 0)))
            return x.alias();
        // libtorch's pad lists the last axis first.
        var pads = new long[2 * amounts.Count];
        for (var i = 0; i < amounts.Count; i++)
        {
            var (before, after) = amounts[amounts.Count - 1 - i];
            pads[2 * i] = before;
            pads[2 * i + 1] = after;
        }
        return nn.functional.pad(x, pads, PaddingModes.Constant, value);
    }
}

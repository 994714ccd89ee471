namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' SpatialDropout1D on (batch, steps, channels): while training, a channel is dropped for every step of a sample (a <see cref="Rate"/> fraction of the channels) and
/// the kept ones are scaled by 1/(1-rate); identity otherwise.
/// </summary>
public sealed class SpatialDropout1D : Layer
{
    public SpatialDropout1D(double rate) : base(nameof(SpatialDropout1D))
    {
        Rate = LayerInputs.Rate(rate, nameof(rate), nameof(SpatialDropout1D));
    }

    public double Rate { get; }

    /// <summary>Nothing: dropout is off at inference.</summary>
    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) => input;

    public override Tensor forward(Tensor input)
    {
        LayerInputs.RequireRank(input, 3, nameof(SpatialDropout1D), "(batch, steps, channels)");
        if (!training || Rate == 0)
            return input.alias();
        using var scope = NewDisposeScope();
        // One draw per (sample, channel), broadcast over the spatial axes.
        var mask = nn.functional.dropout(ones([input.size(0), 1, input.size(2)], input.dtype, input.device), Rate, training: true);
        return (input * mask).MoveToOuterDisposeScope();
    }
}

namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' SpatialDropout2D on (batch, height, width, channels): while training, a channel is dropped over the whole feature map of a sample (a <see cref="Rate"/> fraction of the channels) and
/// the kept ones are scaled by 1/(1-rate); identity otherwise.
/// </summary>
public sealed class SpatialDropout2D : Layer
{
    public SpatialDropout2D(double rate) : base(nameof(SpatialDropout2D))
    {
        Rate = LayerInputs.Rate(rate, nameof(rate), nameof(SpatialDropout2D));
    }

    public double Rate { get; }

    /// <summary>Nothing: dropout is off at inference.</summary>
    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) => input;

    public override Tensor forward(Tensor input)
    {
        LayerInputs.RequireRank(input, 4, nameof(SpatialDropout2D), "(batch, height, width, channels)");
        if (!training || Rate == 0)
            return input.alias();
        using var scope = NewDisposeScope();
        // One draw per (sample, channel), broadcast over the spatial axes.
        var mask = nn.functional.dropout(ones([input.size(0), 1, 1, input.size(3)], input.dtype, input.device), Rate, training: true);
        return (input * mask).MoveToOuterDisposeScope();
    }
}

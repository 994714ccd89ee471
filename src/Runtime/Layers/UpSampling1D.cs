namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' UpSampling1D on (batch, steps, features): each step repeated <see cref="Size"/> times.</summary>
public sealed class UpSampling1D : Layer
{
    public UpSampling1D(int size = 2) : base(nameof(UpSampling1D))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Size = size;
    }

    public int Size { get; }

    /// <summary>Nearest-neighbour Resize with integer scales: each step repeated <see cref="Size"/> times.</summary>
    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) => Resampling.Nearest(graph, input, [1, Size, 1]);

    public override Tensor forward(Tensor input)
    {
        LayerInputs.RequireRank(input, 3, nameof(UpSampling1D), "(batch, steps, features)");
        return input.repeat_interleave(Size, 1);
    }
}

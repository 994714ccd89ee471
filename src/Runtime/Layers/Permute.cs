namespace ModelDsl.Runtime.Layers;

/// <summary>
/// Keras' Permute: one sample's axes reordered by <see cref="Dims"/>, a permutation of 1..k counted from 1 as Keras
/// does (the batch axis stays first); (2, 1) swaps the two axes of (batch, a, b).
/// </summary>
public sealed class Permute : Layer
{
    public Permute(params int[] dims) : base(nameof(Permute))
    {
        ArgumentNullException.ThrowIfNull(dims);
        if (dims.Length == 0 || !dims.Order().SequenceEqual(Enumerable.Range(1, dims.Length)))
            throw new ArgumentException(
                $"Permute's dims ({string.Join(", ", dims)}) must be a permutation of 1..{dims.Length} (1-based, the batch axis excluded)", nameof(dims));
        Dims = [.. dims];
    }

    public IReadOnlyList<int> Dims { get; }

    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) => graph.Transpose(input, [0, .. Dims.Select(d => (long)d)]);

    public override Tensor forward(Tensor input)
    {
        LayerInputs.RequireRank(input, Dims.Count + 1, nameof(Permute), $"(batch and {Dims.Count} axes)");
        var order = new long[Dims.Count + 1];
        for (var i = 0; i < Dims.Count; i++)
            order[i + 1] = Dims[i];
        return input.permute(order);
    }
}

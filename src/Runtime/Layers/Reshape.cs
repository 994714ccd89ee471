namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' Reshape: each sample to <see cref="TargetShape"/> (one entry may be -1).</summary>
public sealed class Reshape : Layer
{
    public Reshape(params int[] targetShape) : base(nameof(Reshape))
    {
        if (targetShape.Length == 0)
            throw new ArgumentException("the target shape needs at least one dimension", nameof(targetShape));
        TargetShape = targetShape;
    }

    public IReadOnlyList<int> TargetShape { get; }

    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) => graph.Reshape(input, [0, .. TargetShape.Select(d => (long)d)]);

    public override Tensor forward(Tensor input)
    {
        var shape = new long[TargetShape.Count + 1];
        shape[0] = input.size(0);
        for (var i = 0; i < TargetShape.Count; i++)
            shape[i + 1] = TargetShape[i];
        return input.reshape(shape);
    }
}

namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' RepeatVector: (batch, features) -> (batch, n, features), the vector repeated <see cref="N"/> times.</summary>
public sealed class RepeatVector : Layer
{
    public RepeatVector(int n) : base(nameof(RepeatVector))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        N = n;
    }

    public int N { get; }

    /// <summary>(batch, features) to (batch, 1, features), broadcast to n steps.</summary>
    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) => graph.Node("Expand", [graph.Unsqueeze(input, 1), graph.Ints(1, N, 1)]);

    public override Tensor forward(Tensor input)
    {
        LayerInputs.RequireRank(input, 2, nameof(RepeatVector), "(batch, features)");
        using var scope = NewDisposeScope();
        return input.unsqueeze(1).repeat(1, N, 1).MoveToOuterDisposeScope();
    }
}

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

    public override Tensor forward(Tensor input)
    {
        LayerInputs.RequireRank(input, 2, nameof(RepeatVector), "(batch, features)");
        using var scope = NewDisposeScope();
        return input.unsqueeze(1).repeat(1, N, 1).MoveToOuterDisposeScope();
    }
}

namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' Embedding: integer indices (any shape) -> rows of <see cref="Embeddings"/> (inputDim, outputDim).</summary>
public sealed class Embedding : Layer
{
    public Embedding(int inputDim, int outputDim, string embeddingsInitializer = "uniform") : base(nameof(Embedding))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputDim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputDim, 1);
        AddWeight("embeddings", Initializers.Create(embeddingsInitializer, [inputDim, outputDim]));
    }

    public Parameter Embeddings => Weight("embeddings");

    /// <summary>(indices..., outputDim).</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var embeddings = Embeddings;
        var rows = embeddings.index_select(0, input.flatten().to(ScalarType.Int64));
        return rows.view([.. input.shape, embeddings.size(1)]).MoveToOuterDisposeScope();
    }
}

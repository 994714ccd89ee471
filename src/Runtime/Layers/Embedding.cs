namespace ModelDsl.Runtime.Layers;

/// <summary>Keras' Embedding: integer indices (any shape) -> rows of <see cref="Embeddings"/> (inputDim, outputDim).</summary>
public sealed class Embedding : Layer
{
    public Embedding(int inputDim, int outputDim, string embeddingsInitializer = "uniform")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputDim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputDim, 1);
        Embeddings = RegisterParameter("embeddings", Initializers.Create(embeddingsInitializer, [inputDim, outputDim]));
    }

    public Parameter Embeddings { get; }

    public override Tensor Forward(Tensor input) => Tensor.Embedding(Embeddings, input);
}

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
    /// <summary>How many indices the layer has rows for (Keras' <c>input_dim</c>).</summary>
    public long InputDim => Embeddings.size(0);

    /// <summary>ONNX Gather of the rows; indices of any type are cast to int64 first, as <c>forward</c> does.</summary>
    public override OnnxValue ToOnnx(OnnxGraph graph, OnnxValue input) =>
        graph.Node("Gather", [graph.Weight("embeddings", Embeddings), graph.Node("Cast", [input], OnnxAttribute.Int("to", (long)OnnxElementType.Int64))],
            OnnxAttribute.Int("axis", 0));

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var embeddings = Embeddings;
        var rows = embeddings.index_select(0, input.flatten().to(ScalarType.Int64));
        return rows.view([.. input.shape, embeddings.size(1)]).MoveToOuterDisposeScope();
    }
}

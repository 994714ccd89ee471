namespace ModelDsl.Spec;

/// <summary>Keras' Embedding: integer indices in, one learnt vector per index out; it must be the first layer.</summary>
public sealed class EmbeddingLayer : LayerKind
{
    public override LayerExample Example { get; } = new("[6]", "- embedding: {input_dim: 20, output_dim: 4}");

    public static readonly IntArgument InputDim = new("input_dim", "The vocabulary size: indices run from 0 to input_dim - 1.")
    {
        MissingHint = " (the vocabulary size: indices run from 0 to input_dim - 1)",
    };
    public static readonly IntArgument OutputDim = new("output_dim", "The size of each embedding vector.")
    {
        MissingHint = " (the size of each embedding vector, e.g. output_dim: 64)",
    };
    public static readonly InitializerArgument EmbeddingsInitializer = new("embeddings_initializer", "How the embedding vectors are initialised.", "uniform");

    public static readonly RegularizerArgument EmbeddingsRegularizer = new("embeddings_regularizer", "A penalty on the embedding vectors, added to the loss.");

    public override string Name => "embedding";

    public override string KerasClass => "Embedding";

    public override string Summary => "Maps integer indices to learnt vectors.";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { InputDim, OutputDim, EmbeddingsInitializer, EmbeddingsRegularizer, CommonArguments.ActivityRegularizer };

    public override IReadOnlyList<string> Unsupported { get; } = new[]
    {
        "mask_zero", "input_length", "embeddings_constraint",
    }.Concat(LayerUnsupported).ToArray();

    public override string UnsupportedHint(string argument) => CommonArguments.UnsupportedHint(argument);

    public override bool TakesIndices => true;

    internal override bool Infer(ShapeContext shapes)
    {
        if (shapes.Layer.Index > 1)
        {
            var previous = shapes.Layers[shapes.Layer.Index - 2];
            shapes.Report(DiagnosticCatalog.DTypeMismatch, $"{shapes.Layer.Label} takes integer indices, but {previous.Label} gives float values; an embedding layer must be the first layer");
            return false;
        }

        shapes.Output(shapes.Input.Concat(new[] { shapes.Get(OutputDim) }).ToArray(), (long)shapes.Get(InputDim) * shapes.Get(OutputDim));
        return true;
    }
}

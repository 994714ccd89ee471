namespace ModelDsl.Spec;

/// <summary>Keras' RepeatVector: (features) to (n, features), the vector repeated n times.</summary>
public sealed class RepeatVectorLayer : LayerKind
{
    public override LayerExample Example { get; } = new("[8]", "- repeat_vector: 3");

    public static readonly IntArgument N = new("n", "How many times to repeat the input.") { MissingHint = " (how many times to repeat the input, e.g. repeat_vector: 4)" };

    public override string Name => "repeat_vector";

    public override string KerasClass => "RepeatVector";

    public override string Summary => "Repeats a vector into a sequence.";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { N };

    public override Argument Shorthand => N;

    internal override bool Infer(ShapeContext shapes)
    {
        if (shapes.Input.Length != 1)
        {
            shapes.Report(DiagnosticCatalog.RankMismatch, shapes.Layer.Index, shapes.Layer.KindName, "a 2-D input (batch, features)", shapes.From,
                ShapeContext.Format(shapes.Input), shapes.Origin is { IsRecurrent: true } ? $"set return_sequences: false on layer {shapes.Origin.Index}" : $"add flatten before layer {shapes.Layer.Index}");
            return false;
        }

        shapes.Output(new[] { shapes.Get(N), shapes.Input[0] }, 0);
        return true;
    }
}

namespace ModelDsl.Spec;

/// <summary>Keras' Permute: the axes after the batch reordered, numbered from 1 as Keras does.</summary>
public sealed class PermuteLayer : LayerKind
{
    public override LayerExample Example { get; } = new("[4, 3]", "- permute: [2, 1]");

    public static readonly IntListArgument Dims = new("dims", "The new order of the axes after the batch, numbered from 1.", 1,
        "a list of axis numbers such as [2, 1]", "an axis number, 1 for the first after the batch")
    {
        MissingHint = " (the new order of the axes, numbered from 1, e.g. permute: [2, 1])",
    };

    public override string Name => "permute";

    public override string KerasClass => "Permute";

    public override string Summary => "Reorders the axes of each sample.";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { Dims };

    public override Argument Shorthand => Dims;

    internal override bool Infer(ShapeContext shapes)
    {
        var dims = shapes.Get(Dims);
        if (dims.Count != shapes.Input.Length || dims.Distinct().Count() != dims.Count || dims.Any(d => d > shapes.Input.Length))
        {
            var all = string.Join(", ", Enumerable.Range(1, shapes.Input.Length));
            shapes.Report(DiagnosticCatalog.ArgumentShapeMismatch, shapes.Layer.Index, shapes.Layer.KindName, $"permutes the axes [{string.Join(", ", dims)}]", shapes.From,
                ShapeContext.Format(shapes.Input), $"list each of the axes {all} once");
            return false;
        }

        shapes.Output(dims.Select(d => shapes.Input[d - 1]).ToArray(), 0);
        return true;
    }
}

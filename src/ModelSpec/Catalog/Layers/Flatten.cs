namespace ModelDsl.Spec;

/// <summary>Keras' Flatten: every axis after the batch axis into one.</summary>
public sealed class FlattenLayer : LayerKind
{
    public override LayerExample Example { get; } = new("[4, 3]", "- flatten");

    public override string Name => "flatten";

    public override string KerasClass => "Flatten";

    public override string Summary => "Flattens each sample into one axis.";

    public override IReadOnlyList<Argument> Arguments { get; } = Array.Empty<Argument>();

    public override IReadOnlyList<string> Unsupported { get; } = new[] { "data_format" }.Concat(LayerUnsupported).ToArray();

    public override string UnsupportedHint(string argument) => CommonArguments.UnsupportedHint(argument);

    internal override bool Infer(ShapeContext shapes)
    {
        if (!shapes.Fixed("needs every axis fixed to flatten it", "pool over the variable axis first, e.g. global_max_pooling1d, or give 'input' a fixed length"))
        {
            return false;
        }

        var count = ShapeContext.Elements(shapes.Input);
        if (count > int.MaxValue)
        {
            var values = count == long.MaxValue ? "more values per sample than fit in 64 bits" : $"{ShapeContext.Count(count)} values per sample";
            shapes.Report(DiagnosticCatalog.SizeOverflow, shapes.Layer.Label, $"it would give {values}, more than {ShapeContext.Count(int.MaxValue)}");
            return false;
        }

        shapes.Output(new[] { (int)count }, 0);
        return true;
    }
}

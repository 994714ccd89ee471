namespace ModelDsl.Spec;

/// <summary>Keras' Reshape: a new per-sample shape with the same number of values; one axis may be -1 (inferred).</summary>
public sealed class ReshapeLayer : LayerKind
{
    public override LayerExample Example { get; } = new("[12]", "- reshape: [4, -1]");

    private const string AnyAxis = "a positive integer or -1";

    public static readonly IntListArgument TargetShape = new("target_shape", "The new shape of one sample; one axis may be -1.", -1,
        "a list of positive integers (one of them may be -1), such as [28, 28, 1]", AnyAxis)
    {
        MissingHint = " (the new per-sample shape, e.g. reshape: [28, 28, 1])",
    };

    public override string Name => "reshape";

    public override string KerasClass => "Reshape";

    public override string Summary => "Gives each sample a new shape with the same number of values.";

    public override IReadOnlyList<Argument> Arguments { get; } = new Argument[] { TargetShape };

    public override Argument Shorthand => TargetShape;

    /// <summary>No axis of 0, and at most one -1.</summary>
    internal override bool Validate(LayerBinding binding)
    {
        var dims = binding.Get(TargetShape);
        var items = ((SequenceNode)binding.Args[TargetShape.Name]!).Items;
        var inferred = false;
        for (var i = 0; i < dims.Count; i++)
        {
            if (dims[i] == 0 || (dims[i] == -1 && inferred))
            {
                var what = $"dimension {i + 1} of {binding.Args.Describe(TargetShape.Name)}";
                binding.Report(DiagnosticCatalog.OutOfRange, items[i].Span, what, dims[i] == 0 ? AnyAxis : "a positive integer, as only one dimension may be -1", dims[i]);
                return false;
            }

            inferred |= dims[i] == -1;
        }

        return true;
    }

    internal override bool Infer(ShapeContext shapes)
    {
        if (!shapes.Fixed("needs every axis fixed to reshape it", "give 'input' a fixed length"))
        {
            return false;
        }

        var target = shapes.Get(TargetShape);
        var count = ShapeContext.Elements(shapes.Input);
        var known = ShapeContext.Elements(target.Where(d => d != -1));
        if (count == long.MaxValue || known == long.MaxValue)
        {
            shapes.Report(DiagnosticCatalog.SizeOverflow, shapes.Layer.Label, "its shapes have more values per sample than fit in 64 bits");
            return false;
        }

        var inferred = target.Contains(-1);
        var written = "(" + string.Join(", ", target) + ")";
        if (inferred ? count % known != 0 : count != known)
        {
            var wanted = inferred ? $"a multiple of {ShapeContext.Count(known)}" : ShapeContext.Count(known);
            shapes.Report(DiagnosticCatalog.ReshapeMismatch, shapes.Layer.Index, shapes.Layer.KindName, ShapeContext.Format(shapes.Input), ShapeContext.Count(count), shapes.From, written, wanted);
            return false;
        }

        if (count / known > int.MaxValue)
        {
            shapes.Report(DiagnosticCatalog.SizeOverflow, shapes.Layer.Label, $"its inferred dimension would be {ShapeContext.Count(count / known)}, more than {ShapeContext.Count(int.MaxValue)}");
            return false;
        }

        var resolved = target.Select(d => d == -1 ? (int)(count / known) : d).ToArray();
        shapes.Resolve(shapes.Config.With(TargetShape.Name, resolved.ToEquatableArray()));
        shapes.Output(resolved, 0);
        return true;
    }
}

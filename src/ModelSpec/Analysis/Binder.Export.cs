namespace ModelDsl.Spec;

/// <summary>
/// The <c>export</c> key (<c>export: onnx</c> or <c>export: [onnx]</c>) and the checks it turns on: a layer ONNX
/// cannot express is an error, one ONNX Runtime's CUDA provider computes differently a warning.
/// </summary>
internal sealed partial class Binder
{
    private static string ExportFormatList => string.Join(", ", Vocabulary.ExportFormatNames.Keys);

    /// <summary>The formats asked for; none when <c>export</c> is absent or empty. Invalid entries are reported and add none.</summary>
    private ExportFormats BindExport(Args model)
    {
        var node = model["export"];
        if (node == null || IsNull(node))
        {
            return ExportFormats.None;
        }

        if (node is SequenceNode list)
        {
            var formats = ExportFormats.None;
            for (var i = 0; i < list.Items.Count; i++)
            {
                formats |= ExportFormat(list.Items[i], $"item {i + 1} of 'export'", $"an export format ({ExportFormatList})");
            }

            return formats;
        }

        return ExportFormat(node, "'export'", $"an export format ({ExportFormatList}) or a list of them");
    }

    private ExportFormats ExportFormat(Node node, string what, string expectation)
    {
        if (node is not ScalarNode scalar || IsNull(scalar))
        {
            Report(DiagnosticCatalog.WrongType, node.Span, what, expectation, Describe(node));
            return ExportFormats.None;
        }

        if (Vocabulary.ExportFormatNames.TryGetValue(scalar.Value, out var format))
        {
            return format;
        }

        var closest = Suggestions.Closest(scalar.Value, Vocabulary.ExportFormatNames.Keys);
        var hint = closest != null
            ? $" (did you mean '{closest}'?)"
            : !scalar.IsQuoted && IsBoolText(scalar.Value) ? $" (name the format, as in export: {Vocabulary.ExportFormatNames.Keys.First()})" : string.Empty;
        Report(DiagnosticCatalog.OutOfRange, node.Span, what, $"an export format ({ExportFormatList})", Describe(node) + hint);
        return ExportFormats.None;
    }

    /// <summary>
    /// Per layer, what its catalogue entry says ONNX cannot express (MDSL047, at the argument's value) or, for a layer
    /// that exports, what ONNX Runtime's CUDA execution provider computes differently (MDSL048, at the layer).
    /// </summary>
    private void CheckOnnxForms(List<BoundLayer> layers)
    {
        foreach (var layer in layers.Where(l => l.Config != null))
        {
            var problems = layer.Kind!.OnnxProblems(layer.Config!).ToList();
            foreach (var problem in problems)
            {
                var subject = problem.Wrapped == null
                    ? $"its {problem.Argument} '{problem.Value}'"
                    : $"the {problem.Argument} '{problem.Value}' of its {problem.Wrapped}";
                Report(DiagnosticCatalog.NoOnnxForm, OnnxProblemSpan(layer, problem), layer.Index, layer.KindName, subject, problem.Op, string.Join(", ", problem.Accepted));
            }

            if (problems.Count == 0 && layer.Kind.OnnxCudaDifference(layer.Config!) is { } difference)
            {
                Report(DiagnosticCatalog.OnnxCudaDiffers, layer.KeySpan, layer.Index, layer.KindName, difference);
            }
        }
    }

    /// <summary>The value of the problem's argument, through the wrapper's arguments; the layer's key when it was not written.</summary>
    private static SourceSpan OnnxProblemSpan(BoundLayer layer, OnnxProblem problem)
    {
        var path = problem.Through.Concat(new[] { problem.Argument }).ToList();
        var node = layer.Args[path[0]];
        foreach (var key in path.Skip(1))
        {
            // A wrapped layer is written {lstm: {arguments}}.
            var arguments = node is MappingNode { Entries.Count: 1 } entry ? entry.Entries[0].Value : null;
            node = arguments is MappingNode mapping ? mapping.Entries.FirstOrDefault(e => e.Key.Value == key)?.Value : null;
        }

        return node?.Span ?? layer.KeySpan;
    }
}

using System.Text.RegularExpressions;

namespace ModelDsl.Spec;

/// <summary>
/// Maps the document tree to a <see cref="ModelSpec"/>: Keras' names and defaults, Keras' automatic layer names,
/// shape inference and the checks between layers, output and loss. The spec comes back only when no diagnostic
/// is an error.
/// </summary>
internal sealed partial class Binder
{
    /// <summary>A C# identifier in ASCII, within Roslyn's limit of 512 characters.</summary>
    private static readonly Regex Identifier = new(@"^[A-Za-z_][A-Za-z0-9_]{0,511}$", RegexOptions.CultureInvariant);

    private static readonly HashSet<string> CSharpKeywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
        "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "virtual", "void", "volatile", "while",
    };

    /// <summary>Keys users put at the top level that belong elsewhere, with where they go.</summary>
    private static readonly IReadOnlyDictionary<string, string> TopLevelHints = new Dictionary<string, string>
    {
        ["optimizer"] = "; it belongs under 'compile'",
        ["loss"] = "; it belongs under 'compile'",
        ["metrics"] = "; it belongs under 'compile'",
        ["epochs"] = "; it belongs under 'fit'",
        ["batch_size"] = "; it belongs under 'fit'",
        ["shuffle"] = "; it belongs under 'fit'",
        ["seed"] = "; it belongs under 'fit'",
        ["validation_split"] = "; it belongs under 'fit'",
        ["rescale"] = "; it belongs under 'preprocess', as preprocess: {rescale: ...}",
        ["input_shape"] = "; did you mean 'input'?",
        ["shape"] = "; did you mean 'input'?",
        ["name"] = "; did you mean 'model'? (it names the generated class)",
        ["sequential"] = "; did you mean 'layers'? (a model file is always Sequential: list its layers under 'layers')",
        ["equential"] = "; did you mean 'layers'? (a model file is always Sequential: list its layers under 'layers')",
        ["model_layers"] = "; did you mean 'layers'?",
        ["onnx"] = "; did you mean 'export: onnx'?",
    };

    private readonly string path;
    private readonly string defaultName;
    private readonly string? defaultNamespace;
    private readonly List<ModelDiagnostic> diagnostics = new();

    public Binder(string path, string defaultName, string? defaultNamespace)
    {
        this.path = path;
        this.defaultName = defaultName;
        this.defaultNamespace = defaultNamespace;
    }

    public ModelAnalysis Bind(Node root)
    {
        if (root is not MappingNode mapping)
        {
            Report(DiagnosticCatalog.WrongType, root.Span, "the model file", "a mapping with the keys input, layers and compile", Describe(root));
            return Finish(null);
        }

        var model = new Args("the model", mapping.Entries.Count > 0 ? mapping.Entries[0].Key.Span : mapping.Span, k => $"'{k}'");
        model.AddAll(mapping);

        var name = BindModelName(model, mapping.Span);
        var ns = BindNamespace(model);
        var input = BindInput(model);
        var preprocess = BindPreprocess(model);
        var layers = BindLayers(model);
        var compile = BindCompile(model);
        var fit = BindFit(model);
        var inputDType = BindInputDType(model, layers);
        var export = BindExport(model);
        ReportUnknown(model, key => TopLevelHints.TryGetValue(key, out var hint) ? hint : null);

        var shapesKnown = input != null && layers != null && InferShapes(input, layers);
        if (layers != null)
        {
            CheckDropoutAfterOutput(layers);
            CheckSingleUnitSoftmax(layers);
        }

        if (layers != null && compile != null)
        {
            CheckOutputAgainstLoss(layers, compile, shapesKnown);
        }

        if (layers != null && (export & ExportFormats.Onnx) != 0)
        {
            CheckOnnxForms(layers);
        }

        var metrics = compile == null ? null : ResolveMetrics(compile, shapesKnown ? layers![layers.Count - 1].OutputShape : null);
        if (diagnostics.Any(d => d.Severity == Severity.Error) || name == null || input == null || layers == null
            || compile?.Optimizer == null || compile.Loss == null || metrics == null || !shapesKnown)
        {
            return Finish(null);
        }

        var layerSpecs = layers.Select(l => new LayerSpec(
            l.Index, l.Name, l.Config!, l.InputShape!.ToEquatableArray(), l.OutputShape!.ToEquatableArray(), l.Parameters, l.TrainableParameters, l.Entry.Span));
        var spec = new ModelSpec(
            name,
            ns,
            input.ToEquatableArray(),
            inputDType,
            preprocess,
            layerSpecs.ToEquatableArray(),
            new CompileSpec(compile.Optimizer, compile.Loss, metrics.ToEquatableArray()),
            fit,
            root.Span)
        {
            Export = export,
        };
        return Finish(spec);
    }

    /// <summary>Past the limit no more are listed, so no time goes into hints nobody will see.</summary>
    private bool Full => diagnostics.Count > ModelAnalyzer.MaxDiagnostics;

    /// <summary>The result, with every diagnostic found; the caller orders and limits them.</summary>
    private ModelAnalysis Finish(ModelSpec? spec) => new(spec, diagnostics.ToEquatableArray());

    /// <summary>Reports every key of <paramref name="a"/> the binder did not read.</summary>
    private void ReportUnknown(Args a, Func<string, string?>? specialHint = null)
    {
        foreach (var entry in a.Unknown().TakeWhile(_ => !Full))
        {
            var key = entry.Key.Value;
            var hint = specialHint?.Invoke(key) ?? Suggestions.Hint(key, a.Known.ToArray());
            Report(DiagnosticCatalog.UnknownKey, entry.Key.Span, Shorten(key), a.Owner, hint);
        }
    }

    private string? BindModelName(Args model, SourceSpan rootSpan)
    {
        var node = model["model"];
        if (node == null)
        {
            if (Identifier.IsMatch(defaultName) && !CSharpKeywords.Contains(defaultName))
            {
                return defaultName;
            }

            var start = new SourceSpan(path, rootSpan.Start, 0, rootSpan.StartLine, rootSpan.StartColumn, rootSpan.StartLine, rootSpan.StartColumn);
            Report(DiagnosticCatalog.InvalidName, start, "the class name taken from the file name", Shorten(defaultName), "C# class name; set one with model: MyModel");
            return null;
        }

        var name = NameValue(node, "'model'", "a C# class name such as MnistLstm");
        if (name == null)
        {
            return null;
        }

        if (!Identifier.IsMatch(name) || CSharpKeywords.Contains(name))
        {
            Report(DiagnosticCatalog.InvalidName, node.Span, "the model name", Shorten(name), "C# class name; use up to 512 letters, digits and _, not starting with a digit");
            return null;
        }

        return name;
    }

    private string? BindNamespace(Args model)
    {
        var node = model["namespace"];
        if (node == null)
        {
            return defaultNamespace;
        }

        var ns = NameValue(node, "'namespace'", "a C# namespace such as Examples.Mnist");
        if (ns == null)
        {
            return defaultNamespace;
        }

        if (ns.Split('.').Any(part => !Identifier.IsMatch(part) || CSharpKeywords.Contains(part)))
        {
            Report(DiagnosticCatalog.InvalidName, node.Span, "the namespace", Shorten(ns), "C# namespace; use dotted identifiers such as Examples.Mnist");
        }

        return ns;
    }

    /// <summary>The per-sample input shape: a list of positive integers, or one integer for a flat vector.</summary>
    private int[]? BindInput(Args model)
    {
        var node = model["input"];
        if (node == null)
        {
            ReportMissing(model, "input", " (the shape of one sample without the batch axis, e.g. input: [28, 28])");
            return null;
        }

        const string expectation = "the shape of one sample as a list of positive integers, such as [28, 28]";
        switch (node)
        {
            case SequenceNode { Items.Count: 0 }:
                Report(DiagnosticCatalog.OutOfRange, node.Span, "'input'", expectation, "an empty list");
                return null;
            case SequenceNode list:
                // Keras' None (null here) is an axis of any length: a sequence of any number of steps.
                var dims = list.Items.Select((item, i) => IsNull(item) || item is ScalarNode { IsQuoted: false, Value: "None" }
                    ? Axis.Variable
                    : IntValue(item, $"dimension {i + 1} of 'input'", 1, "a positive integer, or null for a variable length")).ToArray();
                return dims.All(d => d.HasValue) ? dims.Select(d => d!.Value).ToArray() : null;
            case ScalarNode { IsQuoted: false } scalar when IntegerPattern.IsMatch(scalar.Value):
                var single = IntValue(node, "'input'", 1);
                return single.HasValue ? new[] { single.Value } : null;
            default:
                Report(DiagnosticCatalog.WrongType, node.Span, "'input'", expectation, Describe(node));
                return null;
        }
    }

    private PreprocessSpec BindPreprocess(Args model)
    {
        var node = model["preprocess"];
        if (node == null || IsNull(node))
        {
            return new PreprocessSpec(null);
        }

        if (node is not MappingNode mapping)
        {
            Report(DiagnosticCatalog.WrongType, node.Span, "'preprocess'", "a mapping such as {rescale: 0.00392156862745098}", Describe(node));
            return new PreprocessSpec(null);
        }

        var a = new Args("preprocess", model.KeyNode("preprocess")!.Span, k => $"'{k}' in preprocess");
        a.AddAll(mapping);
        var rescaleNode = a["rescale"];
        double? rescale = rescaleNode == null
            ? null
            : DoubleValue(rescaleNode, a.Describe("rescale"), v => v != 0, "a non-zero number, such as 0.00392156862745098 for 1/255");
        ReportUnknown(a);
        return new PreprocessSpec(rescale);
    }

    /// <summary>
    /// The input's element type: float32, or int64 indices for a model that starts with an embedding (what Keras
    /// infers from <c>Input(dtype='int32')</c>).
    /// </summary>
    private string BindInputDType(Args model, IReadOnlyList<BoundLayer>? layers)
    {
        var first = layers is { Count: > 0 } && !layers[0].IsBroken ? layers[0] : null;
        var startsWithEmbedding = first?.Kind?.TakesIndices == true;
        var implied = startsWithEmbedding ? "int64" : "float32";
        var node = model["input_dtype"];
        if (node == null)
        {
            return implied;
        }

        var written = NameValue(node, "'input_dtype'", "float32 or int64");
        var dtype = written switch
        {
            "float32" or "float" => "float32",
            "int64" or "int32" or "int" => "int64",
            _ => null,
        };
        if (written != null && dtype == null)
        {
            Report(DiagnosticCatalog.OutOfRange, node.Span, "'input_dtype'", "float32 or int64", Describe(node));
            return implied;
        }

        if (dtype == "float32" && startsWithEmbedding)
        {
            Report(DiagnosticCatalog.DTypeMismatch, node.Span, $"{first!.Label} takes integer indices, but input_dtype is float32; set input_dtype: int64 or leave it out");
        }
        else if (dtype == "int64" && first != null && !startsWithEmbedding)
        {
            Report(DiagnosticCatalog.DTypeMismatch, node.Span, $"input_dtype {written} feeds {first.Label}, which needs float values; only an embedding layer takes integer indices");
        }

        return dtype ?? implied;
    }
}

namespace ModelDsl.Spec;

/// <summary>compile (optimizer, loss, metrics) and fit, with Keras' names, aliases and defaults.</summary>
internal sealed partial class Binder
{
    private static readonly IReadOnlyDictionary<string, string> CompileHints = new Dictionary<string, string>
    {
        ["learning_rate"] = "; it is an optimizer argument, as optimizer: {adam: {learning_rate: 0.001}}",
        ["lr"] = "; it is an optimizer argument, as optimizer: {adam: {learning_rate: 0.001}}",
        ["from_logits"] = "; it is a loss argument, as loss: {sparse_categorical_crossentropy: {from_logits: true}}",
        ["epochs"] = "; it belongs under 'fit'",
        ["batch_size"] = "; it belongs under 'fit'",
        ["metric"] = "; did you mean 'metrics'? (a list, such as metrics: [accuracy])",
    };

    private static readonly string[] LossUnsupported = { "label_smoothing", "reduction", "axis", "ignore_class", "name", "dtype" };

    /// <summary>What compile binds to before the output is known: metrics resolve against the output shape later.</summary>
    private sealed class CompileParts
    {
        public OptimizerSpec? Optimizer { get; set; }

        public LossSpec? Loss { get; set; }

        public Node? LossNode { get; set; }

        public Node? FromLogitsNode { get; set; }

        public List<(string Name, string Kind, Node Node)>? Metrics { get; set; }
    }

    private CompileParts? BindCompile(Args model)
    {
        var node = model["compile"];
        if (node == null)
        {
            ReportMissing(model, "compile", " (how to train, e.g. compile: {optimizer: adam, loss: sparse_categorical_crossentropy, metrics: [accuracy]})");
            return null;
        }

        if (node is not MappingNode mapping)
        {
            Report(DiagnosticCatalog.WrongType, node.Span, "'compile'", "a mapping with the keys optimizer, loss and metrics", Describe(node));
            return null;
        }

        var a = new Args("compile", model.KeyNode("compile")!.Span, k => $"'{k}' in compile");
        a.AddAll(mapping);
        var parts = new CompileParts();

        // Keras' compile() defaults to rmsprop.
        var optimizerNode = a["optimizer"];
        parts.Optimizer = optimizerNode == null ? BindOptimizerArgs(OptimizerCatalog.Find(OptimizerCatalog.Default)!, null, FileStart()) : BindOptimizer(optimizerNode, a.Describe("optimizer"));

        var lossNode = a["loss"];
        if (lossNode == null)
        {
            ReportMissing(a, "loss", " (e.g. loss: sparse_categorical_crossentropy for integer class labels)");
        }
        else
        {
            BindLoss(lossNode, a.Describe("loss"), parts);
        }

        parts.Metrics = BindMetrics(a["metrics"], a.Describe("metrics"));
        ReportUnknown(a, key => CompileHints.TryGetValue(key, out var hint) ? hint : null);
        return parts;
    }

    private SourceSpan FileStart() => new(path, 0, 0, 0, 0, 0, 0);

    /// <summary>A name (adam) or one name with its arguments ({adam: {learning_rate: 0.001}}).</summary>
    private bool TryNamed(Node node, string what, string example, out ScalarNode? name, out Node? arguments)
    {
        name = null;
        arguments = null;
        switch (node)
        {
            case ScalarNode scalar when !IsNull(scalar):
                name = scalar;
                return true;
            case MappingNode { Entries.Count: 1 } mapping:
                name = mapping.Entries[0].Key;
                arguments = mapping.Entries[0].Value;
                return true;
            default:
                Report(DiagnosticCatalog.WrongType, node.Span, what, example, Describe(node));
                return false;
        }
    }

    /// <summary>The arguments under a name: a mapping, or nothing; null (reported) for anything else.</summary>
    private MappingNode? NamedArguments(Node? arguments, string owner, string example, out bool valid)
    {
        valid = true;
        if (arguments == null || IsNull(arguments))
        {
            return null;
        }

        if (arguments is MappingNode mapping)
        {
            return mapping;
        }

        Report(DiagnosticCatalog.WrongType, arguments.Span, $"the arguments of {owner}", example, Describe(arguments));
        valid = false;
        return null;
    }

    private OptimizerSpec? BindOptimizer(Node node, string what)
    {
        if (!TryNamed(node, what, "an optimizer name such as adam, or one name with its arguments such as {adam: {learning_rate: 0.001}}", out var nameNode, out var arguments))
        {
            return null;
        }

        var written = nameNode!.Value;
        var kind = OptimizerCatalog.Find(written);
        if (kind == null)
        {
            var hint = OptimizerCatalog.Unsupported.Contains(written)
                ? "; Keras has it, but ModelDsl does not support it; supported: " + string.Join(", ", OptimizerCatalog.Names)
                : Suggestions.Hint(written, OptimizerCatalog.Names.ToArray());
            Report(DiagnosticCatalog.UnknownOptimizer, nameNode.Span, Shorten(written), hint);
            return null;
        }

        var mapping = NamedArguments(arguments, $"optimizer '{kind.Name}'", "a mapping such as {learning_rate: 0.001}", out var valid);
        var spec = BindOptimizerArgs(kind, mapping, nameNode.Span);
        return valid ? spec : null;
    }

    /// <summary>Every argument the optimizer's catalogue entry lists, with Keras' defaults (epsilon 1e-7, legacy per-batch decay).</summary>
    private OptimizerSpec BindOptimizerArgs(OptimizerKind kind, MappingNode? mapping, SourceSpan span)
    {
        var owner = $"optimizer '{kind.Name}'";
        var a = new Args(owner, span, k => $"'{k}' of {owner}");
        if (mapping != null)
        {
            a.AddAll(mapping);
        }

        // Optional arguments only: an invalid value is reported and its default kept.
        var spec = new OptimizerSpec(kind.Name, kind.Arguments.Select(arg => new ArgumentValue(arg.Name, arg.Read(this, a))).ToEquatableArray());

        // Keras takes at most one way of clipping.
        var clipping = OptimizerKind.Clipping.Where(c => spec[c.Name] != null).ToArray();
        if (clipping.Length > 1)
        {
            Report(DiagnosticCatalog.OutOfRange, a[clipping[1].Name]!.Span, a.Describe(clipping[1].Name),
                $"left out when {clipping[0].Name} is set (Keras clips one way at a time)", Describe(a[clipping[1].Name]!));
        }
        foreach (var entry in a.Unknown())
        {
            var key = entry.Key.Value;
            if (kind.Unsupported.Contains(key))
            {
                Report(DiagnosticCatalog.UnsupportedArgument, entry.Key.Span, Shorten(key), owner, string.Empty);
            }
            else
            {
                var hint = OptimizerKind.Hint(key) ?? Suggestions.Hint(key, a.Known.ToArray());
                Report(DiagnosticCatalog.UnknownKey, entry.Key.Span, Shorten(key), a.Owner, hint);
            }
        }

        return spec;
    }

    private void BindLoss(Node node, string what, CompileParts parts)
    {
        if (!TryNamed(node, what, "a loss name such as sparse_categorical_crossentropy, or one name with its arguments such as {binary_crossentropy: {from_logits: true}}", out var nameNode, out var arguments))
        {
            return;
        }

        var written = nameNode!.Value;
        if (!Vocabulary.Losses.TryGetValue(written, out var name))
        {
            var canonical = Vocabulary.Losses.Keys.Where(k => k.ToLowerInvariant() == k).ToArray();
            var hint = Vocabulary.UnsupportedLosses.Contains(written)
                ? "; Keras has it, but ModelDsl does not support it; supported: " + string.Join(", ", canonical)
                : Suggestions.Hint(written, canonical);
            Report(DiagnosticCatalog.UnknownLoss, nameNode.Span, Shorten(written), hint);
            return;
        }

        var mapping = NamedArguments(arguments, $"loss '{written}'", "a mapping such as {from_logits: true}", out var valid);
        var a = new Args($"loss '{written}'", nameNode.Span, k => $"'{k}' of loss '{written}'");
        if (mapping != null)
        {
            a.AddAll(mapping);
        }

        var takesLogits = name is Vocabulary.SparseCategoricalCrossentropy or Vocabulary.CategoricalCrossentropy or Vocabulary.BinaryCrossentropy;
        var fromLogits = takesLogits && Bool(a, "from_logits", false);
        parts.FromLogitsNode = takesLogits ? a["from_logits"] : null;
        foreach (var entry in a.Unknown())
        {
            var key = entry.Key.Value;
            if (LossUnsupported.Contains(key))
            {
                Report(DiagnosticCatalog.UnsupportedArgument, entry.Key.Span, Shorten(key), a.Owner, string.Empty);
            }
            else
            {
                var hint = !takesLogits && key == "from_logits"
                    ? "; only the cross-entropy losses take from_logits"
                    : Suggestions.Hint(key, a.Known.ToArray());
                Report(DiagnosticCatalog.UnknownKey, entry.Key.Span, Shorten(key), a.Owner, hint);
            }
        }

        parts.LossNode = nameNode;
        parts.Loss = valid ? new LossSpec(name, fromLogits) : null;
    }

    private List<(string Name, string Kind, Node Node)>? BindMetrics(Node? node, string what)
    {
        var metrics = new List<(string Name, string Kind, Node Node)>();
        if (node == null || IsNull(node))
        {
            return metrics;
        }

        if (node is not SequenceNode list)
        {
            var got = Describe(node) + (node is ScalarNode s && Vocabulary.Metrics.ContainsKey(s.Value) ? $" (write [{s.Value}])" : string.Empty);
            Report(DiagnosticCatalog.WrongType, node.Span, what, "a list of metric names, such as [accuracy]", got);
            return null;
        }

        var valid = true;
        foreach (var item in list.Items)
        {
            var name = NameValue(item, $"each of {what}", "a metric name such as accuracy");
            if (name == null)
            {
                valid = false;
                continue;
            }

            if (!Vocabulary.Metrics.TryGetValue(name, out var kind))
            {
                var hint = name == "loss"
                    ? "; the loss is always reported, as 'loss'"
                    : Vocabulary.UnsupportedMetrics.Contains(name)
                        ? "; Keras has it, but ModelDsl does not support it; supported: " + string.Join(", ", Vocabulary.Metrics.Keys)
                        : Suggestions.Hint(name, Vocabulary.Metrics.Keys.ToArray());
                Report(DiagnosticCatalog.UnknownMetric, item.Span, Shorten(name), hint);
                valid = false;
                continue;
            }

            var index = metrics.FindIndex(m => m.Name == name);
            if (index >= 0)
            {
                Report(DiagnosticCatalog.DuplicateName, item.Span, "the metric", name, $"metric {index + 1}");
                valid = false;
                continue;
            }

            metrics.Add((name, kind, item));
        }

        return valid ? metrics : null;
    }

    private FitSpec BindFit(Args model)
    {
        var node = model["fit"];
        var a = new Args("fit", model.KeyNode("fit")?.Span ?? FileStart(), k => $"'{k}' in fit");
        if (node is MappingNode mapping)
        {
            a.AddAll(mapping);
        }
        else if (node != null && !IsNull(node))
        {
            Report(DiagnosticCatalog.WrongType, node.Span, "'fit'", "a mapping such as {epochs: 3, batch_size: 32}", Describe(node));
        }

        var epochs = Int(a, "epochs", 1, 1);
        var batchSize = Int(a, "batch_size", 32, 1);
        var shuffle = Bool(a, "shuffle", true);
        var seedNode = a["seed"];
        var seed = seedNode == null || IsNull(seedNode) ? null : IntValue(seedNode, a.Describe("seed"), 0);
        var validationSplit = Double(a, "validation_split", 0, v => v >= 0 && v < 1, "a number at least 0 and less than 1");
        ReportUnknown(a, key => key is "validation_data" ? "; validation data is passed to Train() in C#" : key is "verbose" or "callbacks" ? "; set it on FitOptions in C#" : null);
        return new FitSpec(epochs, batchSize, shuffle, seed, validationSplit);
    }
}

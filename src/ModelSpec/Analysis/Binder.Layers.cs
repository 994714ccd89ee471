namespace ModelDsl.Spec;

/// <summary>
/// Binding each entry of <c>layers</c> to its <see cref="LayerConfig"/>: the layer's catalogue entry says which
/// arguments it takes, their defaults and the shorthand; this reads them the same way for every kind.
/// </summary>
internal sealed partial class Binder
{
    /// <summary>The index of the layer being bound, for the messages about a layer it wraps.</summary>
    private int currentLayer;

    private static readonly string[] InputArguments = { "input_shape", "input_dim", "batch_input_shape", "batch_size", "input" };

    private List<BoundLayer>? BindLayers(Args model)
    {
        var node = model["layers"];
        if (node == null)
        {
            ReportMissing(model, "layers", " (the list of layers, each like - dense: {units: 10})");
            return null;
        }

        if (IsNull(node) || node is SequenceNode { Items.Count: 0 })
        {
            Report(DiagnosticCatalog.NoLayers, IsNull(node) ? model.KeyNode("layers")!.Span : node.Span);
            return null;
        }

        if (node is not SequenceNode list)
        {
            Report(DiagnosticCatalog.WrongType, node.Span, "'layers'", "a list of layers, each like '- dense: {units: 10}'", Describe(node));
            return null;
        }

        var layers = list.Items.Select((item, i) => BindLayer(item, i + 1)).ToList();
        NameLayers(layers);
        return layers;
    }

    /// <summary>Always a layer, so the ones around a broken entry are still checked; a broken one has no config.</summary>
    private BoundLayer BindLayer(Node item, int index)
    {
        ScalarNode key;
        Node? arguments = null;
        switch (item)
        {
            case ScalarNode scalar when !IsNull(scalar):
                key = scalar;
                break;
            case MappingNode { Entries.Count: 1 } mapping:
                key = mapping.Entries[0].Key;
                arguments = mapping.Entries[0].Value;
                break;
            case MappingNode { Entries.Count: > 1 } mapping:
                ReportMalformedLayer(mapping, index);
                return Broken(item, index);
            case SequenceNode:
                Report(DiagnosticCatalog.MalformedLayer, item.Span, index, "got a list");
                return Broken(item, index);
            default:
                Report(DiagnosticCatalog.MalformedLayer, item.Span, index, "it is empty");
                return Broken(item, index);
        }

        var kind = LayerCatalog.Find(key.Value);
        if (kind == null)
        {
            Report(DiagnosticCatalog.UnknownLayer, key.Span, Shorten(key.Value), index, UnknownLayerHint(key.Value));
            return Broken(item, index);
        }

        currentLayer = index;
        var label = $"layer {index} '{kind.Name}'";
        var a = new Args(label, key.Span, k => $"'{k}' of {label}");
        foreach (var known in kind.Arguments)
        {
            a.Know(known.Name);
        }

        a.Know("name");
        if (!AddArguments(kind, arguments, a, label))
        {
            return new BoundLayer(index, kind, item, key.Span, a);
        }

        var layer = new BoundLayer(index, kind, item, key.Span, a) { Config = BindConfig(kind, a) };
        ReportUnknownLayerArguments(layer);
        return layer;
    }

    /// <summary>
    /// Every argument of <paramref name="kind"/> in catalogue order, Keras' defaults for the absent ones; null when a
    /// required one is missing or invalid, or the arguments contradict each other (each reported).
    /// </summary>
    private LayerConfig? BindConfig(LayerKind kind, Args a)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        var complete = true;
        foreach (var argument in kind.Arguments)
        {
            var value = argument.Read(this, a);
            complete &= value != Argument.Failed;
            values[argument.Name] = value;
        }

        if (!complete)
        {
            return null;
        }

        foreach (var window in kind.Arguments.OfType<WindowArgument>().Where(w => w.Follows != null && values[w.Name] == null))
        {
            values[window.Name] = values[window.Follows!.Name];
        }

        if (!kind.Validate(new LayerBinding(this, a, values)))
        {
            return null;
        }

        return new LayerConfig(kind.Name, kind.Arguments.Select(arg => new ArgumentValue(arg.Name, values[arg.Name])).ToEquatableArray());
    }

    /// <summary>
    /// A wrapped layer's entry (<c>{lstm: {units: 64}}</c>), bound like a layer of its own; null when it is not one
    /// (reported, pointing into the entry).
    /// </summary>
    internal LayerConfig? BindNested(Node node, string what)
    {
        ScalarNode key;
        Node? arguments = null;
        switch (node)
        {
            case ScalarNode scalar when !IsNull(scalar):
                key = scalar;
                break;
            case MappingNode { Entries.Count: 1 } mapping:
                key = mapping.Entries[0].Key;
                arguments = mapping.Entries[0].Value;
                break;
            default:
                Report(DiagnosticCatalog.WrongType, node.Span, what, "one layer, such as {lstm: {units: 64}}", Describe(node));
                return null;
        }

        var kind = LayerCatalog.Find(key.Value);
        if (kind == null)
        {
            Report(DiagnosticCatalog.UnknownLayer, key.Span, Shorten(key.Value), currentLayer, UnknownLayerHint(key.Value));
            return null;
        }

        var label = $"the {kind.Name} in {what}";
        var a = new Args(label, key.Span, k => $"'{k}' of {label}");
        a.Know("name");
        if (!AddArguments(kind, arguments, a, label))
        {
            return null;
        }

        var config = BindConfig(kind, a);
        ReportUnknownLayerArguments(new BoundLayer(currentLayer, kind, node, key.Span, a));
        return config;
    }

    /// <summary>
    /// A layer's arguments into <paramref name="a"/>: a mapping of them, nothing, or one value for the kind's shorthand
    /// argument (<c>- dense: 10</c>); false (reported) for anything else.
    /// </summary>
    private bool AddArguments(LayerKind kind, Node? arguments, Args a, string label)
    {
        switch (arguments)
        {
            case null:
                return true;
            case MappingNode mapping:
                a.AddAll(mapping);
                return true;
            case var value when IsNull(value):
                return true;
            case var value when kind.Shorthand is { } shorthand:
                a.Add(new MappingEntry(new ScalarNode(shorthand.Name, false, value.Span), value));
                return true;
            default:
                Report(DiagnosticCatalog.WrongType, arguments.Span, $"the arguments of {label}", "a mapping of its Keras arguments", Describe(arguments));
                return false;
        }
    }

    private static BoundLayer Broken(Node item, int index) =>
        new(index, null, item, item.Span, new Args($"layer {index}", item.Span, k => $"'{k}' of layer {index}")) { IsBroken = true };

    private void ReportMalformedLayer(MappingNode mapping, int index)
    {
        var keys = mapping.Entries.Select(e => e.Key.Value).ToArray();
        var listed = string.Join(", ", keys.Take(6).Select(Shorten)) + (keys.Length > 6 ? ", ..." : string.Empty);
        var first = mapping.Entries[0];
        var kinds = keys.Where(k => LayerCatalog.Find(k) != null).ToArray();
        if (kinds.Length == 1 && kinds[0] == first.Key.Value && IsNull(first.Value))
        {
            // "- lstm:" followed by its arguments at the same indentation: the commonest YAML slip.
            Report(DiagnosticCatalog.MalformedLayer, mapping.Entries[1].Key.Span, index,
                $"it has the keys {listed} side by side; indent the arguments under '{first.Key.Value}:' by two more spaces");
        }
        else if (kinds.Length > 1)
        {
            Report(DiagnosticCatalog.MalformedLayer, mapping.Entries[1].Key.Span, index,
                $"it has the keys {listed}; write each layer as its own list item starting with '-'");
        }
        else if (keys.Any(k => k is "type" or "class_name" or "layer" or "kind"))
        {
            Report(DiagnosticCatalog.MalformedLayer, first.Key.Span, index, $"it has the keys {listed}; write the type as the key, with its arguments under it");
        }
        else
        {
            Report(DiagnosticCatalog.MalformedLayer, first.Key.Span, index, $"it has the keys {listed}");
        }
    }

    private static string UnknownLayerHint(string kind)
    {
        var folded = new string(kind.Where(c => c != '_' && c != '-').Select(char.ToLowerInvariant).ToArray());
        if (LayerCatalog.Aliases.TryGetValue(folded, out var alias))
        {
            return $"; did you mean '{alias}'?";
        }

        var closest = Suggestions.Closest(kind, LayerCatalog.Names);
        if (closest != null)
        {
            return $"; did you mean '{closest}'?";
        }

        if (Vocabulary.Activations.Contains(kind.ToLowerInvariant()))
        {
            return $"; an activation on its own is written '- activation: {kind.ToLowerInvariant()}'";
        }

        var supported = "; supported: " + string.Join(", ", LayerCatalog.Names);
        var unsupported = Suggestions.Closest(kind, LayerCatalog.Unsupported.ToArray());
        return unsupported != null ? $"; Keras has '{unsupported}', but ModelDsl does not support it{supported}" : supported;
    }

    private void ReportUnknownLayerArguments(BoundLayer layer)
    {
        var kind = layer.Kind!;
        foreach (var entry in layer.Args.Unknown().TakeWhile(_ => !Full))
        {
            var key = entry.Key.Value;
            if (kind.Unsupported.Contains(key))
            {
                Report(DiagnosticCatalog.UnsupportedArgument, entry.Key.Span, Shorten(key), kind.Name, kind.UnsupportedHint(key));
                continue;
            }

            string hintText;
            var owners = LayerCatalog.All.Where(k => k.Find(key) != null).Select(k => k.Name).ToArray();
            if (InputArguments.Contains(key))
            {
                hintText = "; the input shape is declared once, at the top level, like input: [28, 28]";
            }
            else if (Suggestions.Closest(key, layer.Args.Known) is { } closest)
            {
                hintText = $"; did you mean '{closest}'?";
            }
            else if (owners.Length > 0)
            {
                hintText = $"; it is an argument of {string.Join(", ", owners)}, not of {kind.Name}";
            }
            else
            {
                hintText = Suggestions.Hint(key, layer.Args.Known.ToArray());
            }

            Report(DiagnosticCatalog.UnknownKey, entry.Key.Span, Shorten(key), layer.Label, hintText);
        }
    }

    /// <summary>Keras' automatic names (lstm, lstm_1, ...) unless a layer sets <c>name</c>; names must be unique.</summary>
    private void NameLayers(List<BoundLayer> layers)
    {
        var counters = new Dictionary<string, int>();
        var owners = new Dictionary<string, BoundLayer>(StringComparer.Ordinal);
        foreach (var layer in layers.Where(l => !l.IsBroken))
        {
            var node = layer.Args["name"];
            var written = node == null ? null : NameValue(node, layer.Args.Describe("name"), "a layer name such as dense_out");
            if (written != null && !Identifier.IsMatch(written))
            {
                Report(DiagnosticCatalog.InvalidName, node!.Span, "the layer name", Shorten(written), "layer name; use up to 512 letters, digits and _, not starting with a digit");
                written = null;
            }

            if (written != null)
            {
                layer.Name = written;
            }
            else
            {
                var kindName = layer.Kind!.Name;
                counters.TryGetValue(kindName, out var count);
                counters[kindName] = count + 1;
                layer.Name = count == 0 ? kindName : $"{kindName}_{count}";
            }

            if (owners.TryGetValue(layer.Name, out var owner))
            {
                Report(DiagnosticCatalog.DuplicateName, node?.Span ?? layer.KeySpan, "the layer name", layer.Name, owner.Label);
                continue;
            }

            owners.Add(layer.Name, layer);
        }
    }
}

namespace ModelDsl.Spec;

/// <summary>Binding each entry of <c>layers</c> to its <see cref="LayerConfig"/> with Keras' defaults.</summary>
internal sealed partial class Binder
{
    private static readonly string[] Padding = { "valid", "same" };

    /// <summary>The Keras arguments each layer kind takes here, in Keras' order; also the "did you mean" candidates.</summary>
    private static readonly IReadOnlyDictionary<string, string[]> LayerArguments = new Dictionary<string, string[]>
    {
        ["dense"] = new[] { "units", "activation", "use_bias", "kernel_initializer", "bias_initializer" },
        ["dropout"] = new[] { "rate" },
        ["lstm"] = new[] { "units", "activation", "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer", "unit_forget_bias", "return_sequences" },
        ["gru"] = new[] { "units", "activation", "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer", "reset_after", "return_sequences" },
        ["simple_rnn"] = new[] { "units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer", "return_sequences" },
        ["conv1d"] = new[] { "filters", "kernel_size", "strides", "padding", "dilation_rate", "activation", "use_bias", "kernel_initializer", "bias_initializer" },
        ["conv2d"] = new[] { "filters", "kernel_size", "strides", "padding", "activation", "use_bias", "kernel_initializer", "bias_initializer" },
        ["max_pooling1d"] = new[] { "pool_size", "strides", "padding" },
        ["max_pooling2d"] = new[] { "pool_size", "strides", "padding" },
        ["flatten"] = Array.Empty<string>(),
        ["reshape"] = new[] { "target_shape" },
        ["batch_normalization"] = new[] { "momentum", "epsilon", "center", "scale" },
        ["embedding"] = new[] { "input_dim", "output_dim", "embeddings_initializer" },
        ["activation"] = new[] { "activation" },
    };

    /// <summary>The argument a scalar or list after the layer type stands for, like Keras' first positional one.</summary>
    private static readonly IReadOnlyDictionary<string, string> Shorthands = new Dictionary<string, string>
    {
        ["dense"] = "units",
        ["lstm"] = "units",
        ["gru"] = "units",
        ["simple_rnn"] = "units",
        ["dropout"] = "rate",
        ["activation"] = "activation",
        ["reshape"] = "target_shape",
        ["max_pooling1d"] = "pool_size",
        ["max_pooling2d"] = "pool_size",
    };

    private static readonly string[] CommonUnsupported =
    {
        "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint", "trainable", "dtype",
    };

    private static readonly string[] RecurrentUnsupported =
    {
        "recurrent_regularizer", "recurrent_constraint", "dropout", "recurrent_dropout", "return_state", "go_backwards", "stateful", "unroll", "time_major",
    };

    /// <summary>Keras arguments ModelDsl does not implement: named as such rather than as unknown keys.</summary>
    private static readonly IReadOnlyDictionary<string, string[]> UnsupportedArguments = new Dictionary<string, string[]>
    {
        ["dense"] = CommonUnsupported,
        ["dropout"] = new[] { "noise_shape", "seed", "trainable", "dtype" },
        ["lstm"] = CommonUnsupported.Concat(RecurrentUnsupported).ToArray(),
        ["gru"] = CommonUnsupported.Concat(RecurrentUnsupported).ToArray(),
        ["simple_rnn"] = CommonUnsupported.Concat(RecurrentUnsupported).ToArray(),
        ["conv1d"] = CommonUnsupported.Concat(new[] { "groups", "data_format" }).ToArray(),
        ["conv2d"] = CommonUnsupported.Concat(new[] { "dilation_rate", "groups", "data_format" }).ToArray(),
        ["max_pooling1d"] = new[] { "data_format", "trainable", "dtype" },
        ["max_pooling2d"] = new[] { "data_format", "trainable", "dtype" },
        ["flatten"] = new[] { "data_format", "trainable", "dtype" },
        ["reshape"] = new[] { "trainable", "dtype" },
        ["batch_normalization"] = new[]
        {
            "axis", "beta_initializer", "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer",
            "gamma_regularizer", "beta_constraint", "gamma_constraint", "synchronized", "trainable", "dtype",
        },
        ["embedding"] = new[] { "mask_zero", "input_length", "embeddings_regularizer", "embeddings_constraint", "activity_regularizer", "trainable", "dtype" },
        ["activation"] = new[] { "trainable", "dtype" },
    };

    private static readonly IReadOnlyDictionary<string, string> UnsupportedArgumentHints = new Dictionary<string, string>
    {
        ["dropout"] = "; put a dropout layer after it instead",
        ["recurrent_dropout"] = "; put a dropout layer after it instead",
        ["input_length"] = "; the sequence length comes from 'input'",
        ["axis"] = "; it always normalises the last axis (Keras' default, axis: -1)",
        ["data_format"] = "; shapes are always channels-last, Keras' default",
    };

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

        var kind = key.Value;
        if (!Vocabulary.LayerClasses.ContainsKey(kind))
        {
            Report(DiagnosticCatalog.UnknownLayer, key.Span, Shorten(kind), index, UnknownLayerHint(kind));
            return Broken(item, index);
        }

        var label = $"layer {index} '{kind}'";
        var a = new Args(label, key.Span, k => $"'{k}' of {label}");
        foreach (var known in LayerArguments[kind])
        {
            a.Know(known);
        }

        a.Know("name");
        switch (arguments)
        {
            case null:
                break;
            case MappingNode mapping:
                a.AddAll(mapping);
                break;
            case var value when IsNull(value):
                break;
            case var value when Shorthands.TryGetValue(kind, out var shorthand):
                a.Add(new MappingEntry(new ScalarNode(shorthand, false, value.Span), value));
                break;
            default:
                Report(DiagnosticCatalog.WrongType, arguments.Span, $"the arguments of {label}", "a mapping of its Keras arguments", Describe(arguments));
                return new BoundLayer(index, kind, item, key.Span, a);
        }

        var layer = new BoundLayer(index, kind, item, key.Span, a) { Config = BindConfig(kind, a) };
        ReportUnknownLayerArguments(layer);
        return layer;
    }

    private static BoundLayer Broken(Node item, int index) =>
        new(index, "?", item, item.Span, new Args($"layer {index}", item.Span, k => $"'{k}' of layer {index}")) { IsBroken = true };

    private void ReportMalformedLayer(MappingNode mapping, int index)
    {
        var keys = mapping.Entries.Select(e => e.Key.Value).ToArray();
        var listed = string.Join(", ", keys.Take(6).Select(Shorten)) + (keys.Length > 6 ? ", ..." : string.Empty);
        var first = mapping.Entries[0];
        var kinds = keys.Where(Vocabulary.LayerClasses.ContainsKey).ToArray();
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
        if (Vocabulary.LayerAliases.TryGetValue(folded, out var alias))
        {
            return $"; did you mean '{alias}'?";
        }

        var closest = Suggestions.Closest(kind, Vocabulary.LayerKinds);
        if (closest != null)
        {
            return $"; did you mean '{closest}'?";
        }

        if (Vocabulary.Activations.Contains(kind.ToLowerInvariant()))
        {
            return $"; an activation on its own is written '- activation: {kind.ToLowerInvariant()}'";
        }

        var supported = "; supported: " + string.Join(", ", Vocabulary.LayerKinds);
        var unsupported = Suggestions.Closest(kind, Vocabulary.UnsupportedLayers.ToArray());
        return unsupported != null ? $"; Keras has '{unsupported}', but ModelDsl does not support it{supported}" : supported;
    }

    private void ReportUnknownLayerArguments(BoundLayer layer)
    {
        foreach (var entry in layer.Args.Unknown().TakeWhile(_ => !Full))
        {
            var key = entry.Key.Value;
            if (UnsupportedArguments[layer.Kind].Contains(key))
            {
                UnsupportedArgumentHints.TryGetValue(key, out var hint);
                Report(DiagnosticCatalog.UnsupportedArgument, entry.Key.Span, Shorten(key), layer.Kind, hint ?? string.Empty);
                continue;
            }

            string hintText;
            var owners = LayerArguments.Where(p => p.Value.Contains(key)).Select(p => p.Key).ToArray();
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
                hintText = $"; it is an argument of {string.Join(", ", owners)}, not of {layer.Kind}";
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
                counters.TryGetValue(layer.Kind, out var count);
                counters[layer.Kind] = count + 1;
                layer.Name = count == 0 ? layer.Kind : $"{layer.Kind}_{count}";
            }

            if (owners.TryGetValue(layer.Name, out var owner))
            {
                Report(DiagnosticCatalog.DuplicateName, node?.Span ?? layer.KeySpan, "the layer name", layer.Name, owner.Label);
                continue;
            }

            owners.Add(layer.Name, layer);
        }
    }

    private LayerConfig? BindConfig(string kind, Args a) => kind switch
    {
        "dense" => BindDense(a),
        "dropout" => BindDropout(a),
        "lstm" => BindLstm(a),
        "gru" => BindGru(a),
        "simple_rnn" => BindSimpleRnn(a),
        "conv1d" => BindConv1D(a),
        "conv2d" => BindConv2D(a),
        "max_pooling1d" => BindMaxPooling1D(a),
        "max_pooling2d" => BindMaxPooling2D(a),
        "flatten" => new FlattenConfig(),
        "reshape" => BindReshape(a),
        "batch_normalization" => BindBatchNormalization(a),
        "embedding" => BindEmbedding(a),
        "activation" => BindActivation(a),
        _ => null,
    };

    private int? Units(Args a) => RequiredInt(a, "units", 1, " (the number of output features, e.g. units: 10)");

    private LayerConfig? BindDense(Args a)
    {
        var units = Units(a);
        var config = new DenseConfig(
            units ?? 1,
            Activation(a, "activation", "linear"),
            Bool(a, "use_bias", true),
            Initializer(a, "kernel_initializer", "glorot_uniform"),
            Initializer(a, "bias_initializer", "zeros"));
        return units.HasValue ? config : null;
    }

    private LayerConfig? BindDropout(Args a)
    {
        var node = a["rate"];
        if (node == null)
        {
            ReportMissing(a, "rate", " (the fraction of inputs to drop, e.g. dropout: 0.2)");
            return null;
        }

        var rate = DoubleValue(node, a.Describe("rate"), r => r >= 0 && r < 1, "a number at least 0 and less than 1");
        return rate.HasValue ? new DropoutConfig(rate.Value) : null;
    }

    private LayerConfig? BindLstm(Args a)
    {
        var units = Units(a);
        var config = new LstmConfig(
            units ?? 1,
            Activation(a, "activation", "tanh"),
            Activation(a, "recurrent_activation", "sigmoid"),
            Bool(a, "return_sequences", false),
            Bool(a, "use_bias", true),
            Bool(a, "unit_forget_bias", true),
            Initializer(a, "kernel_initializer", "glorot_uniform"),
            Initializer(a, "recurrent_initializer", "orthogonal"),
            Initializer(a, "bias_initializer", "zeros"));
        return units.HasValue ? config : null;
    }

    private LayerConfig? BindGru(Args a)
    {
        var units = Units(a);
        var config = new GruConfig(
            units ?? 1,
            Activation(a, "activation", "tanh"),
            Activation(a, "recurrent_activation", "sigmoid"),
            Bool(a, "return_sequences", false),
            Bool(a, "use_bias", true),
            Bool(a, "reset_after", true),
            Initializer(a, "kernel_initializer", "glorot_uniform"),
            Initializer(a, "recurrent_initializer", "orthogonal"),
            Initializer(a, "bias_initializer", "zeros"));
        return units.HasValue ? config : null;
    }

    private LayerConfig? BindSimpleRnn(Args a)
    {
        var units = Units(a);
        var config = new SimpleRnnConfig(
            units ?? 1,
            Activation(a, "activation", "tanh"),
            Bool(a, "return_sequences", false),
            Bool(a, "use_bias", true),
            Initializer(a, "kernel_initializer", "glorot_uniform"),
            Initializer(a, "recurrent_initializer", "orthogonal"),
            Initializer(a, "bias_initializer", "zeros"));
        return units.HasValue ? config : null;
    }

    private int? Filters(Args a) => RequiredInt(a, "filters", 1, " (the number of output channels, e.g. filters: 32)");

    /// <summary>A window argument: one integer for every axis or one per axis; absent gives <paramref name="fallback"/>.</summary>
    private int[]? Window(Args a, string key, int axes, int[]? fallback, string example)
    {
        var node = a[key];
        if (node == null)
        {
            if (fallback == null)
            {
                ReportMissing(a, key, example);
            }

            return fallback;
        }

        return IntTupleValue(node, a.Describe(key), axes, 1);
    }

    private LayerConfig? BindConv1D(Args a)
    {
        var filters = Filters(a);
        var kernel = Window(a, "kernel_size", 1, null, " (the window length, e.g. kernel_size: 3)");
        var strides = Window(a, "strides", 1, new[] { 1 }, string.Empty) ?? new[] { 1 };
        var padding = Choice(a, "padding", "valid", Padding, " (Keras' 'causal' padding is not supported)");
        var dilation = Int(a, "dilation_rate", 1, 1);
        if (dilation > 1 && strides[0] > 1)
        {
            // Keras rejects the combination too: a strided, dilated window skips inputs unevenly.
            Report(DiagnosticCatalog.OutOfRange, a["dilation_rate"]!.Span, a.Describe("dilation_rate"), "1 when strides is greater than 1", dilation);
        }

        var config = new Conv1DConfig(
            filters ?? 1,
            kernel?[0] ?? 1,
            strides[0],
            padding,
            dilation,
            Activation(a, "activation", "linear"),
            Bool(a, "use_bias", true),
            Initializer(a, "kernel_initializer", "glorot_uniform"),
            Initializer(a, "bias_initializer", "zeros"));
        return filters.HasValue && kernel != null ? config : null;
    }

    private LayerConfig? BindConv2D(Args a)
    {
        var filters = Filters(a);
        var kernel = Window(a, "kernel_size", 2, null, " (the window, e.g. kernel_size: 3 or [3, 3])");
        var strides = Window(a, "strides", 2, new[] { 1, 1 }, string.Empty) ?? new[] { 1, 1 };
        var config = new Conv2DConfig(
            kernel?[0] ?? 1,
            kernel?[1] ?? 1,
            filters ?? 1,
            strides[0],
            strides[1],
            Choice(a, "padding", "valid", Padding),
            Activation(a, "activation", "linear"),
            Bool(a, "use_bias", true),
            Initializer(a, "kernel_initializer", "glorot_uniform"),
            Initializer(a, "bias_initializer", "zeros"));
        return filters.HasValue && kernel != null ? config : null;
    }

    /// <summary>Keras' pooling strides default (None) to the pool size: windows side by side.</summary>
    private int[]? PoolStrides(Args a, int[] pool)
    {
        var node = a["strides"];
        return node == null || IsNull(node) ? pool : IntTupleValue(node, a.Describe("strides"), pool.Length, 1);
    }

    private LayerConfig? BindMaxPooling1D(Args a)
    {
        var pool = Window(a, "pool_size", 1, new[] { 2 }, string.Empty);
        var strides = pool == null ? null : PoolStrides(a, pool);
        var padding = Choice(a, "padding", "valid", Padding);
        return pool != null && strides != null ? new MaxPooling1DConfig(pool[0], strides[0], padding) : null;
    }

    private LayerConfig? BindMaxPooling2D(Args a)
    {
        var pool = Window(a, "pool_size", 2, new[] { 2, 2 }, string.Empty);
        var strides = pool == null ? null : PoolStrides(a, pool);
        var padding = Choice(a, "padding", "valid", Padding);
        return pool != null && strides != null ? new MaxPooling2DConfig(pool[0], pool[1], strides[0], strides[1], padding) : null;
    }

    /// <summary>The target shape as written; at most one -1, which shape inference resolves.</summary>
    private LayerConfig? BindReshape(Args a)
    {
        var node = a["target_shape"];
        if (node == null)
        {
            ReportMissing(a, "target_shape", " (the new per-sample shape, e.g. reshape: [28, 28, 1])");
            return null;
        }

        const string expectation = "a list of positive integers (one of them may be -1), such as [28, 28, 1]";
        if (node is not SequenceNode { Items.Count: > 0 } list)
        {
            Report(DiagnosticCatalog.WrongType, node.Span, a.Describe("target_shape"), expectation, Describe(node));
            return null;
        }

        var dims = new List<int>();
        var inferred = false;
        for (var i = 0; i < list.Items.Count; i++)
        {
            var what = $"dimension {i + 1} of {a.Describe("target_shape")}";
            var dim = IntValue(list.Items[i], what, -1, "a positive integer or -1");
            if (dim == 0 || (dim == -1 && inferred))
            {
                Report(DiagnosticCatalog.OutOfRange, list.Items[i].Span, what, dim == 0 ? "a positive integer or -1" : "a positive integer, as only one dimension may be -1", dim.Value);
                dim = null;
            }

            if (dim == null)
            {
                return null;
            }

            inferred |= dim == -1;
            dims.Add(dim.Value);
        }

        return new ReshapeConfig(dims.ToEquatableArray());
    }

    private LayerConfig BindBatchNormalization(Args a) => new BatchNormalizationConfig(
        Double(a, "momentum", 0.99, m => m >= 0 && m <= 1, "a number from 0 to 1"),
        Double(a, "epsilon", 0.001, e => e > 0, "a positive number"),
        Bool(a, "center", true),
        Bool(a, "scale", true));

    private LayerConfig? BindEmbedding(Args a)
    {
        var inputDim = RequiredInt(a, "input_dim", 1, " (the vocabulary size: indices run from 0 to input_dim - 1)");
        var outputDim = RequiredInt(a, "output_dim", 1, " (the size of each embedding vector, e.g. output_dim: 64)");
        var initializer = Initializer(a, "embeddings_initializer", "uniform");
        return inputDim.HasValue && outputDim.HasValue ? new EmbeddingConfig(inputDim.Value, outputDim.Value, initializer) : null;
    }

    private LayerConfig? BindActivation(Args a)
    {
        var node = a["activation"];
        if (node == null)
        {
            ReportMissing(a, "activation", " (e.g. - activation: relu)");
            return null;
        }

        var name = IsNull(node) ? "linear" : ActivationValue(node, a.Describe("activation"), a.Owner);
        return name == null ? null : new ActivationConfig(name);
    }
}

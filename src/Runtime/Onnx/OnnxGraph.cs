using System.Runtime.InteropServices;

namespace ModelDsl.Runtime.Onnx;

/// <summary>A value of an ONNX graph, by name: a graph input, an initializer or a node's output.</summary>
public readonly record struct OnnxValue(string Name)
{
    /// <summary>ONNX's mark of an optional input left out (an empty name).</summary>
    public static OnnxValue Missing { get; } = new(string.Empty);

    public override string ToString() => Name;
}

/// <summary>
/// An ONNX graph under construction: each layer's <see cref="Layers.Layer.ToOnnx"/> appends the nodes and weights of
/// its inference pass, named after the layer (<see cref="Scope"/>). Channels-last layers wrap ONNX's channels-first
/// ops in transposes; a transpose that undoes the one before it is dropped here, so consecutive convolutions and
/// poolings stay channels-first between them.
/// </summary>
public sealed class OnnxGraph
{
    private readonly List<NodeRecord> _nodes = [];
    private readonly List<InitializerRecord> _initializers = [];
    private readonly Dictionary<string, NodeRecord> _producers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly List<string> _warnings = [];

    internal OnnxGraph(string name, string input)
    {
        Name = name;
        _names.Add(input);
    }

    /// <summary>The graph's name: the model's.</summary>
    public string Name { get; }

    /// <summary>The layer being exported ("lstm_1"): the prefix of the names of its nodes and weights.</summary>
    public string Scope { get; internal set; } = string.Empty;

    /// <summary>What the exported graph does differently from the model somewhere it may run, per layer.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Exports a wrapped layer under its own name inside the current scope ("bidirectional/forward_lstm").</summary>
    public OnnxValue Within(string name, Func<OnnxValue> export)
    {
        var outer = Scope;
        Scope = outer.Length == 0 ? name : outer + "/" + name;
        try
        {
            return export();
        }
        finally
        {
            Scope = outer;
        }
    }

    /// <summary>Records a warning about the current layer.</summary>
    public void Warn(string message) => _warnings.Add($"{Scope}: {message}");

    /// <summary>A float32 initializer holding <paramref name="tensor"/> (on any device, in any floating-point type).</summary>
    public OnnxValue Weight(string name, Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var values = tensor.detach().to(ScalarType.Float32, CPU).contiguous().data<float>().ToArray();
        return AddInitializer(name, OnnxElementType.Float, tensor.shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    }

    /// <summary>A 1-D int64 constant (shapes, axes, pads given as inputs).</summary>
    public OnnxValue Ints(params long[] values) =>
        AddInitializer("ints", OnnxElementType.Int64, [values.Length], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    /// <summary>A 1-D float32 constant (Resize's scales).</summary>
    public OnnxValue Floats(params float[] values) =>
        AddInitializer("floats", OnnxElementType.Float, [values.Length], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    /// <summary>A float32 scalar constant.</summary>
    public OnnxValue Scalar(double value)
    {
        var single = (float)value;
        return AddInitializer("scalar", OnnxElementType.Float, [], BitConverter.GetBytes(single));
    }

    /// <summary>Appends a node with one output.</summary>
    public OnnxValue Node(string op, OnnxValue[] inputs, params OnnxAttribute[] attributes) => Nodes(op, 1, inputs, attributes)[0];

    /// <summary>Appends a node with <paramref name="outputs"/> outputs.</summary>
    public OnnxValue[] Nodes(string op, int outputs, OnnxValue[] inputs, params OnnxAttribute[] attributes)
    {
        var node = new NodeRecord(op, Fresh(op), inputs.Select(i => i.Name).ToArray(),
            Enumerable.Range(0, outputs).Select(_ => Fresh(op + "_out")).ToArray(), attributes);
        _nodes.Add(node);
        foreach (var output in node.Outputs)
            _producers[output] = node;
        return node.Outputs.Select(o => new OnnxValue(o)).ToArray();
    }

    /// <summary>ONNX Transpose: output axis i is input axis <paramref name="perm"/>[i]. Undoing the previous transpose returns its input.</summary>
    public OnnxValue Transpose(OnnxValue input, params long[] perm)
    {
        if (perm.Select((axis, i) => axis == i).All(same => same))
            return input;
        if (_producers.TryGetValue(input.Name, out var previous) && previous.Op == "Transpose")
        {
            var first = (long[])previous.Attributes.Single(a => a.Name == "perm").Value;
            if (perm.Select((axis, i) => first[axis] == i).All(same => same))
                return new OnnxValue(previous.Inputs[0]);
        }

        return Node("Transpose", [input], OnnxAttribute.Ints("perm", perm));
    }

    /// <summary>Channels-last (batch, ..., channels) to ONNX's channels-first (batch, channels, ...) for a rank-<paramref name="rank"/> tensor.</summary>
    public OnnxValue ChannelsFirst(OnnxValue input, int rank) =>
        Transpose(input, [0, rank - 1, .. Enumerable.Range(1, rank - 2).Select(a => (long)a)]);

    /// <summary>ONNX's channels-first back to channels-last.</summary>
    public OnnxValue ChannelsLast(OnnxValue input, int rank) =>
        Transpose(input, [0, .. Enumerable.Range(2, rank - 2).Select(a => (long)a), 1]);

    /// <summary>ONNX Reshape; 0 keeps the input's axis (the batch), -1 takes what is left.</summary>
    public OnnxValue Reshape(OnnxValue input, params long[] shape) => Node("Reshape", [input, Ints(shape)]);

    public OnnxValue Squeeze(OnnxValue input, params long[] axes) => Node("Squeeze", [input, Ints(axes)]);

    public OnnxValue Unsqueeze(OnnxValue input, params long[] axes) => Node("Unsqueeze", [input, Ints(axes)]);

    /// <summary>ONNX Slice on <paramref name="axes"/>; an end of <see cref="long.MaxValue"/> runs to the end of its axis.</summary>
    public OnnxValue Slice(OnnxValue input, long[] starts, long[] ends, long[] axes, long[]? steps = null) =>
        steps is null
            ? Node("Slice", [input, Ints(starts), Ints(ends), Ints(axes)])
            : Node("Slice", [input, Ints(starts), Ints(ends), Ints(axes), Ints(steps)]);

    /// <summary>The input reversed along <paramref name="axis"/> (Keras' <c>go_backwards</c>).</summary>
    public OnnxValue Reverse(OnnxValue input, long axis) => Slice(input, [-1], [long.MinValue], [axis], [-1]);

    public OnnxValue Add(OnnxValue left, OnnxValue right) => Node("Add", [left, right]);

    public OnnxValue Mul(OnnxValue left, OnnxValue right) => Node("Mul", [left, right]);

    public OnnxValue MatMul(OnnxValue left, OnnxValue right) => Node("MatMul", [left, right]);

    /// <summary>Keras' activation as ONNX nodes (none for linear).</summary>
    public OnnxValue Activation(OnnxValue input, Activation activation) => OnnxActivations.Apply(this, input, activation);

    /// <summary>Gives <paramref name="value"/> the graph output's name.</summary>
    internal OnnxValue Output(OnnxValue value, string name)
    {
        _names.Add(name);
        var node = new NodeRecord("Identity", Fresh("Identity"), [value.Name], [name], []);
        _nodes.Add(node);
        _producers[name] = node;
        return new OnnxValue(name);
    }

    internal void Write(ProtoWriter writer, GraphSignature signature)
    {
        var needed = new HashSet<string>(StringComparer.Ordinal) { signature.Output.Name };
        var kept = new List<NodeRecord>();
        for (var i = _nodes.Count - 1; i >= 0; i--)
        {
            // What the output does not depend on (a transpose undone by the next one) is left out.
            var node = _nodes[i];
            if (!node.Outputs.Any(needed.Contains))
                continue;
            kept.Add(node);
            needed.UnionWith(node.Inputs.Where(n => n.Length > 0));
        }

        kept.Reverse();
        foreach (var node in kept)
            writer.Message(OnnxFormat.Graph.Node, node.Write);
        writer.String(OnnxFormat.Graph.Name, Name);
        foreach (var initializer in _initializers.Where(i => needed.Contains(i.Name)))
            writer.Message(OnnxFormat.Graph.Initializer, initializer.Write);
        writer.String(OnnxFormat.Graph.DocString, signature.Description);
        writer.Message(OnnxFormat.Graph.Input, w => signature.Input.Write(w));
        writer.Message(OnnxFormat.Graph.Output, w => signature.OutputInfo.Write(w));
    }

    private OnnxValue AddInitializer(string name, OnnxElementType type, long[] dims, byte[] data)
    {
        var record = new InitializerRecord(Fresh(name, separator: '.'), type, dims, data);
        _initializers.Add(record);
        return new OnnxValue(record.Name);
    }

    /// <summary>A name not used yet in the graph: the scope, the hint, and a number where needed.</summary>
    private string Fresh(string hint, char separator = '/')
    {
        var stem = Scope.Length == 0 ? hint : Scope + separator + hint;
        var name = stem;
        for (var n = 1; !_names.Add(name); n++)
            name = $"{stem}_{n}";
        return name;
    }

    private sealed record NodeRecord(string Op, string Name, string[] Inputs, string[] Outputs, OnnxAttribute[] Attributes)
    {
        public void Write(ProtoWriter writer)
        {
            foreach (var input in Inputs)
                writer.String(OnnxFormat.Node.Input, input);
            foreach (var output in Outputs)
                writer.String(OnnxFormat.Node.Output, output);
            writer.String(OnnxFormat.Node.Name, Name);
            writer.String(OnnxFormat.Node.OpType, Op);
            foreach (var attribute in Attributes)
                writer.Message(OnnxFormat.Node.Attribute, attribute.Write);
        }
    }

    private sealed record InitializerRecord(string Name, OnnxElementType Type, long[] Dims, byte[] Data)
    {
        public void Write(ProtoWriter writer)
        {
            foreach (var dim in Dims)
                writer.Int(OnnxFormat.Tensor.Dims, dim);
            writer.Int(OnnxFormat.Tensor.DataType, (int)Type);
            writer.String(OnnxFormat.Tensor.Name, Name);
            writer.Bytes(OnnxFormat.Tensor.RawData, Data);
        }
    }
}

/// <summary>A graph input's or output's name, element type and shape: a fixed size, or a named (dynamic) axis.</summary>
internal sealed record OnnxTensorInfo(string Name, OnnxElementType Type, IReadOnlyList<object>? Shape)
{
    public void Write(ProtoWriter writer)
    {
        writer.String(OnnxFormat.ValueInfo.Name, Name);
        writer.Message(OnnxFormat.ValueInfo.Type, type => type.Message(OnnxFormat.TypeProto.TensorType, tensor =>
        {
            tensor.Int(OnnxFormat.TypeProto.ElementType, (int)Type);
            if (Shape is null)
                return;
            tensor.Message(OnnxFormat.TypeProto.Shape, shape =>
            {
                foreach (var dim in Shape)
                {
                    shape.Message(OnnxFormat.Shape.Dimension, d =>
                    {
                        if (dim is string parameter)
                            d.String(OnnxFormat.Shape.DimensionParameter, parameter);
                        else
                            d.Int(OnnxFormat.Shape.DimensionValue, Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture));
                    });
                }
            });
        }));
    }
}

/// <summary>What the graph takes and gives, and what it says of itself.</summary>
internal sealed record GraphSignature(OnnxTensorInfo Input, OnnxValue Output, OnnxTensorInfo OutputInfo, string Description);

namespace ModelDsl.Runtime.Onnx;

/// <summary>A named attribute of an ONNX node (<c>kernel_shape</c>, <c>perm</c>, <c>activations</c>).</summary>
public sealed class OnnxAttribute
{
    private OnnxAttribute(string name, OnnxAttributeType type, object value)
    {
        Name = name;
        Type = type;
        Value = value;
    }

    public string Name { get; }

    internal OnnxAttributeType Type { get; }

    internal object Value { get; }

    public static OnnxAttribute Int(string name, long value) => new(name, OnnxAttributeType.Int, value);

    public static OnnxAttribute Ints(string name, params long[] values) => new(name, OnnxAttributeType.Ints, values.ToArray());

    public static OnnxAttribute Float(string name, double value) => new(name, OnnxAttributeType.Float, (float)value);

    public static OnnxAttribute Floats(string name, params float[] values) => new(name, OnnxAttributeType.Floats, values.ToArray());

    public static OnnxAttribute String(string name, string value) => new(name, OnnxAttributeType.String, value);

    public static OnnxAttribute Strings(string name, params string[] values) => new(name, OnnxAttributeType.Strings, values.ToArray());

    internal void Write(ProtoWriter writer)
    {
        writer.String(OnnxFormat.Attribute.Name, Name);
        writer.Int(OnnxFormat.Attribute.Type, (int)Type);
        switch (Value)
        {
            case long value:
                writer.Int(OnnxFormat.Attribute.Int, value);
                break;
            case long[] values:
                foreach (var value in values)
                    writer.Int(OnnxFormat.Attribute.Ints, value);
                break;
            case float value:
                writer.Float(OnnxFormat.Attribute.Float, value);
                break;
            case float[] values:
                foreach (var value in values)
                    writer.Float(OnnxFormat.Attribute.Floats, value);
                break;
            case string value:
                writer.String(OnnxFormat.Attribute.String, value);
                break;
            case string[] values:
                foreach (var value in values)
                    writer.String(OnnxFormat.Attribute.Strings, value);
                break;
        }
    }
}

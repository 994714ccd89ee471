namespace ModelDsl.Runtime.Onnx;

/// <summary>
/// The ONNX file format's numbers this exporter writes: the field numbers of the messages in ONNX's IR specification
/// (onnx.proto), its element types and attribute types, and the IR and operator-set versions targeted.
/// </summary>
internal static class OnnxFormat
{
    /// <summary>
    /// ONNX operator set 17 (ONNX 1.12, 2022): the first with LayerNormalization as one op, and old enough that every
    /// ONNX Runtime since 1.12, ONNX Runtime Web and Mobile, and the other major runtimes load it.
    /// </summary>
    public const int Opset = 17;

    /// <summary>IR version 8 goes with operator set 17.</summary>
    public const int IrVersion = 8;

    public const string Producer = "ModelDsl";

    public static class Model
    {
        public const int IrVersion = 1;
        public const int ProducerName = 2;
        public const int ProducerVersion = 3;
        public const int DocString = 6;
        public const int Graph = 7;
        public const int OpsetImport = 8;
    }

    public static class OperatorSet
    {
        public const int Domain = 1;
        public const int Version = 2;
    }

    public static class Graph
    {
        public const int Node = 1;
        public const int Name = 2;
        public const int Initializer = 5;
        public const int DocString = 10;
        public const int Input = 11;
        public const int Output = 12;
    }

    public static class Node
    {
        public const int Input = 1;
        public const int Output = 2;
        public const int Name = 3;
        public const int OpType = 4;
        public const int Attribute = 5;
    }

    public static class Attribute
    {
        public const int Name = 1;
        public const int Float = 2;
        public const int Int = 3;
        public const int String = 4;
        public const int Floats = 7;
        public const int Ints = 8;
        public const int Strings = 9;
        public const int Type = 20;
    }

    public static class Tensor
    {
        public const int Dims = 1;
        public const int DataType = 2;
        public const int Name = 8;
        public const int RawData = 9;
    }

    public static class ValueInfo
    {
        public const int Name = 1;
        public const int Type = 2;
    }

    public static class TypeProto
    {
        public const int TensorType = 1;
        public const int ElementType = 1;
        public const int Shape = 2;
    }

    public static class Shape
    {
        public const int Dimension = 1;
        public const int DimensionValue = 1;
        public const int DimensionParameter = 2;
    }
}

/// <summary>ONNX's element types (TensorProto.DataType) that the exporter writes.</summary>
public enum OnnxElementType
{
    Float = 1,
    Int64 = 7,
}

/// <summary>ONNX's attribute types (AttributeProto.AttributeType) that the exporter writes.</summary>
internal enum OnnxAttributeType
{
    Float = 1,
    Int = 2,
    String = 3,
    Floats = 6,
    Ints = 7,
    Strings = 8,
}

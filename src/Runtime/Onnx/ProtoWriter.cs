using System.Buffers.Binary;
using System.Text;

namespace ModelDsl.Runtime.Onnx;

/// <summary>
/// The protocol-buffers wire format, as much of it as an ONNX file needs: varints, 32-bit floats and length-delimited
/// fields (strings, bytes, nested messages). Written by hand so that the runtime needs no protobuf package.
/// </summary>
internal sealed class ProtoWriter
{
    private enum WireType
    {
        Varint = 0,
        LengthDelimited = 2,
        Fixed32 = 5,
    }

    private readonly MemoryStream _buffer = new();

    public void Int(int field, long value)
    {
        Tag(field, WireType.Varint);
        Varint(unchecked((ulong)value));
    }

    public void Float(int field, float value)
    {
        Tag(field, WireType.Fixed32);
        Span<byte> bytes = stackalloc byte[sizeof(float)];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _buffer.Write(bytes);
    }

    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, WireType.LengthDelimited);
        Varint((ulong)value.Length);
        _buffer.Write(value);
    }

    /// <summary>A nested message: written into a buffer of its own first, since its length comes before it.</summary>
    public void Message(int field, Action<ProtoWriter> write)
    {
        var inner = new ProtoWriter();
        write(inner);
        Tag(field, WireType.LengthDelimited);
        Varint((ulong)inner._buffer.Length);
        inner._buffer.Position = 0;
        inner._buffer.CopyTo(_buffer);
    }

    public void CopyTo(Stream stream)
    {
        _buffer.Position = 0;
        _buffer.CopyTo(stream);
    }

    private void Tag(int field, WireType type) => Varint(((ulong)field << 3) | (ulong)type);

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        _buffer.WriteByte((byte)value);
    }
}

namespace ModelDsl.Runtime.Data;

/// <summary>
/// Reads single samples from where they live (files on disk) into caller-owned buffers: what a
/// <see cref="StreamingDataset"/> reads its batches through. <see cref="ReadSample"/> is called from a background
/// thread, one call at a time per reader; it must not touch libtorch.
/// </summary>
public abstract class SampleReader
{
    /// <summary>How many samples there are.</summary>
    public abstract long Count { get; }

    /// <summary>The shape and element type of one input sample.</summary>
    public abstract long[] InputShape { get; }
    public abstract ScalarType InputType { get; }

    /// <summary>The shape (empty for a scalar) and element type of one target.</summary>
    public abstract long[] TargetShape { get; }
    public abstract ScalarType TargetType { get; }

    /// <summary>Writes sample <paramref name="index"/>'s input and target as raw little-endian values.</summary>
    public abstract void ReadSample(long index, Span<byte> input, Span<byte> target);
}

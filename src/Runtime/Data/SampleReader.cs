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

    /// <summary>
    /// Sample <paramref name="index"/>'s class index when the reader holds it without reading the sample (an image's
    /// class folder, a CSV's categorical label), so that labels a model cannot hold are found before training; null
    /// when labels are only known once read (they are then checked in each batch as it is read).
    /// </summary>
    public virtual long? ClassIndex(long index) => null;

    /// <summary>
    /// The error for sample <paramref name="index"/>'s <paramref name="label"/>, which is not <paramref name="expected"/>:
    /// named where the sample is (its file, and the row or image), with the label as the file has it.
    /// </summary>
    public virtual DataFileException LabelError(long index, double label, string expected) =>
        new(GetType().Name, $"sample {index}", $"label {FormatLabel(label)}", expected);

    /// <summary>A label as messages print it: integers without a decimal point, the rest to float32's precision.</summary>
    protected static string FormatLabel(double label) => label.ToString("G9", System.Globalization.CultureInfo.InvariantCulture);
}

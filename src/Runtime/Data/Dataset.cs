namespace ModelDsl.Runtime.Data;

/// <summary>
/// Inputs and targets whose first axis is the sample (inputs uint8, float32 or int64): TorchSharp tensors. The dataset
/// owns both (they leave any dispose scope) and disposes them with itself; the slices it hands out are views that share the
/// data and stay valid on their own.
/// </summary>
public sealed partial class Dataset : IBatchSource, IDisposable
{
    public Dataset(Tensor inputs, Tensor targets)
    {
        long inputCount = inputs.size(0), targetCount = targets.size(0);
        if (inputCount != targetCount)
            throw new ArgumentException($"a dataset needs as many targets as inputs: {inputCount} inputs, {targetCount} targets", nameof(targets));
        Inputs = inputs.DetachFromDisposeScope();
        Targets = targets.DetachFromDisposeScope();
        Count = inputCount;
    }

    public Tensor Inputs { get; }
    public Tensor Targets { get; }
    public long Count { get; }
    /// <summary>The shape of one input sample (the inputs' shape without the first axis).</summary>
    public long[] SampleShape => Inputs.shape[1..];

    /// <summary>The first <paramref name="count"/> samples (all of them when there are fewer).</summary>
    public Dataset Take(long count) => Slice(0, Math.Min(Math.Max(count, 0), Count));

    /// <summary>Every sample after the first <paramref name="count"/>.</summary>
    public Dataset Skip(long count)
    {
        long start = Math.Min(Math.Max(count, 0), Count);
        return Slice(start, Count - start);
    }

    /// <summary>Samples <paramref name="start"/> .. <paramref name="start"/> + <paramref name="length"/> - 1, as views.</summary>
    public Dataset Slice(long start, long length)
    {
        if (start < 0 || length < 0 || start + length > Count)
            throw new ArgumentOutOfRangeException(nameof(length), $"samples {start}..{start + length} are outside a dataset of {Count}");
        return new Dataset(Inputs.narrow(0, start, length), Targets.narrow(0, start, length));
    }

    /// <summary>The samples at <paramref name="indices"/> (int64, on this dataset's device), in that order: copies.</summary>
    public Dataset Select(Tensor indices) => new(Inputs.index_select(0, indices), Targets.index_select(0, indices));

    /// <summary>
    /// Keras' <c>validation_split</c>: the last <paramref name="fraction"/> of the samples, taken before any shuffling,
    /// becomes the validation set.
    /// </summary>
    public (Dataset Train, Dataset Validation) SplitLast(double fraction)
    {
        if (fraction is <= 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "a validation split is a fraction between 0 and 1");
        long trainCount = (long)Math.Floor(Count * (1 - fraction));
        if (trainCount == 0 || trainCount == Count)
            throw new ArgumentException($"a validation split of {fraction} leaves an empty set from {Count} samples", nameof(fraction));
        return (Take(trainCount), Skip(trainCount));
    }

    /// <summary>How many batches of <paramref name="batchSize"/> cover the data: the last one may be partial, never dropped.</summary>
    public int BatchCount(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return checked((int)((Count + batchSize - 1) / batchSize));
    }

    /// <summary>
    /// Batch <paramref name="index"/> of <paramref name="batchSize"/> samples, in <paramref name="order"/> (a permutation,
    /// int64, on this dataset's device) when given, else in storage order. The tensors join the current dispose scope.
    /// </summary>
    public (Tensor Inputs, Tensor Targets) Batch(int index, int batchSize, Tensor? order = null)
    {
        long start = (long)index * batchSize;
        if (index < 0 || start >= Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"a dataset of {Count} has {BatchCount(batchSize)} batches of {batchSize}");
        long length = Math.Min(batchSize, Count - start);
        if (order is null)
            return (Inputs.narrow(0, start, length), Targets.narrow(0, start, length));
        using var indices = order.narrow(0, start, length);
        return (Inputs.index_select(0, indices), Targets.index_select(0, indices));
    }

    /// <summary>This dataset on <paramref name="device"/>: itself when already there (no copy), else a copy.</summary>
    public Dataset To(Device device) =>
        Inputs.device.SameAs(device) && Targets.device.SameAs(device) ? this : new Dataset(Inputs.to(device), Targets.to(device));

    public void Dispose()
    {
        Inputs.Dispose();
        Targets.Dispose();
    }

    public override string ToString() =>
        $"Dataset({Count} samples, inputs {Inputs.dtype} [{string.Join(", ", Inputs.shape)}], targets {Targets.dtype} [{string.Join(", ", Targets.shape)}])";
}

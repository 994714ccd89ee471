namespace ModelDsl.Runtime.Data;

/// <summary>
/// What training reads batches from: a <see cref="Dataset"/> held in memory, or a <see cref="StreamingDataset"/> that
/// reads each batch from disk when it is asked for.
/// </summary>
public interface IBatchSource
{
    /// <summary>How many samples there are.</summary>
    long Count { get; }

    /// <summary>The shape of one input sample (without the batch axis).</summary>
    long[] SampleShape { get; }

    /// <summary>How many batches of <paramref name="batchSize"/> cover the data: the last one may be partial, never dropped.</summary>
    int BatchCount(int batchSize);

    /// <summary>
    /// Batch <paramref name="index"/> of <paramref name="batchSize"/> samples, in <paramref name="order"/> (a permutation of
    /// the sample indices, int64) when given, else in storage order. The tensors join the current dispose scope.
    /// </summary>
    (Tensor Inputs, Tensor Targets) Batch(int index, int batchSize, Tensor? order = null);
}

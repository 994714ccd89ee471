namespace ModelDsl.Runtime.Data;

/// <summary>
/// Keras' <c>timeseries_dataset_from_array</c>: sliding windows over a series whose first axis is time. Window i starts at
/// step <c>startIndex + i * sequenceStride</c> and holds <paramref name="sequenceLength"/> steps taken every
/// <c>samplingRate</c>; its target is <c>targets[startIndex + i * sequenceStride]</c>, the target of the step the window
/// starts at (so forecasting the step after a window passes <c>targets = data[sequenceLength..]</c>).
/// </summary>
public static class TimeSeries
{
    /// <summary>Windows of <paramref name="data"/> (any .NET array, time first) with their targets; see <see cref="TimeSeries"/>.</summary>
    public static Dataset FromArray(Array data, Array targets, int sequenceLength, int sequenceStride = 1, int samplingRate = 1,
        bool shuffle = false, int? seed = null, int? startIndex = null, int? endIndex = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(targets);
        using var scope = NewDisposeScope();
        return FromTensor(ArrayTensor.From(data, nameof(data)), ArrayTensor.From(targets, nameof(targets)),
            sequenceLength, sequenceStride, samplingRate, shuffle, seed, startIndex, endIndex);
    }

    /// <summary>The same on tensors (left as they are; the windows are copies).</summary>
    public static Dataset FromTensor(Tensor data, Tensor targets, int sequenceLength, int sequenceStride = 1, int samplingRate = 1,
        bool shuffle = false, int? seed = null, int? startIndex = null, int? endIndex = null)
    {
        using var scope = NewDisposeScope();
        var starts = Starts(data, targets.size(0), sequenceLength, sequenceStride, samplingRate, shuffle, seed, startIndex, endIndex);
        var windows = Windows(data, starts, sequenceLength, samplingRate);
        using var positions = tensor(starts, device: targets.device);
        return new Dataset(windows, targets.index_select(0, positions));
    }

    /// <summary>Keras' <c>targets=None</c>: only the windows, (windows, sequenceLength, features...).</summary>
    public static Tensor Windows(Tensor data, int sequenceLength, int sequenceStride = 1, int samplingRate = 1,
        int? startIndex = null, int? endIndex = null)
    {
        var starts = Starts(data, null, sequenceLength, sequenceStride, samplingRate, false, null, startIndex, endIndex);
        return Windows(data, starts, sequenceLength, samplingRate);
    }

    private static Tensor Windows(Tensor data, long[] starts, int sequenceLength, int samplingRate)
    {
        using var scope = NewDisposeScope();
        var steps = new long[starts.Length * (long)sequenceLength];
        for (long w = 0; w < starts.Length; w++)
        {
            for (int k = 0; k < sequenceLength; k++)
                steps[w * sequenceLength + k] = starts[w] + (long)k * samplingRate;
        }
        var gathered = data.index_select(0, tensor(steps, device: data.device));
        return gathered.reshape([starts.Length, sequenceLength, .. data.shape[1..]]).MoveToOuterDisposeScope();
    }

    /// <summary>The absolute start step of every window, in order (or shuffled with <paramref name="seed"/>).</summary>
    private static long[] Starts(Tensor data, long? targetCount, int sequenceLength, int sequenceStride, int samplingRate,
        bool shuffle, int? seed, int? startIndex, int? endIndex)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceStride, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(samplingRate, 1);
        if (data.dim() == 0)
            throw new ArgumentException("a time series needs time as its first axis, not a single value", nameof(data));
        long length = data.size(0);
        long start = startIndex ?? 0;
        long end = endIndex ?? length;
        if (start < 0 || start >= length)
            throw new ArgumentOutOfRangeException(nameof(startIndex), startIndex, $"start_index must be within the series' {length} steps");
        if (end <= start || end > length)
            throw new ArgumentOutOfRangeException(nameof(endIndex), endIndex, $"end_index must be after start_index ({start}) and at most {length}");
        long count = end - start - (long)(sequenceLength - 1) * samplingRate;
        if (targetCount is long targets)
            count = Math.Min(count, targets - start);
        if (count <= 0)
            throw new ArgumentException(
                $"steps {start}..{end - 1} of the series hold no window of {sequenceLength} steps sampled every {samplingRate}" +
                (targetCount is null ? "" : $" with a target among the {targetCount} targets"), nameof(sequenceLength));
        var starts = new long[(count + sequenceStride - 1) / sequenceStride];
        for (long i = 0; i < starts.Length; i++)
            starts[i] = start + i * sequenceStride;
        if (shuffle)
            (seed is int value ? new Random(value) : new Random()).Shuffle(starts);
        return starts;
    }
}

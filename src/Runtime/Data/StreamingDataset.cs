using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using ModelDsl.Runtime.Losses;

namespace ModelDsl.Runtime.Data;

/// <summary>
/// A dataset read batch by batch from a <see cref="SampleReader"/> (an image folder, files too large for memory), never
/// whole: shuffling permutes sample indices, and a background thread reads up to <see cref="PrefetchBatches"/> batches
/// ahead into a fixed set of reused buffers, so memory stays flat however large the data. The batches are the ones a
/// <see cref="Dataset"/> holding the same samples gives for the same order, so training on either gives the same result.
/// </summary>
public sealed class StreamingDataset : IBatchSource, IDisposable
{
    /// <summary>Batches read ahead by default: enough to hide one slow read, few enough to keep memory small.</summary>
    public const int DefaultPrefetchBatches = 2;

    private readonly SampleReader _reader;
    private readonly long _offset;
    private readonly int _inputBytes;
    private readonly int _targetBytes;
    private readonly ConcurrentBag<Buffers> _free = [];
    private Prefetcher? _prefetcher;
    private Tensor? _lastOrder;
    private long[]? _lastOrderArray;
    private TargetRule? _rule;

    /// <param name="reader">Where the samples come from.</param>
    /// <param name="prefetchBatches">Batches read ahead on the background thread (0: read on the caller's thread).</param>
    public StreamingDataset(SampleReader reader, int prefetchBatches = DefaultPrefetchBatches)
        : this(reader, 0, reader.Count, prefetchBatches)
    {
    }

    private StreamingDataset(SampleReader reader, long offset, long count, int prefetchBatches)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfNegative(prefetchBatches);
        _reader = reader;
        _offset = offset;
        Count = count;
        PrefetchBatches = prefetchBatches;
        _inputBytes = checked((int)(reader.InputShape.Aggregate(1L, (a, b) => a * b) * reader.InputType.ElementSize()));
        _targetBytes = checked((int)(reader.TargetShape.Aggregate(1L, (a, b) => a * b) * reader.TargetType.ElementSize()));
    }

    public long Count { get; }
    public long[] SampleShape => _reader.InputShape;

    /// <summary>The element type of the input samples (uint8 pixels, float32 CSV features).</summary>
    public ScalarType InputType => _reader.InputType;
    public int PrefetchBatches { get; }

    /// <summary>Where batches are put; the CPU unless training moves them (the model's device).</summary>
    public Device Device { get; set; } = CPU;

    /// <summary>Keras' <c>validation_split</c>: the last <paramref name="fraction"/> of the samples, as a second stream.</summary>
    public (StreamingDataset Train, StreamingDataset Validation) SplitLast(double fraction)
    {
        if (fraction is <= 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "a validation split is a fraction between 0 and 1");
        long trainCount = (long)Math.Floor(Count * (1 - fraction));
        if (trainCount == 0 || trainCount == Count)
            throw new ArgumentException($"a validation split of {fraction} leaves an empty set from {Count} samples", nameof(fraction));
        return (new StreamingDataset(_reader, _offset, trainCount, PrefetchBatches) { Device = Device, _rule = _rule },
            new StreamingDataset(_reader, _offset + trainCount, Count - trainCount, PrefetchBatches) { Device = Device, _rule = _rule });
    }

    /// <summary>
    /// Rejects labels that <paramref name="model"/>, whose output is <paramref name="outputWidth"/> wide, cannot hold
    /// under <paramref name="loss"/>, as <c>SequentialModel.CheckTargets</c> does for a <see cref="Dataset"/>: a class
    /// index outside 0..width-1 or not whole (sparse categorical crossentropy), a binary target outside 0..1, one-hot
    /// targets of another width. The labels the reader holds (<see cref="SampleReader.ClassIndex"/>: an image folder's
    /// classes, a CSV's categories) are checked now, before training; every batch read from here on is checked as it is
    /// read, before it is trained on. The error names the file, the row or image, the label and what was expected.
    /// </summary>
    public void CheckTargets(LossKind loss, long outputWidth, string model)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outputWidth, 1);
        var rule = new TargetRule(loss, outputWidth, model);
        if (loss is LossKind.SparseCategoricalCrossentropy or LossKind.BinaryCrossentropy && !TargetRule.Reads(_reader.TargetType))
            throw new ArgumentException($"{model}'s {loss} needs numeric targets, not {_reader.TargetType}", nameof(loss));
        if (loss is LossKind.SparseCategoricalCrossentropy or LossKind.CategoricalCrossentropy)
        {
            var classes = loss == LossKind.CategoricalCrossentropy ? rule with { Loss = LossKind.SparseCategoricalCrossentropy } : rule;
            for (long i = 0; i < Count && _reader.ClassIndex(_offset + i) is long label; i++)
            {
                if (classes.Violation(label) is string expected)
                    throw _reader.LabelError(_offset + i, label, expected);
            }
        }
        if (loss == LossKind.CategoricalCrossentropy && _reader.TargetShape is [.., var columns] && columns != outputWidth)
            throw new ArgumentException(
                $"{model} outputs {outputWidth} classes, but the stream's one-hot targets have {columns} columns", nameof(outputWidth));
        // Batches read ahead before this call were not checked: the next pass reads them again.
        _prefetcher?.Dispose();
        _prefetcher = null;
        _rule = loss is LossKind.SparseCategoricalCrossentropy or LossKind.BinaryCrossentropy ? rule : null;
    }

    public int BatchCount(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return checked((int)((Count + batchSize - 1) / batchSize));
    }

    /// <summary>
    /// Batch <paramref name="index"/>: the samples at <paramref name="order"/>[index * batchSize ..] (storage order when
    /// null). Asking for the batches in sequence lets the background thread read ahead; any other index is read directly.
    /// </summary>
    public (Tensor Inputs, Tensor Targets) Batch(int index, int batchSize, Tensor? order = null)
    {
        long start = (long)index * batchSize;
        if (index < 0 || start >= Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"a dataset of {Count} has {BatchCount(batchSize)} batches of {batchSize}");
        Buffers filled;
        if (PrefetchBatches == 0)
        {
            filled = Rent(batchSize);
            Fill(filled, Indices(index, batchSize, OrderArray(order)));
        }
        else
        {
            if (_prefetcher is null || !_prefetcher.Serves(order, batchSize, index))
            {
                _prefetcher?.Dispose();
                _prefetcher = new Prefetcher(this, order, OrderArray(order), batchSize, index);
            }
            filled = _prefetcher.Take(index);
        }
        try
        {
            return ToTensors(filled);
        }
        finally
        {
            _free.Add(filled);
        }
    }

    /// <summary>Stops the background thread (a new pass starts another).</summary>
    public void Dispose()
    {
        _prefetcher?.Dispose();
        _prefetcher = null;
    }

    /// <summary>The order's indices on the host, read once per order tensor (once per epoch), not once per batch.</summary>
    private long[]? OrderArray(Tensor? order)
    {
        if (order is null)
            return null;
        if (ReferenceEquals(order, _lastOrder))
            return _lastOrderArray;
        if (order.numel() != Count)
            throw new ArgumentException($"an order of {order.numel()} indices does not permute {Count} samples", nameof(order));
        using var cpu = order.to(ScalarType.Int64, CPU);
        _lastOrder = order;
        _lastOrderArray = cpu.data<long>().ToArray();
        return _lastOrderArray;
    }

    private long[] Indices(int index, int batchSize, long[]? orderArray)
    {
        long start = (long)index * batchSize;
        int length = (int)Math.Min(batchSize, Count - start);
        var indices = new long[length];
        for (int i = 0; i < length; i++)
            indices[i] = _offset + (orderArray is null ? start + i : orderArray[start + i]);
        return indices;
    }

    private sealed class Buffers(int capacity, int inputBytes, int targetBytes)
    {
        public readonly byte[] Inputs = new byte[(long)capacity * inputBytes];
        public readonly byte[] Targets = new byte[(long)capacity * targetBytes];
        public int Capacity { get; } = capacity;
        public int Length;
        public ExceptionDispatchInfo? Error;
    }

    private Buffers Rent(int batchSize)
    {
        while (_free.TryTake(out var buffers))
        {
            if (buffers.Capacity == batchSize)
            {
                buffers.Error = null;
                return buffers;
            }
        }
        return new Buffers(batchSize, _inputBytes, _targetBytes);
    }

    private void Fill(Buffers buffers, long[] indices)
    {
        buffers.Length = indices.Length;
        for (int i = 0; i < indices.Length; i++)
        {
            var target = buffers.Targets.AsSpan(i * _targetBytes, _targetBytes);
            _reader.ReadSample(indices[i], buffers.Inputs.AsSpan(i * _inputBytes, _inputBytes), target);
            _rule?.Check(_reader, indices[i], target);
        }
    }

    /// <summary>What a loss needs of each target value, given the model's output width.</summary>
    private sealed record TargetRule(LossKind Loss, long Classes, string Model)
    {
        /// <summary>What <paramref name="value"/> should have been, or null when it is fine.</summary>
        public string? Violation(double value) => Loss switch
        {
            LossKind.SparseCategoricalCrossentropy when value != Math.Floor(value) =>
                $"a whole class index (sparse categorical labels are integers 0..{Classes - 1})",
            LossKind.SparseCategoricalCrossentropy when value < 0 || value >= Classes =>
                $"a class index 0..{Classes - 1}: {Model}'s output has {Classes} classes",
            LossKind.BinaryCrossentropy when value is < 0 or > 1 => "a binary crossentropy target between 0 and 1",
            _ => null,
        };

        /// <summary>Checks every value of one sample's raw target.</summary>
        public void Check(SampleReader reader, long index, ReadOnlySpan<byte> target)
        {
            var type = reader.TargetType;
            int count = target.Length / type.ElementSize();
            for (int i = 0; i < count; i++)
            {
                double value = Value(target, type, i);
                if (Violation(value) is string expected)
                    throw reader.LabelError(index, value, expected);
            }
        }

        public static bool Reads(ScalarType type) => type is ScalarType.Byte or ScalarType.Int8 or ScalarType.Int16 or ScalarType.Int32
            or ScalarType.Int64 or ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64 or ScalarType.Bool;

        private static double Value(ReadOnlySpan<byte> raw, ScalarType type, int i) => type switch
        {
            ScalarType.Byte => raw[i],
            ScalarType.Bool => raw[i] != 0 ? 1 : 0,
            ScalarType.Int8 => (sbyte)raw[i],
            ScalarType.Int16 => MemoryMarshal.Cast<byte, short>(raw)[i],
            ScalarType.Int32 => MemoryMarshal.Cast<byte, int>(raw)[i],
            ScalarType.Int64 => MemoryMarshal.Cast<byte, long>(raw)[i],
            ScalarType.Float16 => (double)MemoryMarshal.Cast<byte, Half>(raw)[i],
            // bfloat16 is the upper half of a float32.
            ScalarType.BFloat16 => BitConverter.Int32BitsToSingle(MemoryMarshal.Cast<byte, ushort>(raw)[i] << 16),
            ScalarType.Float32 => MemoryMarshal.Cast<byte, float>(raw)[i],
            _ => MemoryMarshal.Cast<byte, double>(raw)[i],
        };
    }

    private (Tensor Inputs, Tensor Targets) ToTensors(Buffers buffers)
    {
        buffers.Error?.Throw();
        var inputs = empty([buffers.Length, .. _reader.InputShape], _reader.InputType);
        inputs.bytes = buffers.Inputs.AsSpan(0, buffers.Length * _inputBytes);
        var targets = empty([buffers.Length, .. _reader.TargetShape], _reader.TargetType);
        targets.bytes = buffers.Targets.AsSpan(0, buffers.Length * _targetBytes);
        if (Device.type == DeviceType.CPU)
            return (inputs, targets);
        return (inputs.to(Device), targets.to(Device));
    }

    /// <summary>Reads one pass's batches, from a start index on, into a bounded queue on its own thread.</summary>
    private sealed class Prefetcher : IDisposable
    {
        private readonly StreamingDataset _owner;
        private readonly Tensor? _order;
        private readonly int _batchSize;
        private readonly BlockingCollection<Buffers> _ready;
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;
        private int _next;

        public Prefetcher(StreamingDataset owner, Tensor? order, long[]? orderArray, int batchSize, int start)
        {
            _owner = owner;
            _order = order;
            _batchSize = batchSize;
            _next = start;
            _ready = new BlockingCollection<Buffers>(owner.PrefetchBatches);
            _thread = new Thread(() => Run(orderArray, start)) { IsBackground = true, Name = "StreamingDataset prefetch" };
            _thread.Start();
        }

        /// <summary>Whether this pass is the one asked for: the same order tensor and batch size, at the next batch.</summary>
        public bool Serves(Tensor? order, int batchSize, int index) =>
            ReferenceEquals(order, _order) && batchSize == _batchSize && index == _next;

        public Buffers Take(int index)
        {
            _next = index + 1;
            if (_ready.TryTake(out var buffers, Timeout.Infinite))
                return buffers;
            throw new InvalidOperationException($"batch {index} was not read: an earlier batch of this pass failed");
        }

        private void Run(long[]? orderArray, int start)
        {
            int batches = _owner.BatchCount(_batchSize);
            try
            {
                for (int index = start; index < batches && !_stop.IsCancellationRequested; index++)
                {
                    var buffers = _owner.Rent(_batchSize);
                    try
                    {
                        _owner.Fill(buffers, _owner.Indices(index, _batchSize, orderArray));
                    }
                    catch (Exception e)
                    {
                        // Handed to the training thread with the batch, so the error surfaces where the batch is used.
                        buffers.Error = ExceptionDispatchInfo.Capture(e);
                        _ready.Add(buffers, _stop.Token);
                        return;
                    }
                    _ready.Add(buffers, _stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // Disposed mid-pass: the remaining batches are not wanted.
            }
            finally
            {
                _ready.CompleteAdding();
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _thread.Join();
            foreach (var buffers in _ready)
                _owner._free.Add(buffers);
            _ready.Dispose();
            _stop.Dispose();
        }
    }
}

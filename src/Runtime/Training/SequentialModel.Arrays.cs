using System.Globalization;
using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Losses;

namespace ModelDsl.Runtime.Training;

public abstract partial class SequentialModel
{
    /// <summary>
    /// Keras' <c>fit(x, y)</c> on arrays: <paramref name="x"/> and <paramref name="y"/> as
    /// <see cref="Dataset.FromArrays"/> takes them (any rank, rectangular or jagged; int/long class indices).
    /// </summary>
    public History Fit(Array x, Array y, FitOptions options)
    {
        using var data = Dataset.FromArrays(x, y);
        return Fit(data, options);
    }

    /// <summary>Keras' <c>evaluate(x, y)</c> on arrays.</summary>
    public EvaluationResult Evaluate(Array x, Array y, int batchSize = 32)
    {
        using var data = Dataset.FromArrays(x, y);
        CheckTargets(data);
        return Evaluate(data, batchSize);
    }

    /// <summary>Keras' <c>predict(x)</c> on an array of any rank: the outputs, float32 on the CPU.</summary>
    public Tensor Predict(Array x, int batchSize = 32)
    {
        using var inputs = ArrayTensor.From(x, nameof(x));
        return Predict(inputs, batchSize);
    }

    /// <summary>
    /// Keras' <c>fit</c> on data read batch by batch from disk: the same loop, order and seeds as
    /// <see cref="Fit(Dataset, FitOptions)"/>, so a stream and a <see cref="Dataset"/> holding the same samples train to the
    /// same weights. Validation comes from <paramref name="validation"/>, else <see cref="FitOptions.ValidationData"/>,
    /// else <see cref="FitOptions.ValidationSplit"/> (the stream's last samples).
    /// </summary>
    public History Fit(StreamingDataset train, FitOptions options, StreamingDataset? validation = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Epochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        if (options.Resume && options.CheckpointDirectory is null)
            throw new ArgumentException("Resume needs a CheckpointDirectory to resume from", nameof(options));
        CheckSampleShape(train.SampleShape, nameof(train));
        var log = options.Log ?? Console.Out;
        bool quiet = options.Verbose == Verbosity.Silent;
        bool live = options.Verbose == Verbosity.ProgressBar
                    || options.Verbose == Verbosity.Auto && options.Log is null && !Console.IsOutputRedirected;

        var (trainPart, splitPart) = validation is null && options.ValidationData is null && options.ValidationSplit > 0
            ? train.SplitLast(options.ValidationSplit)
            : (train, null);
        Dataset? given = null;
        try
        {
            IBatchSource? validationPart = validation ?? (IBatchSource?)splitPart;
            if (validationPart is null && options.ValidationData is { } inMemory)
            {
                CheckInputShape(inMemory.Inputs);
                given = inMemory.To(Device);
                validationPart = given;
            }
            else if (validationPart is StreamingDataset streamed)
            {
                CheckSampleShape(streamed.SampleShape, nameof(validation));
                CheckTargets(streamed);
                streamed.Device = Device;
            }
            CheckTargets(trainPart);
            trainPart.Device = Device;
            return Run(trainPart, validationPart, options, log, quiet, live);
        }
        finally
        {
            if (!ReferenceEquals(trainPart, train))
                trainPart.Dispose();
            splitPart?.Dispose();
            if (given is not null && !ReferenceEquals(given, options.ValidationData))
                given.Dispose();
            train.Dispose();
            validation?.Dispose();
        }
    }

    /// <summary>Keras' <c>evaluate</c> on data read batch by batch.</summary>
    public EvaluationResult Evaluate(StreamingDataset data, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        CheckSampleShape(data.SampleShape, nameof(data));
        CheckTargets(data);
        data.Device = Device;
        var wasTraining = training;
        eval();
        try
        {
            using var averages = Measure(data, batchSize);
            return new EvaluationResult(averages.Read().ToDictionary());
        }
        finally
        {
            data.Dispose();
            train(wasTraining);
        }
    }

    private void CheckSampleShape(long[] sample, string parameter)
    {
        if (Fits(sample, Config.InputShape))
            return;
        throw new ArgumentException(
            $"{Config.Name} expects input (batch, {Axes(Config.InputShape)}) but the data's samples are {Text(sample)}", parameter);
    }

    /// <summary>
    /// Rejects targets the model's output cannot hold before training starts, naming the first offending sample: a class
    /// index outside the output's classes (sparse categorical crossentropy), a fractional or non-integer class label,
    /// a binary target outside 0..1, or a one-hot target whose width is not the output's.
    /// </summary>
    public void CheckTargets(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
            return;
        switch (Config.Loss.Kind)
        {
            case LossKind.SparseCategoricalCrossentropy:
                CheckClassIndices(data.Targets, OutputWidth(data.Inputs));
                break;
            case LossKind.CategoricalCrossentropy:
                long width = OutputWidth(data.Inputs);
                if (data.Targets.size(-1) != width)
                    throw new ArgumentException(
                        $"{Config.Name} outputs {width} classes, but its one-hot targets have {data.Targets.size(-1)} columns " +
                        $"(targets {Text(data.Targets.shape)})", nameof(data));
                break;
            case LossKind.BinaryCrossentropy:
                using (var outside = data.Targets.lt(0).logical_or_(data.Targets.gt(1)))
                    ThrowAtFirst(outside, data.Targets, "a binary crossentropy target between 0 and 1");
                break;
        }
    }

    /// <summary>
    /// Rejects a stream's labels the model's output cannot hold, as <see cref="CheckTargets(Dataset)"/> does: up front
    /// for the labels the stream holds (an image folder's classes), else in each batch as it is read.
    /// </summary>
    public void CheckTargets(StreamingDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var sample = zeros([1, .. data.SampleShape], data.InputType);
        data.CheckTargets(Config.Loss.Kind, OutputWidth(sample), Config.Name);
    }

    private void CheckClassIndices(Tensor targets, long classes)
    {
        using var scope = NewDisposeScope();
        if (targets.is_floating_point())
            ThrowAtFirst(targets.frac().ne(0), targets, $"a whole class index (sparse categorical labels are integers 0..{classes - 1})");
        else if (targets.dtype is not (ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte))
            throw new ArgumentException($"sparse categorical targets must be class indices (int64), not {targets.dtype}", nameof(targets));
        ThrowAtFirst(targets.lt(0).logical_or_(targets.ge(classes)), targets,
            $"a class index 0..{classes - 1}: {Config.Name}'s output has {classes} classes");
    }

    /// <summary>Throws naming the first sample where <paramref name="bad"/> holds, with its target and what was expected.</summary>
    private static void ThrowAtFirst(Tensor bad, Tensor targets, string expected)
    {
        using var scope = NewDisposeScope();
        using var any = bad.any();
        if (!any.item<bool>())
            return;
        var flatBad = bad.reshape(-1);
        long position = flatBad.nonzero()[0, 0].item<long>();
        long perSample = targets.dim() <= 1 ? 1 : targets.numel() / targets.size(0);
        long sample = position / perSample;
        var value = targets.reshape(-1)[position].to(ScalarType.Float64).item<double>();
        throw new ArgumentException(
            $"target of sample {sample} is {value.ToString("G9", CultureInfo.InvariantCulture)}; expected {expected}", nameof(targets));
    }

    /// <summary>The size of the output's last axis, from one sample run through the model without gradients.</summary>
    private long OutputWidth(Tensor inputs)
    {
        CheckInputShape(inputs);
        var wasTraining = training;
        eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            return ForwardLogits(Preprocess(inputs.narrow(0, 0, 1))).size(-1);
        }
        finally
        {
            train(wasTraining);
        }
    }
}

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
                CheckClassIndices(data.Targets, OutputWidth(data));
                break;
            case LossKind.CategoricalCrossentropy:
                long width = OutputWidth(data);
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
    private long OutputWidth(Dataset data)
    {
        CheckInputShape(data.Inputs);
        var wasTraining = training;
        eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            return ForwardLogits(Preprocess(data.Inputs.narrow(0, 0, 1))).size(-1);
        }
        finally
        {
            train(wasTraining);
        }
    }
}

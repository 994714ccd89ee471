using System.Numerics;
using ModelDsl.Runtime.Data;
using ModelDsl.Runtime.Losses;
using ModelDsl.Runtime.Training;

namespace ModelDsl.Runtime.Report;

/// <summary>
/// A classifier's verdict on every test sample: the true class, the arg-max class, and the probabilities of both.
/// Whether the model is a classifier follows its loss, as Keras' accuracy does.
/// </summary>
internal sealed class Classification
{
    private Classification(int classes, int[] labels, int[] predicted, double[] labelProbability, double[] predictedProbability)
    {
        Classes = classes;
        Labels = labels;
        Predicted = predicted;
        LabelProbability = labelProbability;
        PredictedProbability = predictedProbability;
    }

    public int Classes { get; }
    public int[] Labels { get; }
    public int[] Predicted { get; }
    public double[] LabelProbability { get; }
    public double[] PredictedProbability { get; }

    /// <summary>Predicts <paramref name="test"/>; null, with the reason in <paramref name="note"/>, for a model that does not classify.</summary>
    public static Classification? Of(SequentialModel model, Dataset test, int batchSize, out string? note)
    {
        var loss = model.Config.Loss;
        if (loss.Kind is not (LossKind.SparseCategoricalCrossentropy or LossKind.CategoricalCrossentropy or LossKind.BinaryCrossentropy))
        {
            note = $"the loss is {loss.Name}, not a classification loss";
            return null;
        }

        using var output = model.Predict(test.Inputs, batchSize);
        var shape = output.shape;
        var binary = loss.Kind == LossKind.BinaryCrossentropy;
        var outputs = shape.Length == 1 ? 1 : shape.Length == 2 ? shape[1] : -1;
        if (outputs < 1 || (binary ? outputs != 1 : outputs < 2))
        {
            var text = "(batch" + string.Concat(shape.Skip(1).Select(d => $", {d}")) + ")";
            note = binary
                ? $"the output is {text}: several independent yes/no labels, not one class per sample"
                : $"the output is {text}, not one probability per class";
            return null;
        }

        // Outputs of a loss from logits are logits: the engine's own sigmoid or softmax, in float64, makes them probabilities.
        using var wide = output.to(ScalarType.Float64);
        using var activated = !loss.FromLogits ? wide.alias() : binary ? wide.sigmoid() : wide.softmax(-1);
        var probabilities = Probabilities(activated.data<double>().ToArray(), binary);
        var classes = binary ? 2 : (int)outputs;
        var labels = TrueClasses(test.Targets, loss.Kind, classes);
        var count = labels.Length;
        var predicted = new int[count];
        var labelProbability = new double[count];
        var predictedProbability = new double[count];
        for (var i = 0; i < count; i++)
        {
            var row = probabilities.AsSpan(i * classes, classes);
            var best = ArgMax<double>(row);
            predicted[i] = best;
            predictedProbability[i] = row[best];
            labelProbability[i] = row[labels[i]];
        }
        note = null;
        return new Classification(classes, labels, predicted, labelProbability, predictedProbability);
    }

    /// <summary>Rows of class probabilities; a single sigmoid output p becomes (1 - p, p).</summary>
    private static double[] Probabilities(double[] output, bool binary)
    {
        if (!binary)
            return output;
        var pairs = new double[output.Length * 2];
        for (var i = 0; i < output.Length; i++)
        {
            pairs[2 * i] = 1 - output[i];
            pairs[2 * i + 1] = output[i];
        }
        return pairs;
    }

    /// <summary>The true class per sample: sparse indices as they are, one-hot rows by arg-max, binary targets above 0.5.</summary>
    private static int[] TrueClasses(Tensor targets, LossKind kind, int classes)
    {
        var shape = targets.shape;
        var perSample = shape.Length == 1 ? 1 : shape.Length == 2 ? shape[1] : -1;
        int[] labels;
        if (kind == LossKind.CategoricalCrossentropy)
        {
            if (perSample != classes)
                throw new ArgumentException($"categorical targets need one column per class ({classes}), got [{string.Join(", ", shape)}]", nameof(targets));
            using var rows = targets.to(ScalarType.Float32, CPU);
            var values = rows.data<float>().ToArray();
            labels = new int[shape[0]];
            for (var i = 0; i < labels.Length; i++)
                labels[i] = ArgMax<float>(values.AsSpan(i * classes, classes));
            return labels;
        }

        if (perSample != 1)
            throw new ArgumentException($"class targets need one label per sample, got [{string.Join(", ", shape)}]", nameof(targets));
        if (kind == LossKind.BinaryCrossentropy)
        {
            using var floats = targets.to(ScalarType.Float32, CPU);
            return Array.ConvertAll(floats.data<float>().ToArray(), y => y > 0.5f ? 1 : 0);
        }

        using var indices = targets.to(ScalarType.Int64, CPU);
        labels = Array.ConvertAll(indices.data<long>().ToArray(), y => (int)Math.Clamp(y, -1, int.MaxValue));
        var outside = Array.FindIndex(labels, y => y < 0 || y >= classes);
        if (outside >= 0)
            throw new ArgumentException($"target {outside} is class {labels[outside]}, outside the model's 0..{classes - 1}", nameof(targets));
        return labels;
    }

    /// <summary>The first of equal maxima, as torch.argmax and Keras' accuracy pick.</summary>
    private static int ArgMax<T>(ReadOnlySpan<T> row) where T : IComparisonOperators<T, T, bool>
    {
        var best = 0;
        for (var c = 1; c < row.Length; c++)
            if (row[c] > row[best])
                best = c;
        return best;
    }
}

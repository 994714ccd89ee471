namespace ModelDsl.Runtime.Report;

/// <summary>How often each true class (row) was predicted as each class (column).</summary>
public sealed class ConfusionMatrix
{
    private readonly long[,] _counts;

    private ConfusionMatrix(long[,] counts, long total, long correct)
    {
        _counts = counts;
        Total = total;
        Correct = correct;
    }

    public int Classes => _counts.GetLength(0);

    /// <summary>How many samples of class <paramref name="actual"/> were predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => _counts[actual, predicted];

    public long Total { get; }

    /// <summary>The diagonal's sum.</summary>
    public long Correct { get; }

    public double Accuracy => Total == 0 ? double.NaN : (double)Correct / Total;

    /// <summary>The samples of class <paramref name="actual"/>.</summary>
    public long RowTotal(int actual)
    {
        long sum = 0;
        for (var predicted = 0; predicted < Classes; predicted++)
            sum += _counts[actual, predicted];
        return sum;
    }

    public static ConfusionMatrix From(IReadOnlyList<int> actual, IReadOnlyList<int> predicted, int classes)
    {
        if (actual.Count != predicted.Count)
            throw new ArgumentException($"{actual.Count} labels but {predicted.Count} predictions", nameof(predicted));
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        var counts = new long[classes, classes];
        long correct = 0;
        for (var i = 0; i < actual.Count; i++)
        {
            int a = actual[i], p = predicted[i];
            if ((uint)a >= (uint)classes || (uint)p >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(actual), $"sample {i}: class {a} predicted as {p}, outside 0..{classes - 1}");
            counts[a, p]++;
            if (a == p)
                correct++;
        }
        return new ConfusionMatrix(counts, actual.Count, correct);
    }
}

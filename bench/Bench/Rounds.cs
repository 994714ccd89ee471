namespace ModelDsl.Bench;

/// <summary>The figure of a run of rounds back to back: their median, which one round's swing with the machine's load does not move.</summary>
internal static class Rounds
{
    public static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

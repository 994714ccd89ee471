using System.Text;

namespace ModelDsl.Spec;

/// <summary>"Did you mean" by edit distance, tolerant of Keras' class-name spellings (LSTM, MaxPooling2D, GlorotUniform).</summary>
internal static class Suggestions
{
    /// <summary>The closest candidate to <paramref name="written"/>, or null when none is close enough to be a typo.</summary>
    public static string? Closest(string written, IEnumerable<string> candidates)
    {
        var folded = Fold(written);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            if (Fold(candidate) == folded)
            {
                return candidate;
            }

            var distance = Distance(written.ToLowerInvariant(), candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best != null && bestDistance <= Tolerance(written.Length) ? best : null;
    }

    /// <summary>"; did you mean 'x'?" or, without a close candidate, "; expected one of: a, b, c".</summary>
    public static string Hint(string written, IReadOnlyCollection<string> candidates)
    {
        var closest = Closest(written, candidates);
        if (closest != null)
        {
            return $"; did you mean '{closest}'?";
        }

        return candidates.Count == 0 ? string.Empty : "; expected one of: " + string.Join(", ", candidates);
    }

    /// <summary>Lower case without separators, so GlorotUniform, glorot-uniform and glorot_uniform meet.</summary>
    private static string Fold(string name)
    {
        var folded = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (c != '_' && c != '-' && c != ' ')
            {
                folded.Append(char.ToLowerInvariant(c));
            }
        }

        return folded.ToString();
    }

    private static int Tolerance(int length) => length <= 4 ? 1 : length <= 8 ? 2 : 3;

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps.</summary>
    internal static int Distance(string a, string b)
    {
        // Names are short; anything long is not a typo of one and need not cost quadratic time.
        if (Math.Abs(a.Length - b.Length) > 3 || a.Length > 64)
        {
            return int.MaxValue;
        }

        // Three rows suffice: the previous two (for swaps) and the current one.
        var width = b.Length + 1;
        var before = new int[width];
        var previous = new int[width];
        var current = new int[width];
        for (var j = 0; j < width; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    current[j] = Math.Min(current[j], before[j - 2] + 1);
                }
            }

            (before, previous, current) = (previous, current, before);
        }

        return previous[b.Length];
    }
}

namespace SpotifyBuddies.Core.Preparation;

/// <summary>Inequality measures for the ownership report.</summary>
public static class Concentration
{
    /// <summary>Gini coefficient of non-negative counts (0 = equal, →1 = concentrated); 0 for empty or all-zero input.</summary>
    /// <remarks>
    /// <c>G = 2·Σ i·x_(i) / (n·Σx) − (n+1)/n</c> over the values sorted ascending, i from 1 (the standard sample
    /// formula; at most (n−1)/n).
    /// </remarks>
    public static double Gini(ReadOnlySpan<int> counts)
    {
        var sorted = SortedCopy(counts);
        var n = sorted.Length;
        var total = 0.0;
        var weighted = 0.0;
        for (var i = 0; i < n; i++)
        {
            total += sorted[i];
            weighted += (i + 1.0) * sorted[i];
        }

        if (total == 0)
        {
            return 0;
        }

        var gini = (2.0 * weighted / (n * total)) - ((n + 1.0) / n);
        return Math.Max(0.0, gini);
    }

    /// <summary>Share of the total held by the top <paramref name="fraction"/> of entries (at least one entry).</summary>
    /// <remarks>The top max(1, ceil(fraction·n)) entries by value; 0 for empty or all-zero input.</remarks>
    public static double TopShare(ReadOnlySpan<int> counts, double fraction)
    {
        if (!(fraction > 0 && fraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The fraction must be in (0, 1].");
        }

        var sorted = SortedCopy(counts);
        var n = sorted.Length;
        var total = 0.0;
        foreach (var value in sorted)
        {
            total += value;
        }

        if (total == 0)
        {
            return 0;
        }

        var top = Math.Clamp(FractionMath.Ceiling(fraction, n), 1, n);
        var topTotal = 0.0;
        for (var i = n - top; i < n; i++)
        {
            topTotal += sorted[i];
        }

        return topTotal / total;
    }

    private static int[] SortedCopy(ReadOnlySpan<int> counts)
    {
        var sorted = counts.ToArray();
        foreach (var value in sorted)
        {
            if (value < 0)
            {
                throw new ArgumentException("Counts must not be negative.", nameof(counts));
            }
        }

        Array.Sort(sorted);
        return sorted;
    }
}

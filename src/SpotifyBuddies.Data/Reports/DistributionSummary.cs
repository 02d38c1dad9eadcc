namespace SpotifyBuddies.Data.Reports;

/// <summary>
/// Count, extremes, mean and quantiles of a sample. Quantiles are nearest-rank (the value at 1-based rank
/// ⌈q·n⌉ of the sorted sample), except the median, which averages the two middle values of an even sample.
/// All zero for an empty sample.
/// </summary>
public sealed record DistributionSummary(
    long Count,
    double Min,
    double P25,
    double Median,
    double Mean,
    double P75,
    double P90,
    double P99,
    double Max)
{
    public static DistributionSummary Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0);

    public static DistributionSummary Of(ReadOnlySpan<int> values)
    {
        var sorted = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            sorted[i] = values[i];
        }

        Array.Sort(sorted);
        return OfSorted(sorted);
    }

    public static DistributionSummary Of(ReadOnlySpan<double> values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return OfSorted(sorted);
    }

    private static DistributionSummary OfSorted(double[] sorted)
    {
        var n = sorted.Length;
        if (n == 0)
        {
            return Empty;
        }

        // Summed in sorted order, so the mean is the same however the values were produced.
        var sum = 0.0;
        foreach (var value in sorted)
        {
            sum += value;
        }

        var median = n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
        return new DistributionSummary(
            n,
            sorted[0],
            NearestRank(sorted, 0.25),
            median,
            sum / n,
            NearestRank(sorted, 0.75),
            NearestRank(sorted, 0.90),
            NearestRank(sorted, 0.99),
            sorted[^1]);
    }

    private static double NearestRank(double[] sorted, double q)
    {
        var rank = (int)Math.Ceiling(q * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}

namespace SpotifyBuddies.Core.Ranking;

/// <summary>
/// Leave-one-in ranking metrics as the original computed them (one positive ranked among sampled negatives):
/// rank = the positive's 0-based position, MRR = mean 1/(rank+1), Hit@K = share with rank &lt; K, K ∈ {1, 5, 10}.
/// </summary>
/// <remarks>
/// <b>Ties are pessimistic</b>: a negative that scores exactly as high as the positive ranks above it, so
/// rank = #negatives with score ≥ the positive's. The original sorted with <c>torch.sort</c>, whose order among equal
/// scores is unspecified; counting ties against the model means a constant model (all scores equal) gets the worst
/// rank rather than the best, and results do not depend on sort stability. Negatives that are NaN also count
/// against the model; a NaN positive ranks last.
/// </remarks>
public static class RankingMetrics
{
    /// <summary>The cut-offs reported as Hit@K.</summary>
    public static IReadOnlyList<int> HitCutoffs { get; } = [1, 5, 10];

    /// <summary>The positive's 0-based rank among <paramref name="negativeScores"/> (ties and NaN count against it).</summary>
    public static int Rank(float positiveScore, ReadOnlySpan<float> negativeScores)
    {
        if (float.IsNaN(positiveScore))
        {
            return negativeScores.Length;
        }

        var rank = 0;
        foreach (var negative in negativeScores)
        {
            if (negative >= positiveScore || float.IsNaN(negative))
            {
                rank++;
            }
        }

        return rank;
    }

    /// <summary>1/(rank+1).</summary>
    public static double ReciprocalRank(int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        return 1.0 / (rank + 1);
    }
}

/// <summary>Sums ranks into MRR and Hit@1/5/10. Not thread-safe: give each thread its own and <see cref="Merge"/>.</summary>
public sealed class RankingAccumulator
{
    private double _reciprocalSum;
    private long _hit1;
    private long _hit5;
    private long _hit10;

    public long Count { get; private set; }

    public void Add(int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        Count++;
        _reciprocalSum += 1.0 / (rank + 1);
        if (rank < 1)
        {
            _hit1++;
        }

        if (rank < 5)
        {
            _hit5++;
        }

        if (rank < 10)
        {
            _hit10++;
        }
    }

    public void Merge(RankingAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Count += other.Count;
        _reciprocalSum += other._reciprocalSum;
        _hit1 += other._hit1;
        _hit5 += other._hit5;
        _hit10 += other._hit10;
    }

    /// <summary>The metrics so far (all zero when nothing was added).</summary>
    public RankingScores Result() => Count == 0
        ? new RankingScores(0, 0, 0, 0, 0)
        : new RankingScores(
            _reciprocalSum / Count,
            (double)_hit1 / Count,
            (double)_hit5 / Count,
            (double)_hit10 / Count,
            Count);
}

/// <summary>MRR and Hit@K over <see cref="Count"/> ranked positives.</summary>
public sealed record RankingScores(double Mrr, double HitAt1, double HitAt5, double HitAt10, long Count)
{
    /// <summary>Metric names as logged (<c>{prefix}_mrr</c>, <c>{prefix}_hit_1</c>, …).</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Named(string prefix) =>
    [
        new($"{prefix}_mrr", Mrr),
        new($"{prefix}_hit_1", HitAt1),
        new($"{prefix}_hit_5", HitAt5),
        new($"{prefix}_hit_10", HitAt10),
    ];
}

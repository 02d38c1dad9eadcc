using SpotifyBuddies.Core.Ranking;

namespace SpotifyBuddies.Core.Tests.Ranking;

public sealed class RankingMetricsTests
{
    [Fact]
    public void Rank_counts_negatives_scoring_at_least_the_positive()
    {
        Assert.Equal(0, RankingMetrics.Rank(0.9f, [0.1f, 0.2f, 0.3f]));
        Assert.Equal(1, RankingMetrics.Rank(0.5f, [0.1f, 0.9f, 0.3f]));
        Assert.Equal(3, RankingMetrics.Rank(0.0f, [0.1f, 0.9f, 0.3f]));
    }

    [Fact]
    public void Ties_count_against_the_positive()
    {
        Assert.Equal(2, RankingMetrics.Rank(0.5f, [0.1f, 0.9f, 0.5f]));

        // A constant model ranks every positive last, not first.
        Assert.Equal(50, RankingMetrics.Rank(1f, Enumerable.Repeat(1f, 50).ToArray()));
    }

    [Fact]
    public void Nan_scores_count_against_the_positive()
    {
        Assert.Equal(1, RankingMetrics.Rank(0.5f, [float.NaN, 0.1f]));
        Assert.Equal(2, RankingMetrics.Rank(float.NaN, [0.2f, 0.1f]));
    }

    [Fact]
    public void Accumulator_gives_hand_computed_mrr_and_hits()
    {
        var accumulator = new RankingAccumulator();
        foreach (var rank in new[] { 0, 1, 4, 9, 10 })
        {
            accumulator.Add(rank);
        }

        var scores = accumulator.Result();
        Assert.Equal(5, scores.Count);
        Assert.Equal((1.0 + (1.0 / 2) + (1.0 / 5) + (1.0 / 10) + (1.0 / 11)) / 5, scores.Mrr, 12);
        Assert.Equal(0.2, scores.HitAt1, 12);
        Assert.Equal(0.6, scores.HitAt5, 12);
        Assert.Equal(0.8, scores.HitAt10, 12);
    }

    [Fact]
    public void Merged_accumulators_equal_one_accumulator()
    {
        var whole = new RankingAccumulator();
        var left = new RankingAccumulator();
        var right = new RankingAccumulator();
        for (var rank = 0; rank < 20; rank++)
        {
            whole.Add(rank);
            (rank % 3 == 0 ? left : right).Add(rank);
        }

        left.Merge(right);
        var (expected, actual) = (whole.Result(), left.Result());
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.Mrr, actual.Mrr, 12);
        Assert.Equal(expected.HitAt10, actual.HitAt10, 12);
    }

    [Fact]
    public void Empty_accumulator_is_all_zero_and_negative_ranks_are_rejected()
    {
        Assert.Equal(new RankingScores(0, 0, 0, 0, 0), new RankingAccumulator().Result());
        Assert.Throws<ArgumentOutOfRangeException>(() => new RankingAccumulator().Add(-1));
    }

    [Fact]
    public void Named_metrics_use_the_logged_keys()
    {
        var named = new RankingScores(0.5, 0.25, 0.75, 1, 4).Named("val");
        Assert.Equal(["val_mrr", "val_hit_1", "val_hit_5", "val_hit_10"], named.Select(n => n.Key));
        Assert.Equal([0.5, 0.25, 0.75, 1], named.Select(n => n.Value));
    }
}

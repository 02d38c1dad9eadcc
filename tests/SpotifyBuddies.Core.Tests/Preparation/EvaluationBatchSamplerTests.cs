using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Core.Preparation;
using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Core.Tests.Preparation;

public sealed class EvaluationBatchSamplerTests
{
    private static readonly UserIdx User = new(3);

    private static PlaylistIdx[] Ids(params int[] values) => values.Select(v => new PlaylistIdx(v)).ToArray();

    private static List<EvaluationBatch> Run(PlaylistIdx[] positives, int[] universe, int[] excluded, int count, ulong seed = 42)
    {
        var output = new List<EvaluationBatch>();
        EvaluationBatchSampler.Sample(User, positives, universe, excluded, count, new DeterministicRandom(seed), output);
        return output;
    }

    [Fact]
    public void Sample_WhenUniverseIsLarge_RowsHaveCountDistinctNonExcludedNegatives()
    {
        var universe = Enumerable.Range(0, 1000).Select(i => i * 2).ToArray();
        int[] excluded = [0, 10, 20, 30, 500, 1998];
        var positives = Ids(10, 20, 500);

        var rows = Run(positives, universe, excluded, 50);

        Assert.Equal(positives, rows.Select(r => r.Positive));
        Assert.All(rows, row =>
        {
            Assert.Equal(User, row.User);
            Assert.Equal(50, row.Negatives.Length);
            Assert.Equal(50, row.Negatives.Distinct().Count());
            Assert.All(row.Negatives, n => Assert.Contains(n.Value, universe));
            Assert.All(row.Negatives, n => Assert.DoesNotContain(n.Value, excluded));
        });
    }

    [Fact]
    public void Sample_WhenFewerEligibleThanCount_RowHoldsExactlyTheEligible()
    {
        int[] universe = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        int[] excluded = [2, 5, 7];

        var rows = Run(Ids(5, 7), universe, excluded, 50);

        Assert.Equal(2, rows.Count);
        Assert.All(rows, row => Assert.Equal([0, 1, 3, 4, 6, 8, 9], row.Negatives.Select(n => n.Value).Order()));
    }

    [Fact]
    public void Sample_WhenNothingIsEligible_AppendsEmptyRow()
    {
        var rows = Run(Ids(1), [1, 2], [1, 2], 50);

        var row = Assert.Single(rows);
        Assert.Empty(row.Negatives);
    }

    [Fact]
    public void Sample_WhenExcludedPlaylistsAreOutsideUniverse_IgnoresThem()
    {
        // Excluded ids missing from the universe must not shrink the eligible count.
        var rows = Run(Ids(3), [1, 3, 5, 7], [0, 3, 4, 100], 10);

        Assert.Equal([1, 5, 7], rows[0].Negatives.Select(n => n.Value).Order());
    }

    [Fact]
    public void Sample_WhenPositiveMissingFromExcludedAndUniverseIsLarge_NeverUsesPositive()
    {
        // Contract breach guard; universe 0..99 with 40 per row: the positive would show up ~40% of the time.
        var universe = Enumerable.Range(0, 100).ToArray();
        var positives = Enumerable.Repeat(new PlaylistIdx(42), 200).ToArray();

        var rows = Run(positives, universe, [], 40);

        Assert.All(rows, row =>
        {
            Assert.Equal(40, row.Negatives.Length);
            Assert.DoesNotContain(new PlaylistIdx(42), row.Negatives);
        });
    }

    [Fact]
    public void Sample_WhenPositiveMissingFromExcludedAndUniverseIsSmall_NeverUsesPositive()
    {
        int[] universe = [0, 1, 2, 3, 4, 5];
        var positives = Enumerable.Repeat(new PlaylistIdx(4), 50).ToArray();

        var rows = Run(positives, universe, [0, 1], 3);

        Assert.All(rows, row =>
        {
            Assert.Equal(3, row.Negatives.Length);
            Assert.Equal([2, 3, 5], row.Negatives.Select(n => n.Value).Order());
        });
    }

    [Fact]
    public void Sample_WhenFewExcluded_EveryEligibleIdAppearsAboutEquallyOften()
    {
        // Rejection path: 18 eligible of 20, 5 per row, 2,000 rows → 10,000 draws, ≈556 per id.
        var universe = Enumerable.Range(0, 20).ToArray();
        var positives = Enumerable.Repeat(new PlaylistIdx(0), 2000).ToArray();

        var counts = Run(positives, universe, [0, 3], 5).SelectMany(r => r.Negatives).CountBy(n => n.Value).ToDictionary();

        Assert.Equal(Enumerable.Range(0, 20).Where(i => i is not 0 and not 3), counts.Keys.Order());
        Assert.All(counts.Values, c => Assert.InRange(c, 450, 660));
    }

    [Fact]
    public void Sample_WhenMostExcluded_EveryEligibleIdAppearsAboutEquallyOften()
    {
        // Enumeration path: 8 eligible of 20, 3 per row, 2,000 rows → 6,000 draws, 750 per id.
        var universe = Enumerable.Range(0, 20).ToArray();
        var excluded = Enumerable.Range(0, 12).ToArray();
        var positives = Enumerable.Repeat(new PlaylistIdx(0), 2000).ToArray();

        var counts = Run(positives, universe, excluded, 3).SelectMany(r => r.Negatives).CountBy(n => n.Value).ToDictionary();

        Assert.Equal(Enumerable.Range(12, 8), counts.Keys.Order());
        Assert.All(counts.Values, c => Assert.InRange(c, 620, 880));
    }

    [Fact]
    public void Sample_WhenCountAboveLinearScanLimit_RowsStayDistinct()
    {
        var universe = Enumerable.Range(0, 5000).ToArray();

        var rows = Run(Ids(1, 2, 3), universe, [1, 2, 3], 200);

        Assert.All(rows, row =>
        {
            Assert.Equal(200, row.Negatives.Distinct().Count());
            Assert.DoesNotContain(row.Negatives, n => n.Value is 1 or 2 or 3);
        });
    }

    [Fact]
    public void Sample_WhenSameSeed_SameRowsAndDifferentSeedDiffers()
    {
        var universe = Enumerable.Range(0, 500).ToArray();
        var positives = Ids(4, 9);

        var first = Run(positives, universe, [4, 9], 50, seed: 1);
        var second = Run(positives, universe, [4, 9], 50, seed: 1);
        var other = Run(positives, universe, [4, 9], 50, seed: 2);

        Assert.Equal(first.Select(r => r.Negatives), second.Select(r => r.Negatives));
        Assert.NotEqual(first[0].Negatives, other[0].Negatives);
    }

    [Fact]
    public void Sample_WhenOutputHasRows_AppendsAfterThem()
    {
        var existing = new EvaluationBatch(new UserIdx(1), new PlaylistIdx(1), []);
        var output = new List<EvaluationBatch> { existing };

        EvaluationBatchSampler.Sample(User, Ids(5), [1, 2, 3, 4, 5], [5], 2, new DeterministicRandom(1), output);

        Assert.Equal(2, output.Count);
        Assert.Same(existing, output[0]);
    }

    [Fact]
    public void Sample_WhenExcludedNotAscending_Throws()
    {
        Assert.Throws<ArgumentException>(() => Run(Ids(1), [1, 2, 3], [3, 1], 2));
    }

    [Fact]
    public void Sample_WhenScratchIsReusedAcrossUsers_RowsEqualThoseOfAFreshScratch()
    {
        // One scratch for many "users" with different universes (growing and shrinking), exclusions and counts,
        // on both paths: stamps left by earlier calls must never change a later call's rows.
        var scratch = new EvaluationSamplerScratch();
        var cases = new List<(int[] Universe, int[] Excluded, PlaylistIdx[] Positives, int Count)>();
        var random = new Random(7);
        for (var u = 0; u < 60; u++)
        {
            var size = random.Next(5, 400);
            var universe = Enumerable.Range(0, size).Where(_ => random.NextDouble() < 0.8).ToArray();
            if (universe.Length == 0)
            {
                continue;
            }

            var excluded = universe.Where(_ => random.NextDouble() < (u % 3 == 0 ? 0.7 : 0.05)).Append(size + 50).Distinct().Order().ToArray();
            var positives = excluded.Take(3).Select(p => new PlaylistIdx(p)).ToArray();
            cases.Add((universe, excluded, positives, random.Next(1, 90)));
        }

        for (var i = 0; i < cases.Count; i++)
        {
            var (universe, excluded, positives, count) = cases[i];
            var reused = new List<EvaluationBatch>();
            var fresh = new List<EvaluationBatch>();
            EvaluationBatchSampler.Sample(User, positives, universe, excluded, count, new DeterministicRandom((ulong)i), reused, scratch);
            EvaluationBatchSampler.Sample(User, positives, universe, excluded, count, new DeterministicRandom((ulong)i), fresh);

            Assert.Equal(fresh.Select(r => r.Positive), reused.Select(r => r.Positive));
            Assert.Equal(fresh.Select(r => r.Negatives), reused.Select(r => r.Negatives));
            Assert.All(reused, row =>
            {
                Assert.Equal(row.Negatives.Length, row.Negatives.Distinct().Count());
                Assert.DoesNotContain(row.Negatives, n => excluded.Contains(n.Value));
            });
        }
    }

    [Fact]
    public void Sample_WhenRowsRepeatForOneUser_EachRowIsDistinctButRowsMayShareNegatives()
    {
        // Rejection path (11 eligible ≥ 2·4 + 2) with per-row "seen" marks: a negative drawn in one row must stay
        // drawable in the next row of the same user.
        var universe = Enumerable.Range(0, 12).ToArray();
        var positives = Enumerable.Repeat(new PlaylistIdx(0), 30).ToArray();

        var rows = Run(positives, universe, [0], 4);

        Assert.All(rows, row => Assert.Equal(4, row.Negatives.Distinct().Count()));
        Assert.Equal(11, rows.SelectMany(r => r.Negatives).Distinct().Count());
    }

    [Fact]
    public void EvaluationUniverse_ContainsExactlyItsIds()
    {
        int[] ids = [0, 3, 63, 64, 65, 200];
        var universe = new EvaluationUniverse(ids);

        Assert.Equal(ids, universe.Ids.ToArray());
        Assert.All(ids, id => Assert.True(universe.Contains(id)));
        Assert.All(new[] { -1, 1, 62, 66, 199, 201, 10_000, int.MaxValue, int.MinValue }, id => Assert.False(universe.Contains(id)));
        Assert.False(new EvaluationUniverse([]).Contains(0));
    }

    [Fact]
    public void Sample_WithAPreparedUniverse_DrawsTheSameRowsAsWithTheSpan()
    {
        var random = new Random(11);
        var ids = Enumerable.Range(0, 3000).Where(_ => random.NextDouble() < 0.4).ToArray();
        var universe = new EvaluationUniverse(ids);
        var scratch = new EvaluationSamplerScratch();
        for (var u = 0; u < 40; u++)
        {
            var excluded = ids.Where(_ => random.NextDouble() < (u % 4 == 0 ? 0.8 : 0.02)).Append(3001).ToArray();
            var positives = excluded.Take(4).Select(p => new PlaylistIdx(p)).ToArray();
            var prepared = new List<EvaluationBatch>();
            var plain = new List<EvaluationBatch>();

            EvaluationBatchSampler.Sample(User, positives, universe, excluded, 25, new DeterministicRandom((ulong)u), prepared, scratch);
            EvaluationBatchSampler.Sample(User, positives, ids, excluded, 25, new DeterministicRandom((ulong)u), plain);

            Assert.Equal(plain.Select(r => r.Negatives), prepared.Select(r => r.Negatives));
        }
    }
}

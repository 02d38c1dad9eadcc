using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Core.Preparation;
using SpotifyBuddies.Core.Randomness;
using SpotifyBuddies.Data.Preparation;

namespace SpotifyBuddies.Data.Tests.Preparation;

/// <summary>The fast kernels agree with the plain rules they replace.</summary>
public sealed class PreparationKernelTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(10, 1)]
    [InlineData(200, 3)]
    [InlineData(1000, 15)]
    [InlineData(1000, 999)]
    [InlineData(5000, 1000)]
    [InlineData(5000, 5000)]
    public void Split_WithManyTies_SelectsTheSameSetAsTheRuleSortAndKeepsTheOrder(int n, int k)
    {
        var random = new DeterministicRandom((ulong)((n * 31) + k));
        // Few distinct scores, so ties are everywhere and the playlist index decides; items in ascending playlist order.
        var items = Enumerable.Range(0, n)
            .Select(p => new ScoredPlaylist(new PlaylistIdx(p), 1, random.NextInt(7) / 7.0))
            .ToArray();
        var scores = items.Select(i => i.Score).ToArray();
        var sorted = items.ToArray();
        sorted.AsSpan().Sort(LikeScoring.Compare);
        var top = new ScoredPlaylist[k];
        var rest = new ScoredPlaylist[n - k];

        LikeSelection.Split<ScoredPlaylist>(items, scores, k, new double[n], top, rest);

        Assert.Equal(sorted.Take(k).Select(s => s.Playlist.Value).Order(), top.Select(s => s.Playlist.Value));
        Assert.Equal(sorted.Skip(k).Select(s => s.Playlist.Value).Order(), rest.Select(s => s.Playlist.Value));
        Assert.Equal(scores, items.Select(i => i.Score)); // the scores are left alone
    }

    [Theory]
    [InlineData(10, 1)]
    [InlineData(1000, 15)]
    [InlineData(5000, 1000)]
    [InlineData(5000, 5000)]
    public void TopIndexes_SelectsWhatSplitSelects(int n, int k)
    {
        var random = new DeterministicRandom((ulong)(n + k));
        var scores = Enumerable.Range(0, n).Select(_ => random.NextInt(9) / 9.0).ToArray();
        var indexes = Enumerable.Range(0, n).ToArray();
        var expected = new int[k];
        LikeSelection.Split<int>(indexes, scores, k, new double[n], expected, []);
        var top = new int[k];

        LikeSelection.TopIndexes(scores, k, new double[n], top);

        Assert.Equal(expected, top);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(150, false)]
    [InlineData(2000, false)] // more than the stack buffer holds
    [InlineData(150, true)] // a zero score: the comparer sort
    public void SortInLikeOrder_GivesTheRuleOrder(int n, bool withZero)
    {
        var random = new DeterministicRandom((ulong)n);
        var items = Enumerable.Range(0, n)
            .Select(p => new ScoredPlaylist(new PlaylistIdx(random.NextInt(1 << 30)), random.NextInt(300), (1 + random.NextInt(20)) / (3.0 + random.NextInt(5))))
            .DistinctBy(i => i.Playlist)
            .ToArray();
        if (withZero)
        {
            items[0] = items[0] with { Score = 0.0 };
            items[^1] = items[^1] with { Score = -0.0 };
        }

        var expected = items.ToArray();
        expected.AsSpan().Sort(LikeScoring.Compare);

        LikeSelection.SortInLikeOrder(items);

        Assert.Equal(expected, items);
        Assert.True(n < 10 || items.Select(i => i.Score).Distinct().Count() < items.Length, "the case must have ties");
    }

    [Fact]
    public void ScoreAll_VectorAndScalarAreBitIdenticalToTheRule()
    {
        var random = new DeterministicRandom(23);
        var rows = Enumerable.Range(0, 500).Select(p => Enumerable.Range(0, 1 + random.NextInt(250)).ToArray()).ToArray();
        var playlistSongs = Csr(rows);
        var postings = playlistSongs.Transpose(250);
        var accumulator = new OverlapAccumulator(playlistSongs);
        var vector = new ScoreTables(playlistSongs);
        var scalar = new ScoreTables(playlistSongs, allowVector: false);
        for (var user = 0; user < 30; user++)
        {
            var library = Enumerable.Range(0, 250).Where(_ => random.NextDouble() < 0.05 + (user / 40.0)).ToArray();
            var n = accumulator.Accumulate(library, postings);
            var exploration = user == 0 ? 0.0 : user == 1 ? 1.0 : random.NextBeta(1.3, 3.3);
            var fast = new double[n];
            var slow = new double[n];

            vector.ScoreAll(accumulator, n, exploration, library.Length, fast);
            scalar.ScoreAll(accumulator, n, exploration, library.Length, slow);

            for (var i = 0; i < n; i++)
            {
                var rule = LikeScoring.Score(accumulator.Matches[i], exploration, library.Length, rows[accumulator.Playlists[i]].Length);
                Assert.Equal(BitConverter.DoubleToInt64Bits(rule), BitConverter.DoubleToInt64Bits(fast[i]));
                Assert.Equal(BitConverter.DoubleToInt64Bits(rule), BitConverter.DoubleToInt64Bits(slow[i]));
            }
        }
    }

    [Fact]
    public void ScorePool_KeepsUnmarkedPlaylistsNotOwnedByTheUserWithTheirScores()
    {
        var random = new DeterministicRandom(29);
        var rows = Enumerable.Range(0, 300).Select(p => Enumerable.Range(0, 60).Where(_ => random.NextDouble() < 0.2).ToArray()).ToArray();
        var playlistSongs = Csr(rows);
        var postings = playlistSongs.Transpose(60);
        var accumulator = new OverlapAccumulator(playlistSongs);
        var tables = new ScoreTables(playlistSongs);
        var owners = Enumerable.Range(0, 300).Select(_ => random.NextInt(4) - 1).ToArray();
        int[] library = [.. Enumerable.Range(0, 60).Where(_ => random.NextDouble() < 0.3)];
        var n = accumulator.Accumulate(library, postings);
        var overlaps = accumulator.Playlists.Take(n).Zip(accumulator.Matches.Take(n)).ToArray();
        foreach (var (p, _) in overlaps.Where((_, i) => i % 5 == 0))
        {
            accumulator.Marks[p] = true;
        }

        var size = tables.ScorePool(accumulator, n, 0.25, library.Length, user: 2, owners);

        var expected = overlaps.Where(o => !accumulator.Marks[o.First] && owners[o.First] != 2).ToArray();
        Assert.InRange(expected.Length, 10, n - 10);
        Assert.Equal(expected.Select(o => o.First), accumulator.Pool.Take(size).Select(p => p.Value));
        Assert.Equal(expected.Select(o => tables.Score(o.Second, 0.25, library.Length, o.First)), accumulator.Scores.Take(size));
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(100)]
    [InlineData(5)]
    public void Threshold_WhenTheSampleMisleads_StillFindsTheExactKthBest(int k)
    {
        // Every 16th score (the sample) is high, everything else low: the candidate floor lets too few through.
        var scores = Enumerable.Range(0, 2000).Select(i => i % 16 == 0 ? 1.0 + (i / 1e6) : i / 1e6).ToArray();
        var kth = scores.OrderDescending().ElementAt(k - 1);

        var (threshold, ties) = LikeSelection.Threshold(scores, k, new double[scores.Length]);

        Assert.Equal(kth, threshold);
        Assert.Equal(1, ties);
    }

    [Fact]
    public void SelectAscending_FindsTheOrderStatisticOnAdversarialInputs()
    {
        var random = new DeterministicRandom(3);
        foreach (var values in new[]
        {
            Enumerable.Range(0, 4000).Select(i => (double)i).ToArray(),
            Enumerable.Range(0, 4000).Select(i => (double)(4000 - i)).ToArray(),
            Enumerable.Repeat(1.0, 4000).ToArray(),
            Enumerable.Range(0, 4000).Select(_ => (double)random.NextInt(3)).ToArray(),
        })
        {
            var sorted = values.Order().ToArray();
            foreach (var index in new[] { 0, 1, 1999, 3998, 3999 })
            {
                Assert.Equal(sorted[index], LikeSelection.SelectAscending(values.ToArray(), index));
            }
        }
    }

    [Theory]
    [InlineData(300, 80, 0.1, true)]
    [InlineData(300, 80, 0.1, false)]
    [InlineData(1000, 600, 0.45, true)] // rows of ~270 songs: more than a byte can count, so the int kernel either way
    [InlineData(1000, 600, 0.45, false)]
    [InlineData(70, 40, 0.5, true)] // P not a multiple of 64: the last block is partial
    public void Accumulate_MatchesANaiveSparseProductAndResetsBetweenRows(int playlists, int songs, double density, bool allowVectorScan)
    {
        var random = new DeterministicRandom(5);
        var rows = Enumerable.Range(0, playlists)
            .Select(_ => Enumerable.Range(0, songs).Where(_ => random.NextDouble() < density).ToArray())
            .ToArray();
        var playlistSongs = Csr(rows);
        var postings = playlistSongs.Transpose(songs);
        var accumulator = new OverlapAccumulator(playlistSongs, allowVectorScan);

        for (var user = 0; user < 20; user++)
        {
            var library = Enumerable.Range(0, songs).Where(_ => random.NextDouble() < (user % 4 == 0 ? 0.9 : 0.2)).ToArray();
            var n = accumulator.Accumulate(library, postings);

            var expected = Enumerable.Range(0, playlists)
                .Select(p => (p, m: rows[p].Intersect(library).Count()))
                .Where(x => x.m > 0)
                .ToArray();
            Assert.Equal(expected.Select(x => x.p), accumulator.Playlists.Take(n));
            Assert.Equal(expected.Select(x => x.m), accumulator.Matches.Take(n));
        }

        Assert.Equal(0, accumulator.Accumulate([], postings));
    }

    [Fact]
    public void MergeAscending_GivesTheSortedDistinctUnion()
    {
        var random = new DeterministicRandom(37);
        for (var trial = 0; trial < 200; trial++)
        {
            int[][] lists = [.. Enumerable.Range(0, 4).Select(l => Enumerable.Range(0, 60).Where(_ => random.NextDouble() < (l == trial % 4 ? 0.0 : 0.2)).ToArray())];
            var destination = new int[lists.Sum(l => l.Length)];

            var merged = NegativesPhase.MergeAscending(lists[0], lists[1], lists[2], lists[3], destination);

            Assert.Equal(lists.SelectMany(l => l).Distinct().Order(), merged.ToArray());
        }
    }

    [Fact]
    public void SelectAscending_OnRandomArraysWithTies_FindsEveryOrderStatistic()
    {
        var random = new DeterministicRandom(31);
        for (var trial = 0; trial < 300; trial++)
        {
            var n = 1 + random.NextInt(trial < 200 ? 60 : 3000);
            var distinct = 1 + random.NextInt(trial % 3 == 0 ? 3 : 1000);
            var values = Enumerable.Range(0, n).Select(_ => (double)random.NextInt(distinct)).ToArray();
            var sorted = values.Order().ToArray();
            var indexes = n <= 60 ? Enumerable.Range(0, n) : [0, n / 3, n / 2, n - 1, random.NextInt(n)];
            foreach (var index in indexes)
            {
                var copy = values.ToArray();
                Assert.Equal(sorted[index], LikeSelection.SelectAscending(copy, index));
                Assert.Equal(sorted, copy.Order()); // only rearranged
            }
        }
    }

    [Fact]
    public void Accumulate_BothKernelsGiveTheSameRowsOnSkewedData()
    {
        // Popular songs in long posting lists, playlists up to 255 songs (the byte kernel's limit), m up to 255.
        var random = new DeterministicRandom(17);
        const int songs = 400;
        var rows = Enumerable.Range(0, 3000)
            .Select(p => p == 7
                ? Enumerable.Range(0, 255).ToArray()
                : Enumerable.Range(0, songs).Where(s => random.NextDouble() < 4.0 / (s + 8)).ToArray())
            .ToArray();
        var playlistSongs = Csr(rows);
        var postings = playlistSongs.Transpose(songs);
        var vector = new OverlapAccumulator(playlistSongs);
        var portable = new OverlapAccumulator(playlistSongs, allowVectorScan: false);
        Assert.Equal(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Avx512F.IsSupported, vector.IsVectorScan);
        Assert.False(portable.IsVectorScan);

        for (var user = 0; user < 50; user++)
        {
            var library = user == 0 ? Enumerable.Range(0, songs).ToArray() : Enumerable.Range(0, songs).Where(_ => random.NextDouble() < 0.15).ToArray();
            var n = vector.Accumulate(library, postings);

            Assert.Equal(portable.Accumulate(library, postings), n);
            Assert.Equal(portable.Playlists.Take(n), vector.Playlists.Take(n));
            Assert.Equal(portable.Matches.Take(n), vector.Matches.Take(n));
            if (user == 0)
            {
                Assert.Equal(255, vector.Matches[Array.IndexOf(vector.Playlists, 7, 0, n)]);
            }
        }
    }

    [Fact]
    public void Score_IsBitIdenticalToTheRule()
    {
        var playlistSongs = Csr([.. Enumerable.Range(1, 250).Select(p => Enumerable.Range(0, p).ToArray())]);
        var tables = new ScoreTables(playlistSongs);
        var random = new DeterministicRandom(9);

        for (var i = 0; i < 20_000; i++)
        {
            var playlist = random.NextInt(250);
            var matches = random.NextInt(playlist + 2);
            var userSongs = 1 + random.NextInt(5000);
            var exploration = random.NextBeta(1.3, 3.3);

            Assert.Equal(
                BitConverter.DoubleToInt64Bits(LikeScoring.Score(matches, exploration, userSongs, playlist + 1)),
                BitConverter.DoubleToInt64Bits(tables.Score(matches, exploration, userSongs, playlist)));
        }
    }

    [Fact]
    public void Transpose_ListsRowsAscendingPerColumn()
    {
        var rows = Csr([[0, 2], [], [1, 2], [2]]);

        var columns = rows.Transpose(3);

        Assert.Equal([0], columns[0].ToArray());
        Assert.Equal([2], columns[1].ToArray());
        Assert.Equal([0, 2, 3], columns[2].ToArray());
    }

    private static SparseRows Csr(int[][] rows)
    {
        var offsets = new int[rows.Length + 1];
        for (var r = 0; r < rows.Length; r++)
        {
            offsets[r + 1] = offsets[r] + rows[r].Length;
        }

        return new SparseRows(offsets, [.. rows.SelectMany(r => r)]);
    }
}

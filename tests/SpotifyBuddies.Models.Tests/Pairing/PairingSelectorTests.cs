using SpotifyBuddies.Core.Pairing;
using SpotifyBuddies.Models.Pairing;

namespace SpotifyBuddies.Models.Tests.Pairing;

public sealed class PairingSelectorTests
{
    private sealed class Fixture
    {
        // 6 users, K = 4. User 0's candidates by similarity: 1, 2, 3, 4. User 5 has none.
        // Owners: 1 → {10, 11}, 3 → {12}, 4 → {13, 14}, 0 → {15}; 2 owns nothing.
        public NeighbourLists Lists { get; } = Build(6, 4, new Dictionary<int, int[]>
        {
            [0] = [1, 2, 3, 4],
            [1] = [0, 3],
            [2] = [0],
            [3] = [2],
            [4] = [3, 1],
        });

        public UserPlaylists Owned { get; } = UserPlaylists.FromPairs(6, 20, [1, 1, 3, 4, 4, 0], [10, 11, 12, 13, 14, 15], disjoint: true);

        // User 0 liked 11 and 13 in training; user 4 liked 12.
        public UserPlaylists TrainLiked { get; } = UserPlaylists.FromPairs(6, 20, [0, 0, 4], [11, 13, 12], disjoint: false);

        public PairingOutcome Run(PairingParameters parameters, int threads = 1) =>
            PairingSelector.Run(Lists, Owned, TrainLiked, parameters, threads);

        private static NeighbourLists Build(int users, int k, Dictionary<int, int[]> candidates)
        {
            var counts = new int[users];
            var neighbours = new int[users * k];
            var similarities = new float[users * k];
            foreach (var (user, list) in candidates)
            {
                counts[user] = list.Length;
                for (var i = 0; i < list.Length; i++)
                {
                    neighbours[(user * k) + i] = list[i];
                    similarities[(user * k) + i] = 1f - (i * 0.1f);
                }
            }

            return new NeighbourLists(users, k, counts, neighbours, similarities);
        }
    }

    [Fact]
    public void Run_WhenInSimilarityOrder_KeepsOwnersUntilBothMinimumsAreMet()
    {
        var fixture = new Fixture();

        var outcome = fixture.Run(new PairingParameters { MinNeighbours = 2, MinPlaylists = 1 });

        // 1 (reaches 10; 11 is liked), 2 skipped (owns nothing), 3 (12): two neighbours, two playlists → stop before 4.
        Assert.Equal([1, 0, 1, 0], outcome.SelectedOf(0, 4).ToArray());
        Assert.Equal(2, outcome.NeighbourCounts[0]);
        Assert.Equal(3, outcome.Walked[0]);
        Assert.True(outcome.MetMinimums[0]);
        Assert.Equal(2, outcome.Reachable[0]);
        Assert.Equal(1, outcome.Excluded[0]);
        Assert.Equal([10, 12], outcome.PoolOf(0).ToArray());
    }

    [Fact]
    public void Run_WhenMinimumsCannotBeMet_KeepsEveryOwner()
    {
        var fixture = new Fixture();

        var outcome = fixture.Run(new PairingParameters());

        Assert.Equal([1, 0, 1, 1], outcome.SelectedOf(0, 4).ToArray());
        Assert.False(outcome.MetMinimums[0]);
        Assert.Equal([10, 12, 14], outcome.PoolOf(0).ToArray());
        Assert.Equal(2, outcome.Excluded[0]);
    }

    [Fact]
    public void Run_WhenPoolWouldHoldTheUsersOwnOrLikedPlaylists_LeavesThemOut()
    {
        var fixture = new Fixture();

        var outcome = fixture.Run(new PairingParameters());

        for (var u = 0; u < 6; u++)
        {
            foreach (var playlist in outcome.PoolOf(u))
            {
                Assert.DoesNotContain(playlist, fixture.Owned.Of(u).ToArray());
                Assert.DoesNotContain(playlist, fixture.TrainLiked.Of(u).ToArray());
            }
        }

        Assert.Equal([10, 11], outcome.PoolOf(4).ToArray()); // candidate 3 owns only 12, which 4 liked
    }

    [Fact]
    public void Run_WhenUsersEndWithoutAPool_GivesTheReason()
    {
        var fixture = new Fixture();

        var outcome = fixture.Run(new PairingParameters());

        Assert.Equal(NoPoolReason.None, outcome.Reasons[0]);
        Assert.Equal(NoPoolReason.NoOwnerAmongCandidates, outcome.Reasons[3]); // only candidate 2 owns nothing
        Assert.Equal(NoPoolReason.NoCandidates, outcome.Reasons[5]);
        Assert.Equal(0, outcome.PoolCounts[3]);
        Assert.Equal(0, outcome.PoolCounts[5]);
    }

    [Fact]
    public void Run_WhenEveryReachablePlaylistIsLiked_SaysAllExcluded()
    {
        var fixture = new Fixture();
        var liked = UserPlaylists.FromPairs(6, 20, [2], [15], disjoint: false);

        var outcome = PairingSelector.Run(fixture.Lists, fixture.Owned, liked, new PairingParameters());

        Assert.Equal(NoPoolReason.AllExcluded, outcome.Reasons[2]);
        Assert.Equal(1, outcome.NeighbourCounts[2]);
    }

    [Fact]
    public void Run_WhenMoreReachableThanPoolSize_SamplesPoolSize()
    {
        var fixture = new Fixture();

        var outcome = fixture.Run(new PairingParameters { PoolSize = 2 });

        Assert.Equal(2, outcome.PoolCounts[0]);
        Assert.Equal(3, outcome.Reachable[0]);
        Assert.Subset(new HashSet<int> { 10, 12, 14 }, outcome.PoolOf(0).ToArray().ToHashSet());
    }

    [Fact]
    public void Run_WhenShuffled_SelectsFromAPermutationButMarksSimilarityRanks()
    {
        var libraries = RandomLibraries.Create(400, 120, 15, 21);
        var lists = new ExactNeighbourSearch().Search(libraries, 30);
        var owned = UserPlaylists.FromPairs(400, 400, [.. Enumerable.Range(0, 400).Select(p => p % 3 == 0 ? p : (p * 7) % 400)], [.. Enumerable.Range(0, 400)], disjoint: true);
        var liked = UserPlaylists.FromPairs(400, 400, [], [], disjoint: false);
        var parameters = new PairingParameters { K = 30, MinNeighbours = 3, MinPlaylists = 3, ShuffleCandidates = true };

        var shuffled = PairingSelector.Run(lists, owned, liked, parameters);
        var ordered = PairingSelector.Run(lists, owned, liked, parameters with { ShuffleCandidates = false });

        // In similarity order the kept neighbours are the first owners; shuffled, some users keep others.
        Assert.NotEqual(ordered.Selected, shuffled.Selected);
        for (var u = 0; u < 400; u++)
        {
            var candidates = lists.Of(u);
            var flags = shuffled.SelectedOf(u, candidates.Length);
            var kept = 0;
            for (var i = 0; i < candidates.Length; i++)
            {
                Assert.True(flags[i] == 0 || owned.CountOf(candidates[i]) > 0);
                kept += flags[i];
            }

            Assert.Equal(shuffled.NeighbourCounts[u], kept);
        }
    }

    [Fact]
    public void Run_WhenThreadCountsDiffer_ProducesTheSameOutcome()
    {
        var libraries = RandomLibraries.Create(2_000, 300, 20, 5);
        var lists = new ExactNeighbourSearch().Search(libraries, 25);
        var owned = UserPlaylists.FromPairs(2_000, 3_000, [.. Enumerable.Range(0, 3_000).Select(p => (p * 13) % 1_500)], [.. Enumerable.Range(0, 3_000)], disjoint: true);
        var liked = UserPlaylists.FromPairs(2_000, 3_000, [.. Enumerable.Range(0, 2_000)], [.. Enumerable.Range(0, 2_000).Select(u => (u * 31) % 3_000)], disjoint: false);
        var parameters = new PairingParameters { K = 25, MinNeighbours = 5, MinPlaylists = 8, PoolSize = 6, ShuffleCandidates = true };

        var one = PairingSelector.Run(lists, owned, liked, parameters, maxDegreeOfParallelism: 1);
        var four = PairingSelector.Run(lists, owned, liked, parameters, maxDegreeOfParallelism: 4);

        Assert.Equal(one.Selected, four.Selected);
        Assert.Equal(one.Pools, four.Pools);
        Assert.Equal(one.PoolCounts, four.PoolCounts);
        Assert.Equal(one.Reasons, four.Reasons);
    }

    [Fact]
    public void Run_WhenSeedDiffers_SamplesDifferentPools()
    {
        var libraries = RandomLibraries.Create(500, 100, 20, 8);
        var lists = new ExactNeighbourSearch().Search(libraries, 50);
        var owned = UserPlaylists.FromPairs(500, 2_000, [.. Enumerable.Range(0, 2_000).Select(p => p % 500)], [.. Enumerable.Range(0, 2_000)], disjoint: true);
        var liked = UserPlaylists.FromPairs(500, 2_000, [], [], disjoint: false);

        var a = PairingSelector.Run(lists, owned, liked, new PairingParameters { K = 50, PoolSize = 10, Seed = 1 });
        var b = PairingSelector.Run(lists, owned, liked, new PairingParameters { K = 50, PoolSize = 10, Seed = 2 });

        Assert.Equal(a.Selected, b.Selected); // selection is not random without --shuffle-candidates
        Assert.NotEqual(a.Pools, b.Pools);
    }
}

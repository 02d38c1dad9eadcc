using SpotifyBuddies.Core.Pairing;
using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Core.Tests.Pairing;

public sealed class NeighbourSelectionTests
{
    // Users 0..9 over playlists 0..29: user 1 owns 10, 11; user 2 owns nothing; user 3 owns 12; user 4 owns 13, 14, 15;
    // user 5 owns nothing; user 6 owns 16; user 0 (the query) owns 20.
    private static readonly UserPlaylists Owned = UserPlaylists.FromPairs(
        10,
        30,
        [1, 1, 3, 4, 4, 4, 6, 0],
        [10, 11, 12, 13, 14, 15, 16, 20],
        disjoint: true);

    private sealed class Fixture
    {
        public int[] Kept { get; } = new int[16];

        public int[] Reachable { get; } = new int[64];

        public NeighbourWalk Walk(int[] candidates, int minNeighbours, int minPlaylists, int[]? excluded = null, int user = 0) =>
            NeighbourSelection.Walk(user, candidates, Owned, excluded ?? [], minNeighbours, minPlaylists, Kept, Reachable);

        public int[] KeptUsers(int[] candidates, NeighbourWalk walk) => [.. Kept.Take(walk.Neighbours).Select(i => candidates[i])];

        public int[] ReachablePlaylists(NeighbourWalk walk) => Reachable[..walk.Reachable];
    }

    [Fact]
    public void Walk_WhenCandidateOwnsNoPlaylist_SkipsIt()
    {
        var fixture = new Fixture();
        int[] candidates = [2, 1, 5, 3];

        var walk = fixture.Walk(candidates, minNeighbours: 10, minPlaylists: 0);

        Assert.Equal([1, 3], fixture.KeptUsers(candidates, walk));
        Assert.Equal([1, 3], fixture.Kept[..walk.Neighbours]);
        Assert.Equal([10, 11, 12], fixture.ReachablePlaylists(walk));
    }

    [Fact]
    public void Walk_WhenBothMinimumsMet_StopsRightAfterThatNeighbour()
    {
        var fixture = new Fixture();
        int[] candidates = [1, 2, 3, 4, 6];

        var walk = fixture.Walk(candidates, minNeighbours: 2, minPlaylists: 3);

        Assert.True(walk.MetMinimums);
        Assert.Equal(3, walk.Walked); // 1, 2 (skipped), 3 → two neighbours, three playlists
        Assert.Equal([1, 3], fixture.KeptUsers(candidates, walk));
        Assert.Equal(3, walk.Reachable);
    }

    [Fact]
    public void Walk_WhenNeighboursSufficeButPlaylistsDoNot_GoesOn()
    {
        var fixture = new Fixture();
        int[] candidates = [3, 6, 4, 1];

        var walk = fixture.Walk(candidates, minNeighbours: 2, minPlaylists: 4);

        // 3 (1 playlist), 6 (2): two neighbours but two playlists; 4 brings five.
        Assert.True(walk.MetMinimums);
        Assert.Equal([3, 6, 4], fixture.KeptUsers(candidates, walk));
        Assert.Equal([12, 16, 13, 14, 15], fixture.ReachablePlaylists(walk));
    }

    [Fact]
    public void Walk_WhenPlaylistsSufficeButNeighboursDoNot_GoesOn()
    {
        var fixture = new Fixture();
        int[] candidates = [4, 1, 3];

        var walk = fixture.Walk(candidates, minNeighbours: 3, minPlaylists: 1);

        Assert.True(walk.MetMinimums);
        Assert.Equal([4, 1, 3], fixture.KeptUsers(candidates, walk));
    }

    [Fact]
    public void Walk_WhenMinimumsNeverMet_KeepsEveryOwnerAmongAllCandidates()
    {
        var fixture = new Fixture();
        int[] candidates = [5, 1, 2, 3, 4, 6];

        var walk = fixture.Walk(candidates, minNeighbours: 50, minPlaylists: 20);

        Assert.False(walk.MetMinimums);
        Assert.Equal(candidates.Length, walk.Walked);
        Assert.Equal([1, 3, 4, 6], fixture.KeptUsers(candidates, walk));
        Assert.Equal(7, walk.Reachable);
    }

    [Fact]
    public void Walk_WhenNoCandidateOwnsAPlaylist_KeepsNobody()
    {
        var fixture = new Fixture();

        var walk = fixture.Walk([2, 5, 7], minNeighbours: 1, minPlaylists: 0);

        Assert.Equal(new NeighbourWalk(0, 0, 3, MetMinimums: false), walk);
    }

    [Fact]
    public void Walk_WhenPlaylistsAreExcluded_LeavesThemOutAndDoesNotCountThem()
    {
        var fixture = new Fixture();
        int[] candidates = [4, 1, 3];

        var walk = fixture.Walk(candidates, minNeighbours: 1, minPlaylists: 3, excluded: [11, 13, 14]);

        // 4 reaches only 15, 1 adds 10, 3 adds 12: the third playlist comes with the third neighbour.
        Assert.Equal([4, 1, 3], fixture.KeptUsers(candidates, walk));
        Assert.Equal([15, 10, 12], fixture.ReachablePlaylists(walk));
    }

    [Fact]
    public void Walk_WhenEveryPlaylistOfANeighbourIsExcluded_StillCountsTheNeighbour()
    {
        var fixture = new Fixture();
        int[] candidates = [3, 6];

        var walk = fixture.Walk(candidates, minNeighbours: 2, minPlaylists: 0, excluded: [12]);

        Assert.True(walk.MetMinimums);
        Assert.Equal([3, 6], fixture.KeptUsers(candidates, walk));
        Assert.Equal([16], fixture.ReachablePlaylists(walk));
    }

    [Fact]
    public void Walk_WhenTheUserIsAmongTheCandidates_SkipsThem()
    {
        var fixture = new Fixture();
        int[] candidates = [0, 1];

        var walk = fixture.Walk(candidates, minNeighbours: 5, minPlaylists: 0, user: 0);

        Assert.Equal([1], fixture.KeptUsers(candidates, walk));
        Assert.DoesNotContain(20, fixture.ReachablePlaylists(walk));
    }

    [Fact]
    public void Walk_WhenReachableBufferIsTooShort_Throws()
    {
        var kept = new int[4];
        var reachable = new int[2];

        Assert.Throws<ArgumentException>(() =>
            NeighbourSelection.Walk(0, [4], Owned, [], 1, 0, kept, reachable));
    }

    [Fact]
    public void Walk_WhenKeptBufferIsShorterThanCandidates_Throws()
    {
        Assert.Throws<ArgumentException>(() =>
            NeighbourSelection.Walk(0, [1, 3, 4], Owned, [], 1, 0, new int[2], new int[16]));
    }

    [Fact]
    public void WalkOrder_WhenNotShuffled_IsSimilarityOrder()
    {
        var ranks = new int[7];

        NeighbourSelection.WalkOrder(ranks, shuffle: false, new DeterministicRandom(1));

        Assert.Equal([0, 1, 2, 3, 4, 5, 6], ranks);
    }

    [Fact]
    public void WalkOrder_WhenShuffled_IsAPermutationFixedByTheStream()
    {
        var first = new int[100];
        var second = new int[100];
        var other = new int[100];

        NeighbourSelection.WalkOrder(first, shuffle: true, new DeterministicRandom(42).Fork(7));
        NeighbourSelection.WalkOrder(second, shuffle: true, new DeterministicRandom(42).Fork(7));
        NeighbourSelection.WalkOrder(other, shuffle: true, new DeterministicRandom(42).Fork(8));

        Assert.Equal(Enumerable.Range(0, 100), first.Order());
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        Assert.NotEqual(Enumerable.Range(0, 100), first);
    }
}

using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Core.Preparation;
using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Core.Tests.Preparation;

public sealed class OwnershipAssignerTests
{
    private static OwnershipCandidate Candidate(int user, int playlist, double priority) =>
        new(new UserIdx(user), new PlaylistIdx(playlist), priority);

    // 3 users, 4 playlists, given out of playlist order on purpose:
    //   p0: u0 0.9, u1 0.5          → u0 (highest)
    //   p1: u1 0.4, u2 0.4          → tie: the higher user index, u2
    //   p2: u0 0.7, u2 0.6          → with cap 1 both already own one: unowned; with cap 2 → u0
    //   p3: none                    → unowned, without candidates
    private static readonly OwnershipCandidate[] HandMade =
    [
        Candidate(2, 2, 0.6),
        Candidate(0, 2, 0.7),
        Candidate(1, 1, 0.4),
        Candidate(1, 0, 0.5),
        Candidate(2, 1, 0.4),
        Candidate(0, 0, 0.9),
    ];

    [Fact]
    public void Priority_WhenUserHasSongs_DividesScoreByRootOfSongs()
    {
        // 0.5 / √4 = 0.25.
        Assert.Equal(0.25, OwnershipAssigner.Priority(0.5, 4), 15);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Priority_WhenSongsBelowOne_TreatsThemAsOne(int userSongs)
    {
        Assert.Equal(0.5, OwnershipAssigner.Priority(0.5, userSongs), 15);
    }

    [Fact]
    public void Assign_WhenCapOne_GivesEachPlaylistToBestCandidateBelowCap()
    {
        var result = OwnershipAssigner.Assign(4, HandMade, cap: 1);

        Assert.Equal([0, 2, -1, -1], result.OwnerByPlaylist);
        Assert.Equal(2, result.Owners);
        Assert.Equal(1, result.UnownedWithCandidates);
        Assert.Equal(1, result.WithoutCandidates);
    }

    [Fact]
    public void Assign_WhenCapTwo_TopCandidateTakesSecondPlaylist()
    {
        var result = OwnershipAssigner.Assign(4, HandMade, cap: 2);

        Assert.Equal([0, 2, 0, -1], result.OwnerByPlaylist);
        Assert.Equal(2, result.Owners);
        Assert.Equal(0, result.UnownedWithCandidates);
        Assert.Equal(1, result.WithoutCandidates);
    }

    [Fact]
    public void Assign_WhenTopCandidateIsAtCap_FallsToNextCandidate()
    {
        // u0 is best everywhere; cap 1: p0 → u0, p1 → next best u1.
        OwnershipCandidate[] candidates = [Candidate(0, 0, 0.9), Candidate(0, 1, 0.9), Candidate(1, 1, 0.1)];

        var result = OwnershipAssigner.Assign(2, candidates, cap: 1);

        Assert.Equal([0, 1], result.OwnerByPlaylist);
        Assert.Equal(2, result.Owners);
    }

    [Fact]
    public void Assign_WhenUserContested_LowerPlaylistIndexClaimsFirst()
    {
        // u0 prefers p1 by far, but playlists are processed in ascending index: p0 takes u0's only slot.
        OwnershipCandidate[] candidates = [Candidate(0, 1, 0.99), Candidate(0, 0, 0.01)];

        var result = OwnershipAssigner.Assign(2, candidates, cap: 1);

        Assert.Equal([0, -1], result.OwnerByPlaylist);
        Assert.Equal(1, result.UnownedWithCandidates);
        Assert.Equal(0, result.WithoutCandidates);
    }

    [Fact]
    public void Assign_WhenPrioritiesTie_HigherUserIndexWinsRegardlessOfInputOrder()
    {
        OwnershipCandidate[] forward = [Candidate(3, 0, 0.5), Candidate(8, 0, 0.5), Candidate(5, 0, 0.5)];
        OwnershipCandidate[] backward = [.. forward.Reverse()];

        Assert.Equal(8, OwnershipAssigner.Assign(1, forward, 5).OwnerByPlaylist[0]);
        Assert.Equal(8, OwnershipAssigner.Assign(1, backward, 5).OwnerByPlaylist[0]);
    }

    [Fact]
    public void Assign_WhenNoCandidates_AllUnownedWithoutCandidates()
    {
        var result = OwnershipAssigner.Assign(3, [], cap: 100);

        Assert.Equal([-1, -1, -1], result.OwnerByPlaylist);
        Assert.Equal(0, result.Owners);
        Assert.Equal(0, result.UnownedWithCandidates);
        Assert.Equal(3, result.WithoutCandidates);
    }

    [Fact]
    public void Assign_WhenCandidatePlaylistOutOfRange_Throws()
    {
        Assert.Throws<ArgumentException>(() => OwnershipAssigner.Assign(2, [Candidate(0, 2, 0.5)], cap: 1));
    }

    [Fact]
    public void Assign_WhenCapIsZero_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OwnershipAssigner.Assign(2, [Candidate(0, 1, 0.5)], cap: 0));
    }

    [Fact]
    public void Assign_WhenRandomInputWithTies_MatchesSortThenScanReference()
    {
        var random = new DeterministicRandom(2024);
        const int playlists = 300;
        const int users = 40;
        var candidates = new List<OwnershipCandidate>();
        for (var p = 0; p < playlists; p++)
        {
            var n = random.NextInt(6); // some playlists get none
            for (var k = 0; k < n; k++)
            {
                // Few distinct priorities, so ties are common.
                candidates.Add(Candidate(random.NextInt(users), p, random.NextInt(4) / 4.0));
            }
        }

        var input = candidates.ToArray();
        random.Shuffle<OwnershipCandidate>(input);

        var result = OwnershipAssigner.Assign(playlists, input, cap: 3);

        var expected = Reference(playlists, input, 3);
        Assert.Equal(expected, result.OwnerByPlaylist);
        Assert.Equal(expected.Where(o => o >= 0).Distinct().Count(), result.Owners);
        Assert.All(expected.Where(o => o >= 0).GroupBy(o => o), g => Assert.True(g.Count() <= 3));
        Assert.True(result.UnownedWithCandidates > 0, "the case should exercise the cap");
        Assert.Equal(
            Enumerable.Range(0, playlists).Count(p => expected[p] < 0 && input.Any(c => c.Playlist.Value == p)),
            result.UnownedWithCandidates);
        Assert.Equal(Enumerable.Range(0, playlists).Count(p => input.All(c => c.Playlist.Value != p)), result.WithoutCandidates);
    }

    // The original's algorithm, literally: per playlist ascending, sort by (priority, user) descending, first below cap.
    private static int[] Reference(int playlists, OwnershipCandidate[] candidates, int cap)
    {
        var owned = new Dictionary<int, int>();
        var owners = new int[playlists];
        for (var p = 0; p < playlists; p++)
        {
            owners[p] = -1;
            var ranked = candidates
                .Where(c => c.Playlist.Value == p)
                .OrderByDescending(c => c.Priority)
                .ThenByDescending(c => c.User.Value);
            foreach (var c in ranked)
            {
                var count = owned.GetValueOrDefault(c.User.Value);
                if (count < cap)
                {
                    owned[c.User.Value] = count + 1;
                    owners[p] = c.User.Value;
                    break;
                }
            }
        }

        return owners;
    }
}

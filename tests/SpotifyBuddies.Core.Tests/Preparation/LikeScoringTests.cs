using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Core.Preparation;

namespace SpotifyBuddies.Core.Tests.Preparation;

public sealed class LikeScoringTests
{
    [Fact]
    public void Score_WhenExplorationIsQuarter_MatchesHandComputation()
    {
        // m = 3, e = 0.25, s = 16, p = 4:
        // numerator   = 0.75·ln(4) + 0.25 = 0.75·1.3862943611198906 + 0.25 = 1.2897207708399180
        // denominator = √16·√4 = 4·2 = 8
        // score       = 1.2897207708399180 / 8 = 0.16121509635498975
        Assert.Equal(0.16121509635498975, LikeScoring.Score(3, 0.25, 16, 4), 14);
    }

    [Fact]
    public void Score_WhenExplorationIsZero_IsLogOfOnePlusMatchesOverRoots()
    {
        // m = 1, e = 0, s = 1, p = 1: ln(2) / 1 = 0.6931471805599453 (natural log, not log10 = 0.301).
        Assert.Equal(0.6931471805599453, LikeScoring.Score(1, 0.0, 1, 1), 15);
    }

    [Fact]
    public void Score_WhenExplorationIsOne_IgnoresMatches()
    {
        // e = 1: numerator = 0·ln(1+m) + 1 = 1; s = 4, p = 9: 1/(2·3) = 1/6 whatever m is.
        Assert.Equal(1.0 / 6.0, LikeScoring.Score(1, 1.0, 4, 9), 15);
        Assert.Equal(1.0 / 6.0, LikeScoring.Score(50, 1.0, 4, 9), 15);
    }

    [Fact]
    public void Score_WhenMoreMatches_IsHigher()
    {
        Assert.True(LikeScoring.Score(5, 0.2, 100, 50) > LikeScoring.Score(4, 0.2, 100, 50));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    public void Score_WhenSongCountIsZero_Throws(int userSongs, int playlistSongs)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LikeScoring.Score(1, 0.2, userSongs, playlistSongs));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)] // 0.015 → ceil 1
    [InlineData(66, 1)] // 0.99 → ceil 1
    [InlineData(67, 2)] // 1.005 → ceil 2
    [InlineData(200, 3)] // 3 exactly
    [InlineData(201, 4)] // 3.015 (3.0149999999999997 in doubles) → ceil 4
    [InlineData(1000, 15)] // 15 exactly
    public void LikedCount_WhenDefaultFraction_IsMaxOneCeilFractionTimesN(int overlapping, int expected)
    {
        Assert.Equal(expected, LikeScoring.LikedCount(overlapping, 0.015));
    }

    [Fact]
    public void LikedCount_WhenProductIsJustAboveAnInteger_DoesNotOvershoot()
    {
        // 0.07·100 = 7.000000000000001 in doubles: a naive ceil gives 8.
        Assert.Equal(7, LikeScoring.LikedCount(100, 0.07));
    }

    [Fact]
    public void LikedCount_WhenFractionIsOne_IsAll()
    {
        Assert.Equal(7, LikeScoring.LikedCount(7, 1.0));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void LikedCount_WhenFractionOutsideUnitInterval_Throws(double fraction)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LikeScoring.LikedCount(10, fraction));
    }

    [Fact]
    public void Compare_WhenScoresDiffer_HigherScoreFirst()
    {
        var high = new ScoredPlaylist(new PlaylistIdx(9), 1, 0.5);
        var low = new ScoredPlaylist(new PlaylistIdx(1), 1, 0.4);

        Assert.True(LikeScoring.Compare(high, low) < 0);
        Assert.True(LikeScoring.Compare(low, high) > 0);
    }

    [Fact]
    public void Compare_WhenScoresTie_LowerPlaylistIndexFirst()
    {
        var a = new ScoredPlaylist(new PlaylistIdx(3), 1, 0.5);
        var b = new ScoredPlaylist(new PlaylistIdx(7), 2, 0.5);

        Assert.True(LikeScoring.Compare(a, b) < 0);
        Assert.True(LikeScoring.Compare(b, a) > 0);
        Assert.Equal(0, LikeScoring.Compare(a, a));
    }

    [Fact]
    public void SelectLiked_WhenScoresTie_SortsByScoreThenPlaylistAndReturnsLikedCount()
    {
        ScoredPlaylist[] overlapping =
        [
            new(new PlaylistIdx(5), 1, 0.2),
            new(new PlaylistIdx(4), 1, 0.9),
            new(new PlaylistIdx(2), 1, 0.2),
            new(new PlaylistIdx(8), 1, 0.9),
            new(new PlaylistIdx(1), 1, 0.1),
        ];

        // 5 playlists at fraction 0.5: ceil(2.5) = 3 liked.
        var liked = LikeScoring.SelectLiked(overlapping, 0.5);

        Assert.Equal(3, liked);
        Assert.Equal([4, 8, 2, 5, 1], overlapping.Select(p => p.Playlist.Value));
    }

    [Fact]
    public void SelectLiked_WhenEmpty_ReturnsZero()
    {
        Assert.Equal(0, LikeScoring.SelectLiked([], 0.015));
    }

    [Fact]
    public void SelectLiked_WhenManyPlaylists_LikesTopOnePointFivePercent()
    {
        var overlapping = Enumerable.Range(0, 200)
            .Select(i => new ScoredPlaylist(new PlaylistIdx(i), 1, i / 1000.0))
            .ToArray();

        var liked = LikeScoring.SelectLiked(overlapping, 0.015);

        Assert.Equal(3, liked);
        Assert.Equal([199, 198, 197], overlapping[..liked].Select(p => p.Playlist.Value));
    }
}

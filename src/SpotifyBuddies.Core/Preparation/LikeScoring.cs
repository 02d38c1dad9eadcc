namespace SpotifyBuddies.Core.Preparation;

/// <summary>Scores and the "liked" label.</summary>
public static class LikeScoring
{
    /// <summary><c>((1−e)·ln(1+m) + e) / (√s·√p)</c>, natural log; only meaningful for m &gt; 0.</summary>
    /// <param name="matches">m: songs the user and the playlist share (not negative).</param>
    /// <param name="exploration">e: the user's exploration draw, in [0, 1].</param>
    /// <param name="userSongs">s: the user's unique songs (positive).</param>
    /// <param name="playlistSongs">p: the playlist's unique songs (positive).</param>
    public static double Score(int matches, double exploration, int userSongs, int playlistSongs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(matches);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(userSongs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(playlistSongs);
        var numerator = ((1.0 - exploration) * Math.Log(1.0 + matches)) + exploration;
        return numerator / (Math.Sqrt(userSongs) * Math.Sqrt(playlistSongs));
    }

    /// <summary>max(1, ceil(fraction·n)) for n &gt; 0 (0 for n = 0), computed without floating-point overshoot (0.015·200 is 3, not 4).</summary>
    /// <remarks>The product is snapped to the nearest integer when it is within rounding noise of it; never more than n.</remarks>
    public static int LikedCount(int overlapping, double likedFraction)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(overlapping);
        if (!FractionMath.IsUnitInterval(likedFraction))
        {
            throw new ArgumentOutOfRangeException(nameof(likedFraction), likedFraction, "The liked fraction must be in [0, 1].");
        }

        if (overlapping == 0)
        {
            return 0;
        }

        return Math.Clamp(FractionMath.Ceiling(likedFraction, overlapping), 1, overlapping);
    }

    /// <summary>The like order: score descending, ties broken by playlist index ascending (deterministic, documented).</summary>
    /// <remarks>A NaN score sorts after every number (it is never preferred).</remarks>
    public static int Compare(ScoredPlaylist a, ScoredPlaylist b)
    {
        var byScore = b.Score.CompareTo(a.Score);
        return byScore != 0 ? byScore : a.Playlist.Value.CompareTo(b.Playlist.Value);
    }

    /// <summary>Sorts <paramref name="overlapping"/> in the like order and returns how many of its prefix are liked.</summary>
    public static int SelectLiked(Span<ScoredPlaylist> overlapping, double likedFraction)
    {
        var liked = LikedCount(overlapping.Length, likedFraction);
        overlapping.Sort(default(LikeOrder));
        return liked;
    }

    /// <summary><see cref="Compare"/> as a struct comparer, so sorting allocates no delegate.</summary>
    private readonly struct LikeOrder : IComparer<ScoredPlaylist>
    {
        public int Compare(ScoredPlaylist x, ScoredPlaylist y) => LikeScoring.Compare(x, y);
    }
}

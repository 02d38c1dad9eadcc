using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Core.Preparation;

namespace SpotifyBuddies.Data.Preparation;

/// <summary>
/// One row of the sparse product <c>user×song · song×playlist</c> at a time (Gustavson's algorithm): for each of a
/// user's songs, every playlist in the song's posting list gets +1. The accumulator is a dense count array of
/// size P plus a bitmap of touched playlists, both owned by one thread and left zeroed after each user, so a row
/// costs O(postings visited + touched words) and allocates nothing. The touched playlists come out in ascending
/// index order, which makes every later step independent of the order the songs were visited in.
/// </summary>
internal sealed class OverlapAccumulator
{
    private readonly int[] _counts;
    private readonly ulong[] _touched;

    public OverlapAccumulator(int playlistCount)
    {
        _counts = new int[playlistCount];
        _touched = new ulong[(playlistCount + 63) / 64];
        Playlists = new int[playlistCount];
        Matches = new int[playlistCount];
        Scores = new double[playlistCount];
        ScoreScratch = new double[playlistCount];
    }

    /// <summary>Overlapping playlists of the last row, ascending (the first <c>n</c> entries).</summary>
    public int[] Playlists { get; }

    /// <summary>m for each entry of <see cref="Playlists"/>.</summary>
    public int[] Matches { get; }

    /// <summary>Scores (or any per-item doubles) for the caller.</summary>
    public double[] Scores { get; }

    /// <summary>Working space of <see cref="LikeSelection"/>.</summary>
    public double[] ScoreScratch { get; }

    /// <summary>Scored overlaps (likes phase), created on first use.</summary>
    public ScoredPlaylist[] Scored => field ??= new ScoredPlaylist[_counts.Length];

    /// <summary>Selected items (likes phase), created on first use.</summary>
    public ScoredPlaylist[] Top => field ??= new ScoredPlaylist[_counts.Length];

    /// <summary>Negative pool, hard and easy parts (negatives phase), created on first use.</summary>
    public PlaylistIdx[] Pool => field ??= new PlaylistIdx[_counts.Length];

    public PlaylistIdx[] Hard => field ??= new PlaylistIdx[_counts.Length];

    public PlaylistIdx[] Easy => field ??= new PlaylistIdx[_counts.Length];

    /// <summary>Per-playlist flags for the caller (must be left all false).</summary>
    public bool[] Marks => field ??= new bool[_counts.Length];

    /// <summary>
    /// Computes m(u, p) for every playlist sharing a song with <paramref name="songs"/> (the user's songs, distinct);
    /// returns how many playlists overlap, with <see cref="Playlists"/>/<see cref="Matches"/> filled ascending.
    /// </summary>
    public int Accumulate(ReadOnlySpan<int> songs, SparseRows postings)
    {
        var counts = _counts;
        var touched = _touched;
        var postingOffsets = postings.Offsets;
        var postingValues = postings.Values;
        var minWord = int.MaxValue;
        var maxWord = -1;
        ref var countsRef = ref MemoryMarshal.GetArrayDataReference(counts);
        ref var touchedRef = ref MemoryMarshal.GetArrayDataReference(touched);
        foreach (var song in songs)
        {
            var start = postingOffsets[song];
            var end = postingOffsets[song + 1];
            if (start == end)
            {
                continue;
            }

            // Posting lists are ascending: their ends bound the bitmap words to scan.
            minWord = Math.Min(minWord, postingValues[start] >> 6);
            maxWord = Math.Max(maxWord, postingValues[end - 1] >> 6);
            for (var i = start; i < end; i++)
            {
                var playlist = postingValues[i];
                Unsafe.Add(ref countsRef, playlist)++;
                Unsafe.Add(ref touchedRef, playlist >> 6) |= 1UL << playlist;
            }
        }

        var n = 0;
        var playlists = Playlists;
        var matches = Matches;
        for (var w = minWord; w <= maxWord; w++)
        {
            var word = touched[w];
            if (word == 0)
            {
                continue;
            }

            touched[w] = 0;
            var baseIndex = w << 6;
            do
            {
                var playlist = baseIndex + BitOperations.TrailingZeroCount(word);
                playlists[n] = playlist;
                matches[n] = counts[playlist];
                counts[playlist] = 0;
                n++;
                word &= word - 1;
            }
            while (word != 0);
        }

        return n;
    }
}

/// <summary>
/// The like score of original-system.md §1 with its per-row constants hoisted: <c>ln(1+m)</c> from a table and
/// <c>√p</c> per playlist. The operations are exactly those of <see cref="LikeScoring.Score"/> (same IEEE
/// operations in the same order), so the scores are bit-identical to it; a test checks this.
/// </summary>
internal sealed class ScoreTables
{
    private readonly double[] _logOnePlus;
    private readonly double[] _sqrtPlaylistSongs;

    public ScoreTables(SparseRows playlistSongs)
    {
        var maxLength = 0;
        _sqrtPlaylistSongs = new double[playlistSongs.RowCount];
        for (var p = 0; p < playlistSongs.RowCount; p++)
        {
            var length = playlistSongs.Length(p);
            maxLength = Math.Max(maxLength, length);
            _sqrtPlaylistSongs[p] = Math.Sqrt(length);
        }

        _logOnePlus = new double[maxLength + 1];
        for (var m = 0; m <= maxLength; m++)
        {
            _logOnePlus[m] = Math.Log(1.0 + m);
        }
    }

    /// <summary>
    /// Scores the first <paramref name="count"/> overlaps of <paramref name="accumulator"/> into
    /// <paramref name="destination"/> and <paramref name="scores"/>, keeping their ascending playlist order.
    /// </summary>
    public void Score(OverlapAccumulator accumulator, int count, double exploration, int userSongs, Span<ScoredPlaylist> destination, Span<double> scores)
    {
        var oneMinusE = 1.0 - exploration;
        var sqrtS = Math.Sqrt(userSongs);
        var playlists = accumulator.Playlists;
        var matches = accumulator.Matches;
        var logs = _logOnePlus;
        var roots = _sqrtPlaylistSongs;
        for (var i = 0; i < count; i++)
        {
            var p = playlists[i];
            var m = matches[i];
            var score = ((oneMinusE * logs[m]) + exploration) / (sqrtS * roots[p]);
            destination[i] = new ScoredPlaylist(new PlaylistIdx(p), m, score);
            scores[i] = score;
        }
    }

    /// <summary>
    /// The negative pool of the last row: overlaps not flagged in <see cref="OverlapAccumulator.Marks"/> and not
    /// owned by <paramref name="user"/>, in ascending playlist order, with their scores; returns the pool size.
    /// </summary>
    public int ScorePool(OverlapAccumulator accumulator, int count, double exploration, int userSongs, int user, int[] owners)
    {
        var oneMinusE = 1.0 - exploration;
        var sqrtS = Math.Sqrt(userSongs);
        var playlists = accumulator.Playlists;
        var matches = accumulator.Matches;
        var marks = accumulator.Marks;
        var pool = accumulator.Pool;
        var scores = accumulator.Scores;
        var logs = _logOnePlus;
        var roots = _sqrtPlaylistSongs;
        var size = 0;
        for (var i = 0; i < count; i++)
        {
            var p = playlists[i];
            if (marks[p] || owners[p] == user)
            {
                continue;
            }

            pool[size] = new PlaylistIdx(p);
            scores[size] = ((oneMinusE * logs[matches[i]]) + exploration) / (sqrtS * roots[p]);
            size++;
        }

        return size;
    }

    /// <summary>The same score for one pair (for checks).</summary>
    public double Score(int matches, double exploration, int userSongs, int playlist)
    {
        var numerator = ((1.0 - exploration) * _logOnePlus[matches]) + exploration;
        return numerator / (Math.Sqrt(userSongs) * _sqrtPlaylistSongs[playlist]);
    }
}

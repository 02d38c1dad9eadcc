using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Core.Preparation;

namespace SpotifyBuddies.Data.Preparation;

/// <summary>
/// One row of the sparse product <c>user×song · song×playlist</c> at a time (Gustavson's algorithm): for each of a
/// user's songs, every playlist in the song's posting list gets +1. The accumulator is a dense count array of
/// size P owned by one thread and left zeroed after each user, so a row costs O(postings visited + P/64) and
/// allocates nothing. The touched playlists come out in ascending index order, which makes every later step
/// independent of the order the songs were visited in.
/// </summary>
/// <remarks>
/// Two equivalent kernels. With AVX-512 and playlists of at most 255 songs (m(u, p) ≤ |songs(p)|, so a count fits a
/// byte), counts are bytes (a quarter of the cache footprint) and the touched playlists are found by scanning the
/// counts 64 at a time and compressing the non-zero lanes (no data-dependent branch per playlist). Otherwise counts
/// are ints and a bitmap of touched playlists is kept beside them. Both give the same rows; a test checks it.
/// </remarks>
internal sealed class OverlapAccumulator
{
    private static readonly Vector512<int> Lanes = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

    private readonly int _playlistCount;
    private readonly byte[]? _byteCounts;
    private readonly int[]? _counts;
    private readonly ulong[]? _touched;

    /// <summary>An accumulator for the playlists of <paramref name="playlistSongs"/> (rows: playlists, values: songs).</summary>
    /// <param name="playlistSongs">The playlist rows whose transpose will be passed to <see cref="Accumulate"/>.</param>
    /// <param name="allowVectorScan">False forces the portable kernel (for tests).</param>
    public OverlapAccumulator(SparseRows playlistSongs, bool allowVectorScan = true)
    {
        _playlistCount = playlistSongs.RowCount;
        var maxRowLength = 0;
        for (var p = 0; p < _playlistCount; p++)
        {
            maxRowLength = Math.Max(maxRowLength, playlistSongs.Length(p));
        }

        if (allowVectorScan && maxRowLength <= byte.MaxValue && Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
        {
            // Rounded up to whole 64-byte blocks: the scan reads and clears whole blocks.
            _byteCounts = new byte[((_playlistCount + 63) & ~63) + 64];
        }
        else
        {
            _counts = new int[_playlistCount];
            _touched = new ulong[(_playlistCount + 63) / 64];
        }

        // 16 spare entries: the vector kernel stores 16 lanes at a time past the last one it keeps.
        Playlists = new int[_playlistCount + 16];
        Matches = new int[_playlistCount + 16];
        Scores = new double[_playlistCount];
        ScoreScratch = new double[_playlistCount];
    }

    /// <summary>Whether the byte-count AVX-512 kernel is in use.</summary>
    public bool IsVectorScan => _byteCounts is not null;

    /// <summary>Overlapping playlists of the last row, ascending (the first <c>n</c> entries).</summary>
    public int[] Playlists { get; }

    /// <summary>m for each entry of <see cref="Playlists"/>.</summary>
    public int[] Matches { get; }

    /// <summary>Scores (or any per-item doubles) for the caller.</summary>
    public double[] Scores { get; }

    /// <summary>Working space of <see cref="LikeSelection"/>.</summary>
    public double[] ScoreScratch { get; }

    /// <summary>Indexes of the selected overlaps (likes phase), created on first use.</summary>
    public int[] TopIndexes => field ??= new int[_playlistCount];

    /// <summary>Negative pool, hard and easy parts (negatives phase), created on first use.</summary>
    public PlaylistIdx[] Pool => field ??= new PlaylistIdx[_playlistCount];

    public PlaylistIdx[] Hard => field ??= new PlaylistIdx[_playlistCount];

    public PlaylistIdx[] Easy => field ??= new PlaylistIdx[_playlistCount];

    /// <summary>A buffer of at least <paramref name="length"/> ints for a user's excluded playlists (negatives phase).</summary>
    public Span<int> Excluded(int length)
    {
        if (_excluded.Length < length)
        {
            _excluded = new int[Math.Max(length, 2 * _excluded.Length)];
        }

        return _excluded;
    }

    private int[] _excluded = new int[256];

    /// <summary>Per-playlist flags for the caller (must be left all false).</summary>
    public bool[] Marks => field ??= new bool[_playlistCount];

    /// <summary>
    /// Computes m(u, p) for every playlist sharing a song with <paramref name="songs"/> (the user's songs, distinct);
    /// returns how many playlists overlap, with <see cref="Playlists"/>/<see cref="Matches"/> filled ascending.
    /// </summary>
    /// <param name="postings">The transpose of the playlist rows given to the constructor.</param>
    public int Accumulate(ReadOnlySpan<int> songs, SparseRows postings) =>
        _byteCounts is not null ? AccumulateBytes(songs, postings, _byteCounts) : AccumulateInts(songs, postings, _counts!, _touched!);

    private int AccumulateInts(ReadOnlySpan<int> songs, SparseRows postings, int[] counts, ulong[] touched)
    {
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

    private int AccumulateBytes(ReadOnlySpan<int> songs, SparseRows postings, byte[] counts)
    {
        var postingOffsets = postings.Offsets;
        var postingValues = postings.Values;
        var first = int.MaxValue;
        var last = -1;
        ref var countsRef = ref MemoryMarshal.GetArrayDataReference(counts);
        ref var valuesRef = ref MemoryMarshal.GetArrayDataReference(postingValues);
        foreach (var song in songs)
        {
            var start = postingOffsets[song];
            var end = postingOffsets[song + 1];
            if (start == end)
            {
                continue;
            }

            first = Math.Min(first, postingValues[start]);
            last = Math.Max(last, postingValues[end - 1]);
            for (var i = start; i < end; i++)
            {
                Unsafe.Add(ref countsRef, Unsafe.Add(ref valuesRef, i))++;
            }
        }

        if (last < 0)
        {
            return 0;
        }

        // Blocks of 64 counts: each quarter is widened to 16 ints and its non-zero lanes (playlist, m) are
        // compressed to the front and stored whole; n advances by their number, so later stores overwrite the rest.
        ref var playlistsRef = ref MemoryMarshal.GetArrayDataReference(Playlists);
        ref var matchesRef = ref MemoryMarshal.GetArrayDataReference(Matches);
        var n = 0;
        for (var block = first & ~63; block <= last; block += 64)
        {
            var values = Vector512.LoadUnsafe(ref countsRef, (nuint)block);
            if (Vector512.EqualsAll(values, Vector512<byte>.Zero))
            {
                continue;
            }

            n = CompressQuarter(values.GetLower().GetLower(), block, n, ref playlistsRef, ref matchesRef);
            n = CompressQuarter(values.GetLower().GetUpper(), block + 16, n, ref playlistsRef, ref matchesRef);
            n = CompressQuarter(values.GetUpper().GetLower(), block + 32, n, ref playlistsRef, ref matchesRef);
            n = CompressQuarter(values.GetUpper().GetUpper(), block + 48, n, ref playlistsRef, ref matchesRef);
            Vector512<byte>.Zero.StoreUnsafe(ref countsRef, (nuint)block);
        }

        return n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int CompressQuarter(Vector128<byte> quarter, int firstPlaylist, int n, ref int playlistsRef, ref int matchesRef)
    {
        var matches = Avx512F.ConvertToVector512Int32(quarter);
        var touched = Vector512.GreaterThan(matches, Vector512<int>.Zero);
        var playlists = Vector512.Create(firstPlaylist) + Lanes;
        Avx512F.Compress(Vector512<int>.Zero, touched, playlists).StoreUnsafe(ref playlistsRef, (nuint)n);
        Avx512F.Compress(Vector512<int>.Zero, touched, matches).StoreUnsafe(ref matchesRef, (nuint)n);
        return n + BitOperations.PopCount((uint)touched.ExtractMostSignificantBits());
    }
}

/// <summary>
/// The like score of original-system.md §1 with its per-row constants hoisted: <c>ln(1+m)</c> from a table and
/// <c>√p</c> per playlist. The operations are exactly those of <see cref="LikeScoring.Score"/> (same IEEE
/// operations in the same order), so the scores are bit-identical to it; a test checks this.
/// </summary>
/// <remarks>
/// With AVX-512, 8 scores are computed at a time (the same multiply, add, multiply and divide per lane, each
/// correctly rounded as in scalar code, so the results are the same bits); the division is what this saves.
/// </remarks>
internal sealed class ScoreTables
{
    private readonly double[] _logOnePlus;
    private readonly double[] _sqrtPlaylistSongs;
    private readonly bool _vector;

    /// <param name="playlistSongs">The playlist rows (for their lengths).</param>
    /// <param name="allowVector">False forces the scalar loop (for tests).</param>
    public ScoreTables(SparseRows playlistSongs, bool allowVector = true)
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

        _vector = allowVector && Vector512.IsHardwareAccelerated;
    }

    /// <summary>
    /// Scores the first <paramref name="count"/> overlaps of <paramref name="accumulator"/> (its playlists and m) into
    /// <paramref name="scores"/>, keeping their ascending playlist order.
    /// </summary>
    public void ScoreAll(OverlapAccumulator accumulator, int count, double exploration, int userSongs, Span<double> scores)
    {
        var oneMinusE = 1.0 - exploration;
        var sqrtS = Math.Sqrt(userSongs);
        var playlists = accumulator.Playlists.AsSpan(0, count);
        var matches = accumulator.Matches.AsSpan(0, count);
        scores = scores[..count];
        var logs = _logOnePlus;
        var roots = _sqrtPlaylistSongs;
        var i = 0;
        if (_vector)
        {
            var oneMinusEs = Vector512.Create(oneMinusE);
            var es = Vector512.Create(exploration);
            var sqrtSs = Vector512.Create(sqrtS);
            ref var scoresRef = ref MemoryMarshal.GetReference(scores);
            for (; i + 8 <= count; i += 8)
            {
                var log = Vector512.Create(
                    logs[matches[i]], logs[matches[i + 1]], logs[matches[i + 2]], logs[matches[i + 3]],
                    logs[matches[i + 4]], logs[matches[i + 5]], logs[matches[i + 6]], logs[matches[i + 7]]);
                var root = Vector512.Create(
                    roots[playlists[i]], roots[playlists[i + 1]], roots[playlists[i + 2]], roots[playlists[i + 3]],
                    roots[playlists[i + 4]], roots[playlists[i + 5]], roots[playlists[i + 6]], roots[playlists[i + 7]]);
                var score = ((oneMinusEs * log) + es) / (sqrtSs * root);
                score.StoreUnsafe(ref scoresRef, (nuint)i);
            }
        }

        for (; i < count; i++)
        {
            scores[i] = ((oneMinusE * logs[matches[i]]) + exploration) / (sqrtS * roots[playlists[i]]);
        }
    }

    /// <summary>
    /// The negative pool of the last row: overlaps not flagged in <see cref="OverlapAccumulator.Marks"/> and not
    /// owned by <paramref name="user"/>, into <see cref="OverlapAccumulator.Pool"/> in ascending playlist order, with
    /// their scores in <see cref="OverlapAccumulator.Scores"/>; returns the pool size.
    /// </summary>
    public int ScorePool(OverlapAccumulator accumulator, int count, double exploration, int userSongs, int user, int[] owners)
    {
        // Score every overlap, then keep the pool in place (the pool index never passes the overlap index).
        var scores = accumulator.Scores;
        ScoreAll(accumulator, count, exploration, userSongs, scores);
        var playlists = accumulator.Playlists;
        var marks = accumulator.Marks;
        var pool = accumulator.Pool;
        var size = 0;
        for (var i = 0; i < count; i++)
        {
            var p = playlists[i];
            if (marks[p] || owners[p] == user)
            {
                continue;
            }

            pool[size] = new PlaylistIdx(p);
            scores[size] = scores[i];
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

using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Core.Preparation;

/// <summary>Validation and test batches without leaks.</summary>
public static class EvaluationBatchSampler
{
    /// <summary>
    /// For each of <paramref name="positives"/>, <paramref name="count"/> distinct negatives drawn uniformly from
    /// <paramref name="universe"/> (ascending, distinct playlist indexes) minus <paramref name="excluded"/> (the user's
    /// validation, train and test positives and owned playlists; ascending, distinct). When fewer than count are
    /// eligible, all eligible are used (the row is shorter). Appends to <paramref name="output"/>.
    /// </summary>
    /// <remarks>
    /// <para>One row per positive, in the given order, even when no playlist is eligible (an empty row). The
    /// positive itself is never a negative, even when it is missing from <paramref name="excluded"/>.</para>
    /// <para>When at least half the universe and at least 2·count + 2 playlists are eligible, negatives are drawn by
    /// rejection (a uniform universe index, rejected if excluded or already drawn, both O(1) lookups in the stamps of
    /// an <see cref="EvaluationSamplerScratch"/>): O(count) expected draws per row, no per-row allocation but the row. Otherwise the eligible playlists are listed once per call and each row
    /// is a partial Fisher–Yates shuffle of that list. <paramref name="excluded"/> is checked to be strictly
    /// ascending; <paramref name="universe"/> is trusted (checking it per user would cost O(|universe|)).</para>
    /// <para>This overload allocates its working memory (one int per playlist index) on every call; callers that
    /// sample many users pass one <see cref="EvaluationSamplerScratch"/> per thread to the other overload.</para>
    /// </remarks>
    public static void Sample(
        UserIdx user,
        ReadOnlySpan<PlaylistIdx> positives,
        ReadOnlySpan<int> universe,
        ReadOnlySpan<int> excluded,
        int count,
        DeterministicRandom random,
        List<EvaluationBatch> output) =>
        Sample(user, positives, universe, excluded, count, random, output, new EvaluationSamplerScratch());

    /// <summary>
    /// As <see cref="Sample(UserIdx, ReadOnlySpan{PlaylistIdx}, ReadOnlySpan{int}, ReadOnlySpan{int}, int, DeterministicRandom, List{EvaluationBatch})"/>,
    /// with reusable working memory: the rows drawn are the same, draw for draw, whatever <paramref name="scratch"/>
    /// held before (it is only ever a cache of "seen" flags, never an input).
    /// </summary>
    public static void Sample(
        UserIdx user,
        ReadOnlySpan<PlaylistIdx> positives,
        ReadOnlySpan<int> universe,
        ReadOnlySpan<int> excluded,
        int count,
        DeterministicRandom random,
        List<EvaluationBatch> output,
        EvaluationSamplerScratch scratch) =>
        Sample(user, positives, new EvaluationUniverse(universe.ToArray()), excluded, count, random, output, scratch);

    /// <summary>
    /// As <see cref="Sample(UserIdx, ReadOnlySpan{PlaylistIdx}, ReadOnlySpan{int}, ReadOnlySpan{int}, int, DeterministicRandom, List{EvaluationBatch}, EvaluationSamplerScratch)"/>
    /// over a prepared <paramref name="universe"/> (built once for all users: "is it in the universe?" is then a
    /// lookup instead of a binary search). Same rows, draw for draw.
    /// </summary>
    public static void Sample(
        UserIdx user,
        ReadOnlySpan<PlaylistIdx> positives,
        EvaluationUniverse universe,
        ReadOnlySpan<int> excluded,
        int count,
        DeterministicRandom random,
        List<EvaluationBatch> output,
        EvaluationSamplerScratch scratch)
    {
        ArgumentNullException.ThrowIfNull(universe);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(scratch);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        for (var i = 1; i < excluded.Length; i++)
        {
            if (excluded[i] <= excluded[i - 1])
            {
                throw new ArgumentException("The excluded playlists must be ascending and distinct.", nameof(excluded));
            }
        }

        if (positives.IsEmpty)
        {
            return;
        }

        var excludedInUniverse = 0;
        foreach (var playlist in excluded)
        {
            excludedInUniverse += universe.Contains(playlist) ? 1 : 0;
        }

        var ids = universe.Ids;
        var eligible = ids.Length - excludedInUniverse;
        output.EnsureCapacity(output.Count + positives.Length);
        if (eligible >= (2L * count) + 2 && eligible >= ids.Length - eligible)
        {
            SampleByRejection(user, positives, ids, excluded, count, random, output, scratch);
        }
        else
        {
            SampleFromEligible(user, positives, universe, excluded, eligible, count, random, output);
        }
    }

    private static void SampleByRejection(
        UserIdx user,
        ReadOnlySpan<PlaylistIdx> positives,
        ReadOnlySpan<int> universe,
        ReadOnlySpan<int> excluded,
        int count,
        DeterministicRandom random,
        List<EvaluationBatch> output,
        EvaluationSamplerScratch scratch)
    {
        // At least count + 1 eligible besides the positive, and acceptance ≥ 1/4 per draw. Candidates come from the
        // universe (ascending), so stamps up to its last id cover them; excluded ids beyond it can never be drawn.
        var stamps = scratch.Reserve(universe[^1] + 1, positives.Length + 1, out var excludedStamp);
        foreach (var playlist in excluded)
        {
            if (playlist < stamps.Length)
            {
                stamps[playlist] = excludedStamp;
            }
        }

        var rowStamp = excludedStamp;
        foreach (var positive in positives)
        {
            var row = new PlaylistIdx[count];
            rowStamp++;
            var filled = 0;
            while (filled < count)
            {
                var candidate = universe[random.NextInt(universe.Length)];
                var stamp = stamps[candidate];
                if (candidate == positive.Value || stamp == excludedStamp || stamp == rowStamp)
                {
                    continue;
                }

                stamps[candidate] = rowStamp;
                row[filled] = new PlaylistIdx(candidate);
                filled++;
            }

            output.Add(new EvaluationBatch(user, positive, row));
        }
    }

    private static void SampleFromEligible(
        UserIdx user,
        ReadOnlySpan<PlaylistIdx> positives,
        EvaluationUniverse universe,
        ReadOnlySpan<int> excluded,
        int eligible,
        int count,
        DeterministicRandom random,
        List<EvaluationBatch> output)
    {
        // The universe minus the excluded, by merging the two ascending spans.
        var pool = new int[eligible];
        var filledPool = 0;
        var e = 0;
        foreach (var playlist in universe.Ids)
        {
            while (e < excluded.Length && excluded[e] < playlist)
            {
                e++;
            }

            if (e < excluded.Length && excluded[e] == playlist)
            {
                continue;
            }

            pool[filledPool] = playlist;
            filledPool++;
        }

        // The pool is reshuffled in place row after row: a partial Fisher–Yates over any arrangement of it still
        // yields a uniform sample, so no copy per row is needed.
        foreach (var positive in positives)
        {
            var size = filledPool;
            if (universe.Contains(positive.Value) && excluded.BinarySearch(positive.Value) < 0)
            {
                // Contract breach guard: park the positive past the end of this row's pool.
                var at = Array.IndexOf(pool, positive.Value, 0, size);
                size--;
                (pool[at], pool[size]) = (pool[size], pool[at]);
            }

            var take = Math.Min(count, size);
            var row = new PlaylistIdx[take];
            for (var i = 0; i < take; i++)
            {
                var j = random.NextInt(i, size);
                (pool[i], pool[j]) = (pool[j], pool[i]);
                row[i] = new PlaylistIdx(pool[i]);
            }

            output.Add(new EvaluationBatch(user, positive, row));
        }
    }
}

/// <summary>
/// The playlists evaluation negatives are drawn from: ascending, distinct indexes (trusted, not checked: checking
/// is O(n)) with a membership bitmap, so "is it in the universe?" is one lookup. Built once, shared by all threads.
/// </summary>
public sealed class EvaluationUniverse
{
    private readonly int[] _ids;
    private readonly ulong[] _members;

    /// <param name="ascendingDistinctIds">Non-negative playlist indexes, ascending and distinct; kept, not copied.</param>
    public EvaluationUniverse(int[] ascendingDistinctIds)
    {
        ArgumentNullException.ThrowIfNull(ascendingDistinctIds);
        _ids = ascendingDistinctIds;
        var max = _ids.Length == 0 ? -1 : _ids[^1];
        _members = new ulong[(max + 64) / 64];
        foreach (var id in _ids)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(id, nameof(ascendingDistinctIds));
            _members[id >> 6] |= 1UL << id;
        }
    }

    public ReadOnlySpan<int> Ids => _ids;

    public bool Contains(int id) => (uint)(id >> 6) < (uint)_members.Length && id >= 0 && (_members[id >> 6] & (1UL << id)) != 0;
}

/// <summary>
/// Reusable working memory of <see cref="EvaluationBatchSampler"/> for one thread: one int stamp per playlist index.
/// Each call takes fresh stamp values (one for "excluded", one per row for "already drawn"), so nothing needs
/// clearing between users; the array is cleared only when the stamp counter wraps.
/// </summary>
public sealed class EvaluationSamplerScratch
{
    private int[] _stamps = [];
    private int _last;

    /// <summary>
    /// Stamps covering ids [0, <paramref name="length"/>) and <paramref name="count"/> consecutive fresh stamp values
    /// starting at <paramref name="first"/>: no entry of the returned array holds any of them.
    /// </summary>
    internal int[] Reserve(int length, int count, out int first)
    {
        if (_stamps.Length < length)
        {
            // Fresh zeros: 0 is never handed out, so restart the counter too.
            _stamps = new int[Math.Max(length, (int)Math.Min(Array.MaxLength, 2L * _stamps.Length))];
            _last = 0;
        }

        if (_last > int.MaxValue - count)
        {
            Array.Clear(_stamps);
            _last = 0;
        }

        first = _last + 1;
        _last += count;
        return _stamps;
    }
}

using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Core.Preparation;

/// <summary>Validation and test batches without leaks.</summary>
public static class EvaluationBatchSampler
{
    // Up to this many negatives per row, "already drawn?" is a linear scan of the row; above it, a hash set.
    private const int LinearSeenLimit = 64;

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
    /// rejection (a uniform universe index, rejected if excluded — binary search — or already drawn): O(count) expected
    /// draws per row, no per-user allocation. Otherwise the eligible playlists are listed once per call and each row
    /// is a partial Fisher–Yates shuffle of that list. <paramref name="excluded"/> is checked to be strictly
    /// ascending; <paramref name="universe"/> is trusted (checking it per user would cost O(|universe|)).</para>
    /// </remarks>
    public static void Sample(
        UserIdx user,
        ReadOnlySpan<PlaylistIdx> positives,
        ReadOnlySpan<int> universe,
        ReadOnlySpan<int> excluded,
        int count,
        DeterministicRandom random,
        List<EvaluationBatch> output)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(output);
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
            if (universe.BinarySearch(playlist) >= 0)
            {
                excludedInUniverse++;
            }
        }

        var eligible = universe.Length - excludedInUniverse;
        output.EnsureCapacity(output.Count + positives.Length);
        if (eligible >= (2L * count) + 2 && eligible >= universe.Length - eligible)
        {
            SampleByRejection(user, positives, universe, excluded, count, random, output);
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
        List<EvaluationBatch> output)
    {
        // At least count + 1 eligible besides the positive, and acceptance ≥ 1/4 per draw.
        var seen = count > LinearSeenLimit ? new HashSet<int>(count) : null;
        foreach (var positive in positives)
        {
            var row = new PlaylistIdx[count];
            seen?.Clear();
            var filled = 0;
            while (filled < count)
            {
                var candidate = universe[random.NextInt(universe.Length)];
                if (candidate == positive.Value
                    || excluded.BinarySearch(candidate) >= 0
                    || (seen is null ? Contains(row.AsSpan(0, filled), candidate) : !seen.Add(candidate)))
                {
                    continue;
                }

                row[filled] = new PlaylistIdx(candidate);
                filled++;
            }

            output.Add(new EvaluationBatch(user, positive, row));
        }
    }

    private static void SampleFromEligible(
        UserIdx user,
        ReadOnlySpan<PlaylistIdx> positives,
        ReadOnlySpan<int> universe,
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
        foreach (var playlist in universe)
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
            if (universe.BinarySearch(positive.Value) >= 0 && excluded.BinarySearch(positive.Value) < 0)
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

    private static bool Contains(ReadOnlySpan<PlaylistIdx> drawn, int playlist)
    {
        foreach (var item in drawn)
        {
            if (item.Value == playlist)
            {
                return true;
            }
        }

        return false;
    }
}

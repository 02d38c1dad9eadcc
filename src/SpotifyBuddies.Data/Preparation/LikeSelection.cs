using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Core.Preparation;

namespace SpotifyBuddies.Data.Preparation;

/// <summary>
/// Top-k selection in the like order of <see cref="LikeScoring.Compare"/> (score descending, playlist index
/// ascending) in O(n) expected time, instead of sorting all of a user's overlapping playlists. Because the like
/// order is a strict total order (playlists are distinct), the selected set is exactly the first k of
/// <see cref="LikeScoring.SelectLiked"/>'s full sort.
/// </summary>
/// <remarks>
/// The k-th best score T is found by a quickselect over a copy of the scores (8-byte doubles, no tie logic);
/// then, scanning the items in ascending playlist order, every item scoring above T is taken, and of those
/// scoring exactly T the first <c>k − #(score &gt; T)</c>, which are the ones with the lowest playlist indexes.
/// Scores are finite (never NaN) in the pipeline.
/// </remarks>
internal static class LikeSelection
{
    private const int SortThreshold = 16;
    private const int SampleStride = 16;
    private const int PrefilterMinimum = 1024;

    /// <summary>The threshold score of the top <paramref name="k"/> and how many items scoring exactly that are in it.</summary>
    /// <param name="scores">Scores of the items (any order); not modified.</param>
    /// <param name="k">1 ≤ k ≤ scores.Length.</param>
    /// <param name="scratch">At least scores.Length doubles of working space.</param>
    /// <remarks>
    /// For long inputs a candidate threshold is first taken from a fixed sample (every 16th score) a little below the
    /// expected k-th best, and only the scores at or above it are selected from; if fewer than k pass (unlikely),
    /// all scores are. Either way the exact k-th best score comes out, so the result does not depend on the sample.
    /// </remarks>
    public static (double Threshold, int TiesTaken) Threshold(ReadOnlySpan<double> scores, int k, Span<double> scratch)
    {
        var n = scores.Length;
        if (k < 1 || k > n)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, "k must be in [1, n].");
        }

        var candidates = 0;
        if (n >= PrefilterMinimum)
        {
            var sampleSize = n / SampleStride;
            var sample = scratch[..sampleSize];
            for (var i = 0; i < sampleSize; i++)
            {
                sample[i] = scores[i * SampleStride];
            }

            // Expected sample items above the true threshold, plus three standard deviations and a little.
            var expected = (double)k * sampleSize / n;
            var rank = (int)Math.Min(sampleSize, Math.Ceiling(expected + (3 * Math.Sqrt(expected)) + 2));
            var floor = SelectAscending(sample, sampleSize - rank);
            for (var i = 0; i < n; i++)
            {
                var score = scores[i];
                scratch[candidates] = score;
                candidates += score >= floor ? 1 : 0;
            }

            if (candidates < k)
            {
                candidates = 0;
            }
        }

        if (candidates == 0)
        {
            scores.CopyTo(scratch);
            candidates = n;
        }

        var pool = scratch[..candidates];
        var threshold = SelectAscending(pool, candidates - k);
        var above = 0;
        foreach (var score in pool)
        {
            above += score > threshold ? 1 : 0;
        }

        return (threshold, k - above);
    }

    /// <summary>
    /// Splits <paramref name="items"/> (ascending playlist order) into the top <paramref name="k"/> in the like
    /// order and the rest, both keeping the input order; <paramref name="scores"/> are the items' scores. An empty
    /// <paramref name="rest"/> means the rest is not wanted.
    /// </summary>
    public static void Split<T>(
        ReadOnlySpan<T> items,
        ReadOnlySpan<double> scores,
        int k,
        Span<double> scratch,
        Span<T> top,
        Span<T> rest)
    {
        if (k == 0)
        {
            if (!rest.IsEmpty)
            {
                items.CopyTo(rest);
            }

            return;
        }

        var keepRest = !rest.IsEmpty;
        var (threshold, ties) = Threshold(scores, k, scratch);
        int t = 0, r = 0;
        for (var i = 0; i < items.Length; i++)
        {
            var score = scores[i];
            if (score > threshold || (score == threshold && ties-- > 0))
            {
                top[t++] = items[i];
            }
            else if (keepRest)
            {
                rest[r++] = items[i];
            }
        }
    }

    /// <summary>
    /// The indexes (ascending) of the top <paramref name="k"/> of <paramref name="scores"/> in the like order, for items
    /// in ascending playlist order: <see cref="Split{T}"/> applied to the indexes themselves.
    /// </summary>
    public static void TopIndexes(ReadOnlySpan<double> scores, int k, Span<double> scratch, Span<int> top)
    {
        if (k == 0)
        {
            return;
        }

        var (threshold, ties) = Threshold(scores, k, scratch);
        var t = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var score = scores[i];
            if (score > threshold || (score == threshold && ties-- > 0))
            {
                top[t++] = i;
            }
        }
    }

    /// <summary>
    /// Sorts <paramref name="items"/> in the like order (<see cref="LikeScoring.Compare"/>). When every score is a
    /// positive finite number, by one 128-bit key per item (inverted score bits, then playlist, then m): for such
    /// doubles the bit patterns order as the numbers do, so the order is the same, without a comparer call per step.
    /// </summary>
    public static void SortInLikeOrder(Span<ScoredPlaylist> items)
    {
        foreach (var item in items)
        {
            if (!(item.Score > 0 && double.IsFinite(item.Score)) || item.Playlist.Value < 0 || item.Matches < 0)
            {
                items.Sort(default(LikeOrder));
                return;
            }
        }

        Span<UInt128> keys = items.Length <= 512 ? stackalloc UInt128[items.Length] : new UInt128[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i];
            keys[i] = new UInt128(~BitConverter.DoubleToUInt64Bits(item.Score), ((ulong)(uint)item.Playlist.Value << 32) | (uint)item.Matches);
        }

        keys.Sort();
        for (var i = 0; i < items.Length; i++)
        {
            var upper = (ulong)(keys[i] >> 64);
            var lower = (ulong)keys[i];
            items[i] = new ScoredPlaylist(new PlaylistIdx((int)(lower >> 32)), (int)(uint)lower, BitConverter.UInt64BitsToDouble(~upper));
        }
    }

    /// <summary>The element that would be at <paramref name="index"/> if <paramref name="values"/> were sorted ascending (rearranges them).</summary>
    /// <remarks>
    /// Quickselect with a median-of-three pivot and a branch-free Lomuto partition (an unconditional swap and a
    /// conditional step per element: no mispredicted branch per comparison). When nothing is below the pivot (it is
    /// the smallest value, frequent with ties), the range is split at "equal to it" instead, so ties cannot stall it.
    /// After 2·log2(n) rounds the rest is sorted: O(n log n) at worst.
    /// </remarks>
    internal static double SelectAscending(Span<double> values, int index)
    {
        var lo = 0;
        var hi = values.Length - 1;
        var budget = 2 * (64 - long.LeadingZeroCount(values.Length));
        while (hi - lo >= SortThreshold && --budget >= 0)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (values[mid] < values[lo])
            {
                (values[mid], values[lo]) = (values[lo], values[mid]);
            }

            if (values[hi] < values[mid])
            {
                (values[hi], values[mid]) = (values[mid], values[hi]);
                if (values[mid] < values[lo])
                {
                    (values[mid], values[lo]) = (values[lo], values[mid]);
                }
            }

            // The median to the end; values[lo..hi) are partitioned around it.
            var pivot = values[mid];
            (values[mid], values[hi]) = (values[hi], values[mid]);
            var below = PartitionBelow(values[lo..hi], pivot);
            if (below == 0)
            {
                // The pivot is the smallest value: split at "equal to it" instead; all of that part equals the pivot.
                var equal = PartitionAtMost(values[lo..hi], pivot);
                if (index < lo + equal + 1)
                {
                    return pivot;
                }

                (values[lo + equal], values[hi]) = (values[hi], values[lo + equal]);
                lo += equal + 1;
                continue;
            }

            // values[lo, lo + below) < pivot ≤ values[lo + below, hi); the pivot goes between them.
            var at = lo + below;
            (values[at], values[hi]) = (values[hi], values[at]);
            if (index < at)
            {
                hi = at - 1;
            }
            else if (index > at)
            {
                lo = at + 1;
            }
            else
            {
                return pivot;
            }
        }

        values[lo..(hi + 1)].Sort();
        return values[index];
    }

    // Moves the values below the pivot to the front (order within each side unspecified); returns how many there are.
    private static int PartitionBelow(Span<double> values, double pivot)
    {
        var i = 0;
        for (var j = 0; j < values.Length; j++)
        {
            var x = values[j];
            values[j] = values[i];
            values[i] = x;
            i += x < pivot ? 1 : 0;
        }

        return i;
    }

    // Moves the values at most the pivot to the front; returns how many there are.
    private static int PartitionAtMost(Span<double> values, double pivot)
    {
        var i = 0;
        for (var j = 0; j < values.Length; j++)
        {
            var x = values[j];
            values[j] = values[i];
            values[i] = x;
            i += x <= pivot ? 1 : 0;
        }

        return i;
    }
}

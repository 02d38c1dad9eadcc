using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Core.Pairing;

/// <summary>
/// A user's candidate pool, the playlists the ranking model scores for them: the union of their neighbours'
/// owned playlists, less the playlists the user owns or liked in training, sampled down to a fixed size.
/// Pure functions over spans.
/// </summary>
public static class CandidatePool
{
    /// <summary>
    /// Writes the ascending, duplicate-free union of <paramref name="own"/> and <paramref name="trainLiked"/> (the
    /// playlists a user must not be offered) to <paramref name="destination"/> and returns its length.
    /// </summary>
    /// <param name="own">Playlists the user owns, any order.</param>
    /// <param name="trainLiked">The user's train positives, any order.</param>
    /// <param name="destination">At least <c>own.Length + trainLiked.Length</c> long.</param>
    public static int Exclusions(ReadOnlySpan<int> own, ReadOnlySpan<int> trainLiked, Span<int> destination)
    {
        var total = own.Length + trainLiked.Length;
        if (destination.Length < total)
        {
            throw new ArgumentException("The destination must hold both inputs.", nameof(destination));
        }

        own.CopyTo(destination);
        trainLiked.CopyTo(destination[own.Length..]);
        return SortDistinct(destination[..total]);
    }

    /// <summary>
    /// Turns the reachable playlists into the pool, in place: sorts and de-duplicates <paramref name="reachable"/>;
    /// if more than <paramref name="poolSize"/> remain, draws a uniform sample of <paramref name="poolSize"/> of them
    /// with <paramref name="random"/> (partial Fisher–Yates over the sorted set, so the sample depends only on the
    /// set and the stream). The pool is <c>reachable[..returned]</c>, ascending.
    /// </summary>
    public static int Sample(Span<int> reachable, int poolSize, DeterministicRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(poolSize, 1);
        ArgumentNullException.ThrowIfNull(random);
        var distinct = SortDistinct(reachable);
        if (distinct <= poolSize)
        {
            return distinct;
        }

        for (var i = 0; i < poolSize; i++)
        {
            var j = random.NextInt(i, distinct);
            (reachable[i], reachable[j]) = (reachable[j], reachable[i]);
        }

        reachable[..poolSize].Sort();
        return poolSize;
    }

    /// <summary>Sorts <paramref name="values"/> and moves its distinct values to the front; returns how many there are.</summary>
    public static int SortDistinct(Span<int> values)
    {
        if (values.Length < 2)
        {
            return values.Length;
        }

        values.Sort();
        var kept = 1;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] != values[kept - 1])
            {
                values[kept++] = values[i];
            }
        }

        return kept;
    }
}

using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Core.Preparation;

/// <summary>Uniform samples without replacement that allocate nothing.</summary>
internal static class DistinctSampling
{
    /// <summary>
    /// Fills <paramref name="destination"/> with distinct indexes in [0, <paramref name="populationSize"/>), every
    /// subset of that size equally likely (Floyd's algorithm: one draw per index, O(k²) membership checks, meant
    /// for small k). The order within the destination is not uniformly random.
    /// </summary>
    public static void Floyd(int populationSize, Span<int> destination, DeterministicRandom random)
    {
        var k = destination.Length;
        if (k > populationSize)
        {
            throw new ArgumentOutOfRangeException(nameof(destination), k, "Cannot draw more distinct indexes than the population holds.");
        }

        var filled = 0;
        for (var j = populationSize - k; j < populationSize; j++)
        {
            var candidate = random.NextInt(j + 1);
            if (destination[..filled].Contains(candidate))
            {
                candidate = j;
            }

            destination[filled] = candidate;
            filled++;
        }
    }
}

using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Core.Preparation;

/// <summary>Hard/easy negative pools and triplet sampling.</summary>
public static class TripletSampler
{
    private const int MaxStackNegatives = 128;

    /// <summary>Hard pool size for a pool sorted by score descending: max(1, floor(fraction·n)) when n &gt; 0.</summary>
    /// <remarks>0 for an empty pool; never more than n. The floor snaps to an integer within rounding noise.</remarks>
    public static int HardCount(int poolSize, double hardFraction)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(poolSize);
        if (!FractionMath.IsUnitInterval(hardFraction))
        {
            throw new ArgumentOutOfRangeException(nameof(hardFraction), hardFraction, "The hard-negative fraction must be in [0, 1].");
        }

        return poolSize == 0 ? 0 : Math.Clamp(FractionMath.Floor(hardFraction, poolSize), 1, poolSize);
    }

    /// <summary>
    /// For each train positive, NegativesPerPositive distinct negatives: min(HardNegativesPerPositive, |hard|) from
    /// <paramref name="hard"/> without replacement, the rest from <paramref name="easy"/> without replacement; when
    /// easy is short, the remainder comes from the unused hard ones. A user whose hard+easy is smaller than
    /// NegativesPerPositive yields no triplets (<see cref="TripletOutcome.PoolTooSmall"/>). Appends to <paramref name="output"/>.
    /// </summary>
    /// <remarks>
    /// <para>Checks in this order: no train positives, then both pools empty, then pool too small.</para>
    /// <para><paramref name="hard"/> and <paramref name="easy"/> must be disjoint and hold no duplicates (so the
    /// negatives of one positive are distinct); draws are per positive, independent across positives. Each draw is a
    /// uniform subset (Floyd's algorithm), allocation-free apart from growing <paramref name="output"/>.</para>
    /// </remarks>
    public static TripletOutcome Sample(
        UserIdx user,
        ReadOnlySpan<PlaylistIdx> trainPositives,
        ReadOnlySpan<PlaylistIdx> hard,
        ReadOnlySpan<PlaylistIdx> easy,
        PreparationParameters parameters,
        DeterministicRandom random,
        List<Triplet> output)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(output);
        var perPositive = parameters.NegativesPerPositive;
        var hardPerPositive = parameters.HardNegativesPerPositive;
        if (perPositive < 1)
        {
            throw new ArgumentException($"{nameof(PreparationParameters.NegativesPerPositive)} must be at least 1.", nameof(parameters));
        }

        if (hardPerPositive < 0 || hardPerPositive > perPositive)
        {
            throw new ArgumentException(
                $"{nameof(PreparationParameters.HardNegativesPerPositive)} must be in [0, {nameof(PreparationParameters.NegativesPerPositive)}].",
                nameof(parameters));
        }

        if (trainPositives.IsEmpty)
        {
            return TripletOutcome.NoTrainPositives;
        }

        if (hard.IsEmpty && easy.IsEmpty)
        {
            return TripletOutcome.NoNegativePool;
        }

        if ((long)hard.Length + easy.Length < perPositive)
        {
            return TripletOutcome.PoolTooSmall;
        }

        var fromHard = Math.Min(hardPerPositive, hard.Length);
        var fromEasy = perPositive - fromHard;
        if (fromEasy > easy.Length)
        {
            fromEasy = easy.Length;
            fromHard = perPositive - fromEasy; // ≤ |hard| because |hard| + |easy| ≥ perPositive
        }

        Span<int> picks = perPositive <= MaxStackNegatives ? stackalloc int[perPositive] : new int[perPositive];
        var hardPicks = picks[..fromHard];
        var easyPicks = picks.Slice(fromHard, fromEasy);
        output.EnsureCapacity(checked(output.Count + (trainPositives.Length * perPositive)));
        foreach (var positive in trainPositives)
        {
            DistinctSampling.Floyd(hard.Length, hardPicks, random);
            DistinctSampling.Floyd(easy.Length, easyPicks, random);
            foreach (var index in hardPicks)
            {
                output.Add(new Triplet(user, positive, hard[index]));
            }

            foreach (var index in easyPicks)
            {
                output.Add(new Triplet(user, positive, easy[index]));
            }
        }

        return TripletOutcome.Sampled;
    }
}

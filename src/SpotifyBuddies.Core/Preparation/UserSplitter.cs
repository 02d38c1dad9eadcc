using System.Runtime.InteropServices;
using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Core.Preparation;

/// <summary>Cold users and the 70/20/10 split.</summary>
public static class UserSplitter
{
    /// <summary>
    /// Shuffles a copy of <paramref name="usersWithPositives"/> (given in ascending order) and returns the first
    /// floor(coldFraction·n) of it, sorted ascending: users held out with all their data.
    /// </summary>
    /// <remarks>The floor snaps to an integer within rounding noise (0.29·100 is 29, not 28).</remarks>
    public static UserIdx[] SelectColdUsers(ReadOnlySpan<UserIdx> usersWithPositives, double coldFraction, DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(coldFraction >= 0 && coldFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(coldFraction), coldFraction, "The cold-user fraction must be in [0, 1).");
        }

        var shuffled = usersWithPositives.ToArray();
        random.Shuffle<UserIdx>(shuffled);
        var cold = shuffled[..FractionMath.Floor(coldFraction, shuffled.Length)];
        MemoryMarshal.Cast<UserIdx, int>(cold.AsSpan()).Sort();
        return cold;
    }

    /// <summary>
    /// Fewer than MinPositivesToSplit positives: all train. Otherwise shuffle a copy and cut at floor(train·n) and
    /// floor((train+validation)·n) (with a small epsilon so 0.7·10 is 7): train, validation, test.
    /// </summary>
    /// <remarks>
    /// Each part is returned sorted ascending (a canonical form; the membership is what the shuffle decides).
    /// A user below the threshold draws no random numbers.
    /// </remarks>
    public static PositiveSplit SplitPositives(ReadOnlySpan<PlaylistIdx> positives, PreparationParameters parameters, DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(random);

        var n = positives.Length;
        if (n < parameters.MinPositivesToSplit)
        {
            return new PositiveSplit(SortedCopy(positives), [], []);
        }

        var shuffled = positives.ToArray();
        random.Shuffle<PlaylistIdx>(shuffled);
        var trainEnd = Math.Clamp(FractionMath.Floor(parameters.TrainFraction, n), 0, n);
        var validationEnd = Math.Clamp(FractionMath.Floor(parameters.TrainFraction + parameters.ValidationFraction, n), trainEnd, n);
        return new PositiveSplit(
            SortedCopy(shuffled.AsSpan(0, trainEnd)),
            SortedCopy(shuffled.AsSpan(trainEnd, validationEnd - trainEnd)),
            SortedCopy(shuffled.AsSpan(validationEnd)));
    }

    // Ascending by index: the indexes are sorted as plain ints (the wrappers are one int each), no comparer call.
    private static PlaylistIdx[] SortedCopy(ReadOnlySpan<PlaylistIdx> playlists)
    {
        var copy = playlists.ToArray();
        MemoryMarshal.Cast<PlaylistIdx, int>(copy.AsSpan()).Sort();
        return copy;
    }
}

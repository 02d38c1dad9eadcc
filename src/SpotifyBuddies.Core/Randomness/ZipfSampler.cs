namespace SpotifyBuddies.Core.Randomness;

/// <summary>
/// Draws a rank 0..n−1 with a Zipf–Mandelbrot law: <c>P(rank) ∝ 1 / (rank + 1 + offset)^exponent</c>.
/// Rank 0 is the most likely. Immutable and thread-safe; O(1) per draw through an <see cref="AliasSampler"/>.
/// </summary>
public sealed class ZipfSampler
{
    private readonly AliasSampler _alias;

    public ZipfSampler(int count, double exponent, double offset = 0.0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegative(exponent);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        Exponent = exponent;
        Offset = offset;
        var weights = new double[count];
        for (var rank = 0; rank < count; rank++)
        {
            weights[rank] = Weight(rank, exponent, offset);
        }

        _alias = new AliasSampler(weights);
    }

    public int Count => _alias.Count;

    public double Exponent { get; }

    public double Offset { get; }

    /// <summary>The unnormalised Zipf–Mandelbrot weight of <paramref name="rank"/>.</summary>
    public static double Weight(int rank, double exponent, double offset = 0.0) =>
        Math.Pow(rank + 1 + offset, -exponent);

    /// <summary>The normalised probability of <paramref name="rank"/>.</summary>
    public double Probability(int rank) => _alias.Probability(rank);

    /// <summary>Draws one rank.</summary>
    public int Sample(DeterministicRandom random) => _alias.Sample(random);
}

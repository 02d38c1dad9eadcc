using System.Numerics;

namespace SpotifyBuddies.Core.Randomness;

/// <summary>
/// A fast, reproducible pseudo-random generator: xoshiro256** (Blackman and Vigna) seeded through
/// <see cref="SplitMix64"/>. Unlike <see cref="Random"/>, its algorithm is fixed here, so a seed gives
/// the same numbers on every runtime, OS and .NET version.
/// </summary>
/// <remarks>
/// <para>An instance is not thread-safe. For parallel work, give each unit of work its own
/// <see cref="Fork(ulong)"/>ed stream: a fork depends only on the parent's seed path and the stream id,
/// never on how many numbers the parent has drawn, so results do not depend on scheduling.</para>
/// <para>Not for cryptography.</para>
/// </remarks>
public sealed class DeterministicRandom
{
    private const double DoubleUnit = 1.0 / (1UL << 53);
    private const ulong ForkSalt = 0x6A09E667F3BCC909UL;

    private readonly ulong _streamKey;
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    /// <summary>Seeds the generator: the four state words are the first four SplitMix64 outputs of <paramref name="seed"/>.</summary>
    public DeterministicRandom(ulong seed)
    {
        _streamKey = seed;
        var splitMix = new SplitMix64(seed);
        _s0 = splitMix.Next();
        _s1 = splitMix.Next();
        _s2 = splitMix.Next();
        _s3 = splitMix.Next();
    }

    private DeterministicRandom(ulong s0, ulong s1, ulong s2, ulong s3, ulong streamKey)
    {
        _s0 = s0;
        _s1 = s1;
        _s2 = s2;
        _s3 = s3;
        _streamKey = streamKey;
    }

    /// <summary>
    /// Builds a generator from a raw xoshiro256** state (for reference test vectors). The state must not be all zero.
    /// </summary>
    public static DeterministicRandom FromState(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        if ((s0 | s1 | s2 | s3) == 0)
        {
            throw new ArgumentException("The xoshiro256** state must not be all zero.", nameof(s0));
        }

        return new DeterministicRandom(s0, s1, s2, s3, SplitMix64.Mix(s0 ^ BitOperations.RotateLeft(s1, 16) ^ BitOperations.RotateLeft(s2, 32) ^ BitOperations.RotateLeft(s3, 48)));
    }

    /// <summary>
    /// An independent generator for sub-stream <paramref name="streamId"/>. It is a pure function of this
    /// generator's seed path and the id: drawing from the parent does not change it, and
    /// <c>Fork(a).Fork(b)</c> differs from <c>Fork(b).Fork(a)</c>.
    /// </summary>
    public DeterministicRandom Fork(ulong streamId) =>
        new(SplitMix64.Mix(SplitMix64.Mix(_streamKey + ForkSalt) ^ streamId));

    /// <summary>A sub-stream named by text (hashed with 64-bit FNV-1a over its UTF-16 code units).</summary>
    public DeterministicRandom Fork(string streamName)
    {
        ArgumentNullException.ThrowIfNull(streamName);
        return Fork(StableHash(streamName));
    }

    /// <summary>A 64-bit FNV-1a hash of the UTF-16 code units: stable across processes, unlike <see cref="string.GetHashCode()"/>.</summary>
    public static ulong StableHash(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hash = 0xCBF29CE484222325UL;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 0x100000001B3UL;
        }

        return hash;
    }

    /// <summary>The next 64 random bits (the xoshiro256** output).</summary>
    public ulong NextUInt64()
    {
        var result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>The next 32 random bits (the high half of <see cref="NextUInt64"/>, the better-mixed bits).</summary>
    public uint NextUInt32() => (uint)(NextUInt64() >> 32);

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * DoubleUnit;

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias (Lemire's method).</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        var bound = (uint)maxExclusive;
        var product = (ulong)NextUInt32() * bound;
        var low = (uint)product;
        if (low < bound)
        {
            var threshold = (0u - bound) % bound;
            while (low < threshold)
            {
                product = (ulong)NextUInt32() * bound;
                low = (uint)product;
            }
        }

        return (int)(product >> 32);
    }

    /// <summary>A uniform integer in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int minInclusive, int maxExclusive)
    {
        if (maxExclusive <= minInclusive)
        {
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "maxExclusive must be greater than minInclusive.");
        }

        return (int)(minInclusive + NextInt64((long)maxExclusive - minInclusive));
    }

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    public long NextInt64(long maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        var bound = (ulong)maxExclusive;
        var high = Math.BigMul(NextUInt64(), bound, out var low);
        if (low < bound)
        {
            var threshold = (0UL - bound) % bound;
            while (low < threshold)
            {
                high = Math.BigMul(NextUInt64(), bound, out low);
            }
        }

        return (long)high;
    }

    /// <summary><c>true</c> with probability <paramref name="probability"/> (clamped to [0, 1]).</summary>
    public bool NextBool(double probability) => NextDouble() < probability;

    /// <summary>A standard normal draw (Marsaglia's polar method; one value per call, nothing cached).</summary>
    public double NextGaussian()
    {
        double u;
        double s;
        do
        {
            u = (2.0 * NextDouble()) - 1.0;
            var v = (2.0 * NextDouble()) - 1.0;
            s = (u * u) + (v * v);
        }
        while (s >= 1.0 || s == 0.0);

        return u * Math.Sqrt(-2.0 * Math.Log(s) / s);
    }

    /// <summary>A log-normal draw: <c>exp(mu + sigma·N(0,1))</c>; its median is <c>exp(mu)</c>.</summary>
    public double NextLogNormal(double mu, double sigma) => Math.Exp(mu + (sigma * NextGaussian()));

    /// <summary>An exponential draw with rate 1 (mean 1).</summary>
    public double NextExponential() => -Math.Log(1.0 - NextDouble());

    /// <summary>
    /// A Pareto-tailed integer ≥ 1 with <c>P(X ≥ k) = k^-alpha</c> (a discrete power law: mostly 1, occasionally large),
    /// capped at <paramref name="max"/>.
    /// </summary>
    public int NextPowerLaw(double alpha, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(alpha);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        var u = 1.0 - NextDouble(); // (0, 1]
        var x = Math.Floor(Math.Pow(u, -1.0 / alpha));
        return x >= max ? max : (int)x;
    }

    /// <summary>A Gamma(<paramref name="shape"/>, 1) draw (Marsaglia and Tsang).</summary>
    public double NextGamma(double shape)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shape);
        if (shape < 1.0)
        {
            // Boost: Gamma(a) = Gamma(a + 1) · U^(1/a).
            return NextGamma(shape + 1.0) * Math.Pow(1.0 - NextDouble(), 1.0 / shape);
        }

        var d = shape - (1.0 / 3.0);
        var c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x;
            double v;
            do
            {
                x = NextGaussian();
                v = 1.0 + (c * x);
            }
            while (v <= 0.0);

            v = v * v * v;
            var u = 1.0 - NextDouble();
            if (Math.Log(u) < (0.5 * x * x) + d - (d * v) + (d * Math.Log(v)))
            {
                return d * v;
            }
        }
    }

    /// <summary>A Beta(<paramref name="alpha"/>, <paramref name="beta"/>) draw, as X/(X+Y) of two Gamma draws.</summary>
    public double NextBeta(double alpha, double beta)
    {
        var x = NextGamma(alpha);
        var y = NextGamma(beta);
        return x / (x + y);
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates); every permutation is equally likely.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}

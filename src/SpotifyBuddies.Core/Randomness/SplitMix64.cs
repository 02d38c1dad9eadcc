namespace SpotifyBuddies.Core.Randomness;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood), the generator the xoshiro authors recommend for expanding one
/// 64-bit seed into a larger state. <see cref="Mix"/> is its output function: a bijection on 64-bit
/// values, so distinct inputs always give distinct outputs (the synthetic generator relies on this to
/// make unique ids).
/// </summary>
public struct SplitMix64
{
    /// <summary>The golden-ratio increment added to the state before each output.</summary>
    public const ulong Increment = 0x9E3779B97F4A7C15UL;

    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>Advances the state and returns the next output.</summary>
    public ulong Next()
    {
        _state += Increment;
        return Mix(_state);
    }

    /// <summary>The SplitMix64 finaliser: a fast, well-mixing bijection on 64-bit values.</summary>
    public static ulong Mix(ulong value)
    {
        var z = value;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

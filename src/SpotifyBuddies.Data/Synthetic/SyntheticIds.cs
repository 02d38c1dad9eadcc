using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Data.Synthetic;

/// <summary>
/// External ids in the real datasets' shapes, made unique by construction: the first part of each id
/// encodes <c>SplitMix64.Mix(salt + index)</c>, a bijection, at a fixed width, so two indexes never
/// share an id; the rest is filler from a second hash. Salts come from the seed.
/// </summary>
internal sealed class SyntheticIds
{
    private const string Base36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string Hex = "0123456789abcdef";

    private readonly ulong _userSalt;
    private readonly ulong _songSalt;
    private readonly ulong _trackSalt;
    private readonly ulong _spotifySalt;
    private readonly ulong _fillerSalt;

    public SyntheticIds(DeterministicRandom random)
    {
        _userSalt = random.NextUInt64();
        _songSalt = random.NextUInt64();
        _trackSalt = random.NextUInt64();
        _spotifySalt = random.NextUInt64();
        _fillerSalt = random.NextUInt64();
    }

    /// <summary>An ENTP user hash: 40 lowercase hex characters.</summary>
    public string User(long index) =>
        string.Create(40, (Unique: Mix(_userSalt, index), Filler: Filler(_userSalt, index)), static (span, state) =>
        {
            WriteDigits(span[..16], state.Unique, Hex);
            WriteDigits(span[16..32], state.Filler, Hex);
            WriteDigits(span[32..], SplitMix64.Mix(state.Filler), Hex);
        });

    /// <summary>An MSD song id: <c>SO</c> + 16 uppercase alphanumerics.</summary>
    public string Song(long index) => Msd("SO", _songSalt, index);

    /// <summary>An MSD track id: <c>TR</c> + 16 uppercase alphanumerics.</summary>
    public string Track(long index) => Msd("TR", _trackSalt, index);

    /// <summary>A Spotify URI <c>spotify:{kind}:</c> + 22 base-62 characters.</summary>
    public string SpotifyUri(string kind, long index)
    {
        var salt = _spotifySalt ^ DeterministicRandom.StableHash(kind);
        var prefix = "spotify:" + kind + ":";
        return string.Create(prefix.Length + 22, (Prefix: prefix, Unique: Mix(salt, index), Filler: Filler(salt, index)), static (span, state) =>
        {
            state.Prefix.AsSpan().CopyTo(span);
            var body = span[state.Prefix.Length..];
            WriteDigits(body[..11], state.Unique, Base62);
            WriteDigits(body[11..], state.Filler, Base62);
        });
    }

    private string Msd(string prefix, ulong salt, long index) =>
        string.Create(18, (Prefix: prefix, Unique: Mix(salt, index), Filler: Filler(salt ^ _fillerSalt, index)), static (span, state) =>
        {
            state.Prefix.AsSpan().CopyTo(span);

            // 36^13 > 2^64, so 13 digits hold the unique part exactly.
            WriteDigits(span[2..15], state.Unique, Base36);
            WriteDigits(span[15..], state.Filler, Base36);
        });

    private static ulong Mix(ulong salt, long index) => SplitMix64.Mix(salt + (ulong)index);

    private static ulong Filler(ulong salt, long index) => SplitMix64.Mix(SplitMix64.Mix(salt ^ 0x5851F42D4C957F2DUL) + (ulong)index);

    /// <summary>Writes <paramref name="value"/> in the given digits, most significant first, filling the span exactly.</summary>
    private static void WriteDigits(Span<char> target, ulong value, string digits)
    {
        var radix = (ulong)digits.Length;
        for (var i = target.Length - 1; i >= 0; i--)
        {
            target[i] = digits[(int)(value % radix)];
            value /= radix;
        }
    }
}

using System.Globalization;

namespace SpotifyBuddies.Data.Synthetic;

/// <summary>
/// Sizes and seed of a synthetic dataset. Same options ⇒ byte-identical files.
/// </summary>
public sealed record SynthOptions
{
    /// <summary>Upper bound on <see cref="Users"/>, <see cref="Playlists"/> and <see cref="Songs"/> (the catalogue lives in memory).</summary>
    public const int MaxCount = 20_000_000;

    /// <summary>Fewest catalogue songs: enough for 250-track playlists drawn from one side of the universe.</summary>
    public const int MinSongs = 1_000;

    /// <summary>Fewest songs per latent genre when <see cref="Genres"/> is set explicitly.</summary>
    public const int MinSongsPerGenre = 100;

    private static readonly (string Name, int Users, int Playlists, int Songs)[] Presets =
    [
        ("tiny", 300, 600, 4_000),
        ("small", 5_000, 10_000, 40_000),
        ("medium", 100_000, 200_000, 400_000),
    ];

    /// <summary>ENTP listeners (rows of <c>train_triplets.txt</c> are grouped by these).</summary>
    public required int Users { get; init; }

    /// <summary>MPD playlists, 1,000 per slice file.</summary>
    public required int Playlists { get; init; }

    /// <summary>Distinct songs (song keys) in the union of the ENTP/MSD and MPD universes.</summary>
    public required int Songs { get; init; }

    /// <summary>Latent taste clusters; 0 = derived from the size (see <see cref="ResolveGenres"/>).</summary>
    public int Genres { get; init; }

    public ulong Seed { get; init; } = 42;

    /// <summary>The preset names accepted by <see cref="Preset"/>.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = Array.AsReadOnly(Presets.Select(p => p.Name).ToArray());

    /// <summary>
    /// A named size: <c>tiny</c> (tests, seconds: 300 users, 600 playlists, 4k songs), <c>small</c>
    /// (quickstart: 5k users, 10k playlists, 40k songs) or <c>medium</c> (100k users, 200k playlists,
    /// 400k songs). Case-insensitive.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a preset; the message lists the valid ones.</exception>
    public static SynthOptions Preset(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var preset in Presets)
        {
            if (string.Equals(preset.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return new SynthOptions { Users = preset.Users, Playlists = preset.Playlists, Songs = preset.Songs };
            }
        }

        throw new ArgumentException(
            $"Unknown synthetic preset '{name}'. Valid presets: {string.Join(", ", PresetNames)}.",
            nameof(name));
    }

    /// <summary>Every problem with these options; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        CheckCount(errors, nameof(Users), Users, 1);
        CheckCount(errors, nameof(Playlists), Playlists, 1);
        CheckCount(errors, nameof(Songs), Songs, MinSongs);
        if (Genres < 0)
        {
            errors.Add(Invariant($"Genres must be 0 (auto) or positive, but was {Genres}."));
        }
        else if (Genres > 0 && Songs >= MinSongs && (long)Genres * MinSongsPerGenre > Songs)
        {
            errors.Add(Invariant($"Genres ({Genres}) needs at least {MinSongsPerGenre} songs per genre, so Songs must be at least {(long)Genres * MinSongsPerGenre}, but was {Songs}."));
        }

        return errors;
    }

    /// <summary>
    /// The genre count actually used: <see cref="Genres"/> when set, otherwise about √users / 2.5,
    /// between 4 and 64 and at most one per 300 songs (tiny: 7, small: 28, medium: 64).
    /// </summary>
    public int ResolveGenres()
    {
        if (Genres > 0)
        {
            return Genres;
        }

        var bySize = (int)Math.Round(Math.Sqrt(Math.Max(Users, 1)) / 2.5);
        var bySongs = Math.Max(1, Songs / 300);
        return Math.Clamp(Math.Min(Math.Clamp(bySize, 4, 64), bySongs), 1, 64);
    }

    private static void CheckCount(List<string> errors, string name, int value, int min)
    {
        if (value < min)
        {
            errors.Add(Invariant($"{name} must be at least {min}, but was {value}."));
        }
        else if (value > MaxCount)
        {
            errors.Add(Invariant($"{name} must be at most {MaxCount}, but was {value}."));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

namespace SpotifyBuddies.Core.Interactions;

/// <summary>
/// The key that joins the ENTP/MSD and MPD song universes:
/// <c>lower(trim(title)) + "@@" + lower(trim(artist))</c> (original-system.md §0).
/// Lower-casing is culture-invariant so the key is the same on every machine.
/// </summary>
public readonly record struct SongKey
{
    /// <summary>The separator between the normalised title and artist.</summary>
    public const string Separator = "@@";

    private SongKey(string value) => Value = value;

    /// <summary>The normalised key text.</summary>
    public string Value { get; }

    /// <summary>
    /// Builds the key, or returns <c>null</c> when the title or artist is missing or blank
    /// (the original drops such rows on both sides).
    /// </summary>
    public static SongKey? TryCreate(string? title, string? artist)
    {
        if (string.IsNullOrWhiteSpace(title) || string.IsNullOrWhiteSpace(artist))
        {
            return null;
        }

        return new SongKey(title.Trim().ToLowerInvariant() + Separator + artist.Trim().ToLowerInvariant());
    }

    public override string ToString() => Value;
}

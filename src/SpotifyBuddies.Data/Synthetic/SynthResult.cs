namespace SpotifyBuddies.Data.Synthetic;

/// <summary>Progress of one generation phase (<c>catalogue</c>, <c>msd</c>, <c>entp</c>, <c>mpd</c>, <c>manifest</c>).</summary>
public sealed record SynthPhaseProgress(string Phase, long Done, long Total);

/// <summary>Where a generated dataset lies and what it holds. Paths are absolute, in the final location.</summary>
public sealed record SynthResult
{
    public required string Root { get; init; }

    /// <summary>The MPD slice files, in playlist order.</summary>
    public required IReadOnlyList<string> MpdSlices { get; init; }

    public required string TasteTriplets { get; init; }

    public required string UniqueTracks { get; init; }

    public required string SongDataCsv { get; init; }

    /// <summary>Rows of <c>train_triplets.txt</c>.</summary>
    public required long TripletRows { get; init; }

    /// <summary>Track entries over all playlists (repeats included).</summary>
    public required long PlaylistTracks { get; init; }

    public required int Users { get; init; }

    public required int Playlists { get; init; }

    /// <summary>Distinct songs (song keys) in the catalogue.</summary>
    public required int Songs { get; init; }
}

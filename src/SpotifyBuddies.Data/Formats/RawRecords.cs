namespace SpotifyBuddies.Data.Formats;

/// <summary>One track of an MPD playlist (Million Playlist Dataset slice schema).</summary>
public sealed record MpdTrack
{
    public required int Pos { get; init; }
    public required string TrackName { get; init; }
    public required string ArtistName { get; init; }
    public required string TrackUri { get; init; }
    public string? ArtistUri { get; init; }
    public string? AlbumName { get; init; }
    public string? AlbumUri { get; init; }
    public int DurationMs { get; init; }
}

/// <summary>One playlist of an MPD slice file <c>mpd.slice.A-B.json</c>.</summary>
public sealed record MpdPlaylist
{
    public required int Pid { get; init; }
    public required string Name { get; init; }
    public bool Collaborative { get; init; }
    public long ModifiedAt { get; init; }
    public int NumTracks { get; init; }
    public int NumAlbums { get; init; }
    public int NumFollowers { get; init; }
    public int NumEdits { get; init; }
    public int DurationMs { get; init; }
    public int NumArtists { get; init; }
    public string? Description { get; init; }
    public required IReadOnlyList<MpdTrack> Tracks { get; init; }
}

/// <summary>The <c>info</c> header of an MPD slice.</summary>
public sealed record MpdSliceInfo
{
    public string? GeneratedOn { get; init; }
    public string? Slice { get; init; }
    public string? Version { get; init; }
}

/// <summary>One row of the Echo Nest Taste Profile <c>train_triplets.txt</c>: <c>user TAB song_id TAB play_count</c>.</summary>
public readonly record struct TasteTriplet(string UserId, string SongId, int PlayCount);

/// <summary>
/// Million Song Dataset song metadata: a row of <c>unique_tracks.txt</c>
/// (<c>track_id&lt;SEP&gt;song_id&lt;SEP&gt;artist&lt;SEP&gt;title</c>) or of <c>song_data.csv</c>
/// (<c>song_id,title,release,artist_name,year</c>).
/// </summary>
public sealed record MsdSong
{
    public required string SongId { get; init; }
    public required string Title { get; init; }
    public required string ArtistName { get; init; }
    /// <summary>Only in <c>unique_tracks.txt</c>.</summary>
    public string? TrackId { get; init; }
    /// <summary>Only in <c>song_data.csv</c>.</summary>
    public string? Release { get; init; }
    /// <summary>Only in <c>song_data.csv</c>; 0 means unknown, as in the MSD.</summary>
    public int? Year { get; init; }
}

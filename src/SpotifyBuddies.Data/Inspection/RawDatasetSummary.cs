namespace SpotifyBuddies.Data.Inspection;

/// <summary>Min, median, mean and max of a count distribution.</summary>
public sealed record Distribution(long Min, double Median, double Mean, long Max)
{
    public static Distribution Empty { get; } = new(0, 0, 0, 0);

    /// <summary>Summarises the values; sorts <paramref name="values"/> in place.</summary>
    public static Distribution Of(List<int> values)
    {
        if (values.Count == 0)
        {
            return Empty;
        }

        values.Sort();
        var n = values.Count;
        double median = n % 2 == 1 ? values[n / 2] : (values[(n / 2) - 1] + (double)values[n / 2]) / 2;
        return new Distribution(values[0], median, values.Average(v => (double)v), values[^1]);
    }
}

/// <summary>What one input file yielded.</summary>
public sealed record FileReadSummary(string File, long Records, long Skipped, IReadOnlyList<string> Errors);

/// <summary>Counts over the raw inputs, read with the real-format readers.</summary>
public sealed record RawDatasetSummary
{
    public required int MpdSlices { get; init; }
    public required long Playlists { get; init; }
    public required long PlaylistTracks { get; init; }
    public required int MpdSongKeys { get; init; }
    public required int MpdArtists { get; init; }
    public required Distribution PlaylistLength { get; init; }
    public required Distribution PlaylistFollowers { get; init; }

    public required long TripletRows { get; init; }
    public required int Users { get; init; }
    public required int EntpSongIds { get; init; }
    public required Distribution LibrarySize { get; init; }

    public required long MsdSongs { get; init; }
    /// <summary>ENTP rows whose song id has no MSD title/artist; the original drops them.</summary>
    public required long TripletRowsWithoutMetadata { get; init; }
    public required int EntpSongKeys { get; init; }
    /// <summary>Song keys present on both sides: the songs through which users and playlists can overlap.</summary>
    public required int SharedSongKeys { get; init; }
    /// <summary>Users with at least one song whose key also appears in some playlist.</summary>
    public required int UsersWithSharedSongs { get; init; }

    public required IReadOnlyList<FileReadSummary> Files { get; init; }

    public long SkippedRecords => Files.Sum(f => f.Skipped);
}

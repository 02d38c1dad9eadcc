using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Data.Formats;

namespace SpotifyBuddies.Data.Inspection;

/// <summary>Progress of a long read: a phase name and how many of its files are done.</summary>
public sealed record InspectProgress(string Phase, long Done, long Total);

/// <summary>
/// Reads the raw inputs end to end with the streaming readers and summarises them: the check that a
/// dataset is readable and that its song universes overlap (users and playlists can only meet through
/// shared song keys).
/// </summary>
public static class RawDatasetInspector
{
    public static RawDatasetSummary Inspect(
        RawDatasetPaths paths,
        ReadOptions options,
        IProgress<InspectProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(options);
        var files = new List<FileReadSummary>();

        // MSD first: the join from ENTP song ids to song keys.
        progress?.Report(new InspectProgress("MSD metadata", 0, 1));
        var msdReport = new ReadReport();
        var keyBySongId = new Dictionary<string, SongKey>(StringComparer.Ordinal);
        foreach (var song in MsdSongReader.Read(paths.MsdSongs, options, msdReport, cancellationToken))
        {
            if (SongKey.TryCreate(song.Title, song.ArtistName) is { } key)
            {
                keyBySongId[song.SongId] = key;
            }
        }

        files.Add(Summarise(paths.MsdSongs, msdReport));
        progress?.Report(new InspectProgress("MSD metadata", 1, 1));

        // MPD slices, one at a time.
        var mpdKeys = new HashSet<SongKey>();
        var artists = new HashSet<string>(StringComparer.Ordinal);
        var lengths = new List<int>();
        var followers = new List<int>();
        long tracks = 0;
        for (var i = 0; i < paths.MpdSlices.Count; i++)
        {
            progress?.Report(new InspectProgress("MPD slices", i, paths.MpdSlices.Count));
            var report = new ReadReport();
            foreach (var playlist in MpdSliceReader.Read(paths.MpdSlices[i], options, report, cancellationToken))
            {
                lengths.Add(playlist.Tracks.Count);
                followers.Add(playlist.NumFollowers);
                tracks += playlist.Tracks.Count;
                foreach (var track in playlist.Tracks)
                {
                    artists.Add(track.ArtistName);
                    if (SongKey.TryCreate(track.TrackName, track.ArtistName) is { } key)
                    {
                        mpdKeys.Add(key);
                    }
                }
            }

            files.Add(Summarise(paths.MpdSlices[i], report));
        }

        progress?.Report(new InspectProgress("MPD slices", paths.MpdSlices.Count, paths.MpdSlices.Count));

        // ENTP triplets: libraries are sets of songs; play counts are not used (original-system.md §1).
        progress?.Report(new InspectProgress("ENTP triplets", 0, 1));
        var tripletReport = new ReadReport();
        var librarySizes = new Dictionary<string, int>(StringComparer.Ordinal);
        var songIds = new HashSet<string>(StringComparer.Ordinal);
        var entpKeys = new HashSet<SongKey>();
        var usersWithShared = new HashSet<string>(StringComparer.Ordinal);
        long withoutMetadata = 0;
        foreach (var row in TasteTripletReader.Read(paths.TasteTriplets, options, tripletReport, cancellationToken))
        {
            librarySizes[row.UserId] = librarySizes.GetValueOrDefault(row.UserId) + 1;
            songIds.Add(row.SongId);
            if (keyBySongId.TryGetValue(row.SongId, out var key))
            {
                entpKeys.Add(key);
                if (mpdKeys.Contains(key))
                {
                    usersWithShared.Add(row.UserId);
                }
            }
            else
            {
                withoutMetadata++;
            }
        }

        files.Add(Summarise(paths.TasteTriplets, tripletReport));
        progress?.Report(new InspectProgress("ENTP triplets", 1, 1));

        var shared = entpKeys.Count(mpdKeys.Contains);
        return new RawDatasetSummary
        {
            MpdSlices = paths.MpdSlices.Count,
            Playlists = lengths.Count,
            PlaylistTracks = tracks,
            MpdSongKeys = mpdKeys.Count,
            MpdArtists = artists.Count,
            PlaylistLength = Distribution.Of(lengths),
            PlaylistFollowers = Distribution.Of(followers),
            TripletRows = tripletReport.Records,
            Users = librarySizes.Count,
            EntpSongIds = songIds.Count,
            LibrarySize = Distribution.Of([.. librarySizes.Values]),
            MsdSongs = msdReport.Records,
            TripletRowsWithoutMetadata = withoutMetadata,
            EntpSongKeys = entpKeys.Count,
            SharedSongKeys = shared,
            UsersWithSharedSongs = usersWithShared.Count,
            Files = files,
        };
    }

    private static FileReadSummary Summarise(string file, ReadReport report) =>
        new(file, report.Records, report.Skipped, [.. report.Errors.Select(e => e.ToString())]);
}

using System.Globalization;

namespace SpotifyBuddies.Data.Formats;

/// <summary>
/// Reads Million Playlist Dataset slice files (<c>mpd.slice.A-B.json</c>) one playlist at a time.
/// </summary>
/// <remarks>
/// A playlist with a wrong type, a missing required field or a negative count is a bad record: it is reported
/// with the JSON path of the field (<c>playlists[3].tracks[2].track_name</c>) and skipped when
/// <see cref="ReadOptions.SkipBad"/> is set. Invalid JSON or a truncated file cannot be resynchronised: it is
/// reported once and the rest of that file is not read. Lines and columns are 1-based; columns count UTF-16 code
/// units from the start of the line.
/// </remarks>
public static class MpdSliceReader
{
    private const string SlicePrefix = "mpd.slice.";
    private const string SliceSuffix = ".json";

    /// <summary>Streams the playlists of one slice file without loading the file; memory is bounded by one playlist.</summary>
    public static IEnumerable<MpdPlaylist> Read(string path, ReadOptions options, ReadReport report, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(report);
        return ReadFile(path, options, report, cancellationToken);
    }

    /// <summary>
    /// Streams the playlists of a slice from <paramref name="stream"/>, which is left open; errors name the input
    /// <paramref name="displayName"/>.
    /// </summary>
    public static IEnumerable<MpdPlaylist> Read(Stream stream, string displayName, ReadOptions options, ReadReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(displayName);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(report);
        return ReadStream(stream, displayName, options, report, cancellationToken);
    }

    /// <summary>
    /// Streams the playlists of a slice as song keys (data preparation's view): the same playlists, in the same order
    /// and with the same errors as <see cref="Read(Stream, string, ReadOptions, ReadReport, CancellationToken)"/>,
    /// each given as the pid, name and <see cref="Core.Interactions.SongKey"/> bytes of its tracks. The one
    /// <see cref="MpdPlaylistKeys"/> yielded is refilled by the next step, so copy what must outlive it.
    /// </summary>
    internal static IEnumerable<MpdPlaylistKeys> ReadKeys(
        Stream stream,
        string displayName,
        ReadOptions options,
        ReadReport report,
        int bufferSize = MpdSliceParser.InitialBufferSize,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(displayName);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(report);
        return ReadKeysStream(stream, displayName, options, report, bufferSize, cancellationToken);
    }

    /// <summary>
    /// The slice files (<c>mpd.slice.*.json</c>) in <paramref name="directory"/> and its <c>data/</c> subfolder,
    /// ordered by the numeric start of the slice range (<c>0-999</c> before <c>1000-1999</c>); files whose name has
    /// no numeric range come last, by name.
    /// </summary>
    public static IReadOnlyList<string> FindSlices(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"MPD directory '{directory}' does not exist.");
        }

        var slices = new List<(long Start, long End, string Path)>();
        foreach (var folder in new[] { directory, Path.Combine(directory, "data") })
        {
            if (!Directory.Exists(folder))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(folder, SlicePrefix + "*" + SliceSuffix))
            {
                var (start, end) = ParseRange(Path.GetFileName(file));
                slices.Add((start, end, file));
            }
        }

        return slices
            .OrderBy(s => s.Start)
            .ThenBy(s => s.End)
            .ThenBy(s => s.Path, StringComparer.Ordinal)
            .Select(s => s.Path)
            .ToList();
    }

    private static IEnumerable<MpdPlaylist> ReadFile(string path, ReadOptions options, ReadReport report, CancellationToken cancellationToken)
    {
        // No FileStream buffering: the parser reads into its own buffer.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        foreach (var playlist in ReadStream(stream, path, options, report, cancellationToken))
        {
            yield return playlist;
        }
    }

    private static IEnumerable<MpdPlaylist> ReadStream(Stream stream, string displayName, ReadOptions options, ReadReport report, CancellationToken cancellationToken)
    {
        using var parser = new MpdSliceParser(stream, displayName, options, report, cancellationToken);
        while (parser.TryReadNext(out var playlist))
        {
            report.CountRecord();
            yield return playlist;
        }
    }

    private static IEnumerable<MpdPlaylistKeys> ReadKeysStream(
        Stream stream, string displayName, ReadOptions options, ReadReport report, int bufferSize, CancellationToken cancellationToken)
    {
        using var parser = new MpdSliceParser(stream, displayName, options, report, cancellationToken, bufferSize);
        var keys = new MpdPlaylistKeys();
        while (parser.TryReadNextKeys(keys))
        {
            report.CountRecord();
            yield return keys;
        }
    }

    // "mpd.slice.1000-1999.json" => (1000, 1999); anything else sorts last.
    private static (long Start, long End) ParseRange(string fileName)
    {
        if (fileName.Length < SlicePrefix.Length + SliceSuffix.Length)
        {
            return (long.MaxValue, long.MaxValue);
        }

        var range = fileName.AsSpan(SlicePrefix.Length, fileName.Length - SlicePrefix.Length - SliceSuffix.Length);
        var dash = range.IndexOf('-');
        return dash > 0
            && long.TryParse(range[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            && long.TryParse(range[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var end)
            ? (start, end)
            : (long.MaxValue, long.MaxValue);
    }
}

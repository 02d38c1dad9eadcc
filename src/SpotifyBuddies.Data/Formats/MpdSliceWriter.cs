using System.Globalization;
using System.Text.Json;

namespace SpotifyBuddies.Data.Formats;

/// <summary>
/// Streams one Million Playlist Dataset slice (<c>mpd.slice.A-B.json</c>) as compact UTF-8 JSON:
/// <c>{"info":{…},"playlists":[{…,"tracks":[{…}]}]}</c>, with the MPD's field names and its quirks
/// (<c>collaborative</c> is the string <c>"true"</c>/<c>"false"</c>). Playlists are written one at a
/// time and flushed as the buffer fills, so a slice is never held in memory as a whole.
/// </summary>
/// <remarks>
/// The writer writes what it is given: counters such as <c>num_tracks</c> are taken from the record, not
/// recomputed, so tests can also produce inconsistent files. Call <see cref="Complete"/> to close the
/// JSON; disposing without it leaves a truncated (invalid) file, which is what a crash should leave.
/// </remarks>
public sealed class MpdSliceWriter : IDisposable
{
    /// <summary>Playlists per slice file in the real MPD.</summary>
    public const int PlaylistsPerSlice = 1000;

    private const int FlushThreshold = 64 * 1024;

    private static readonly JsonEncodedText Info = JsonEncodedText.Encode("info");
    private static readonly JsonEncodedText GeneratedOn = JsonEncodedText.Encode("generated_on");
    private static readonly JsonEncodedText Slice = JsonEncodedText.Encode("slice");
    private static readonly JsonEncodedText Version = JsonEncodedText.Encode("version");
    private static readonly JsonEncodedText Playlists = JsonEncodedText.Encode("playlists");
    private static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
    private static readonly JsonEncodedText Collaborative = JsonEncodedText.Encode("collaborative");
    private static readonly JsonEncodedText Pid = JsonEncodedText.Encode("pid");
    private static readonly JsonEncodedText ModifiedAt = JsonEncodedText.Encode("modified_at");
    private static readonly JsonEncodedText NumTracks = JsonEncodedText.Encode("num_tracks");
    private static readonly JsonEncodedText NumAlbums = JsonEncodedText.Encode("num_albums");
    private static readonly JsonEncodedText NumFollowers = JsonEncodedText.Encode("num_followers");
    private static readonly JsonEncodedText NumEdits = JsonEncodedText.Encode("num_edits");
    private static readonly JsonEncodedText DurationMs = JsonEncodedText.Encode("duration_ms");
    private static readonly JsonEncodedText NumArtists = JsonEncodedText.Encode("num_artists");
    private static readonly JsonEncodedText Description = JsonEncodedText.Encode("description");
    private static readonly JsonEncodedText Tracks = JsonEncodedText.Encode("tracks");
    private static readonly JsonEncodedText Pos = JsonEncodedText.Encode("pos");
    private static readonly JsonEncodedText ArtistName = JsonEncodedText.Encode("artist_name");
    private static readonly JsonEncodedText TrackUri = JsonEncodedText.Encode("track_uri");
    private static readonly JsonEncodedText ArtistUri = JsonEncodedText.Encode("artist_uri");
    private static readonly JsonEncodedText TrackName = JsonEncodedText.Encode("track_name");
    private static readonly JsonEncodedText AlbumUri = JsonEncodedText.Encode("album_uri");
    private static readonly JsonEncodedText AlbumName = JsonEncodedText.Encode("album_name");
    private static readonly JsonEncodedText True = JsonEncodedText.Encode("true");
    private static readonly JsonEncodedText False = JsonEncodedText.Encode("false");

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly Utf8JsonWriter _json;
    private bool _completed;
    private bool _disposed;

    /// <summary>Starts a slice on <paramref name="stream"/> and writes its <c>info</c> header.</summary>
    public MpdSliceWriter(Stream stream, MpdSliceInfo info, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(info);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        _json.WriteStartObject();
        _json.WriteStartObject(Info);
        WriteOptionalString(GeneratedOn, info.GeneratedOn);
        WriteOptionalString(Slice, info.Slice);
        WriteOptionalString(Version, info.Version);
        _json.WriteEndObject();
        _json.WriteStartArray(Playlists);
    }

    /// <summary>How many playlists have been written.</summary>
    public int PlaylistsWritten { get; private set; }

    /// <summary>The MPD file name of the slice starting at playlist <paramref name="start"/>: <c>mpd.slice.{start}-{start+999}.json</c>.</summary>
    public static string SliceFileName(int start)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        return string.Create(CultureInfo.InvariantCulture, $"mpd.slice.{start}-{(long)start + PlaylistsPerSlice - 1}.json");
    }

    /// <summary>The <c>info.slice</c> text of the slice starting at <paramref name="start"/>: <c>{start}-{start+999}</c>.</summary>
    public static string SliceRange(int start)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        return string.Create(CultureInfo.InvariantCulture, $"{start}-{(long)start + PlaylistsPerSlice - 1}");
    }

    /// <summary>Writes a whole slice: header, every playlist, closing brackets.</summary>
    public static void WriteSlice(Stream stream, MpdSliceInfo info, IEnumerable<MpdPlaylist> playlists, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(playlists);
        using var writer = new MpdSliceWriter(stream, info, leaveOpen: true);
        foreach (var playlist in playlists)
        {
            cancellationToken.ThrowIfCancellationRequested();
            writer.Write(playlist);
        }

        writer.Complete();
    }

    /// <summary>Appends one playlist.</summary>
    public void Write(MpdPlaylist playlist)
    {
        ArgumentNullException.ThrowIfNull(playlist);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException("The slice is already complete.");
        }

        var json = _json;
        json.WriteStartObject();
        json.WriteString(Name, playlist.Name);
        json.WriteString(Collaborative, playlist.Collaborative ? True : False);
        json.WriteNumber(Pid, playlist.Pid);
        json.WriteNumber(ModifiedAt, playlist.ModifiedAt);
        json.WriteNumber(NumTracks, playlist.NumTracks);
        json.WriteNumber(NumAlbums, playlist.NumAlbums);
        json.WriteNumber(NumFollowers, playlist.NumFollowers);
        json.WriteNumber(NumEdits, playlist.NumEdits);
        json.WriteNumber(DurationMs, playlist.DurationMs);
        json.WriteNumber(NumArtists, playlist.NumArtists);
        WriteOptionalString(Description, playlist.Description);
        json.WriteStartArray(Tracks);
        foreach (var track in playlist.Tracks)
        {
            json.WriteStartObject();
            json.WriteNumber(Pos, track.Pos);
            json.WriteString(ArtistName, track.ArtistName);
            json.WriteString(TrackUri, track.TrackUri);
            WriteOptionalString(ArtistUri, track.ArtistUri);
            json.WriteString(TrackName, track.TrackName);
            WriteOptionalString(AlbumUri, track.AlbumUri);
            json.WriteNumber(DurationMs, track.DurationMs);
            WriteOptionalString(AlbumName, track.AlbumName);
            json.WriteEndObject();
            if (json.BytesPending >= FlushThreshold)
            {
                json.Flush();
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
        PlaylistsWritten++;
        if (json.BytesPending >= FlushThreshold)
        {
            json.Flush();
        }
    }

    /// <summary>Closes the playlists array and the root object and flushes to the stream.</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            return;
        }

        _json.WriteEndArray();
        _json.WriteEndObject();
        _json.Flush();
        _stream.Flush();
        _completed = true;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_completed)
        {
            // Write out what we have, unterminated: a half-written slice must not parse as complete.
            _json.Flush();
        }

        _json.Dispose();
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private void WriteOptionalString(JsonEncodedText name, string? value)
    {
        if (value is not null)
        {
            _json.WriteString(name, value);
        }
    }
}

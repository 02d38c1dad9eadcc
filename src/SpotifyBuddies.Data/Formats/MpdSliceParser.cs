using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace SpotifyBuddies.Data.Formats;

/// <summary>
/// The streaming core of <see cref="MpdSliceReader"/>: a <see cref="Utf8JsonReader"/> over a pooled buffer that is
/// refilled from the stream, with the reader state carried across refills. Each top-level item (a playlist, or the
/// value of another root property) is first skipped with <see cref="Utf8JsonReader.TrySkip"/>; if its bytes are not
/// all buffered yet, the reader goes back to the state before the item, the buffer is refilled (grown when the item
/// does not fit) and the item is tried again. A complete playlist is then parsed from the buffer. Memory is bounded
/// by the largest single item, not by the file. <see cref="TryReadNextKeys"/> is the allocation-light variant for
/// data preparation (see MpdSliceParser.Keys.cs).
/// </summary>
internal sealed partial class MpdSliceParser : IDisposable
{
    /// <summary>The buffer a parser starts with unless told otherwise (it grows to fit the largest item).</summary>
    public const int InitialBufferSize = 64 * 1024;
    private const int MaxBufferSize = 256 * 1024 * 1024;

    private readonly Stream _stream;
    private readonly string _file;
    private readonly ReadOptions _options;
    private readonly ReadReport _report;
    private readonly CancellationToken _cancellationToken;
    private readonly Utf8PositionTracker _positions = new();

    private byte[] _buffer;
    private int _start;
    private int _end;
    private long _bufferOffset;
    private bool _isFinalBlock;
    private bool _started;
    private JsonReaderState _state;
    private Phase _phase;
    private int _playlistIndex;
    private bool _sawPlaylists;
    private (long Line, long Column) _rootPosition;

    public MpdSliceParser(
        Stream stream, string file, ReadOptions options, ReadReport report, CancellationToken cancellationToken, int initialBufferSize = InitialBufferSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialBufferSize, 16);
        _stream = stream;
        _file = file;
        _options = options;
        _report = report;
        _cancellationToken = cancellationToken;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(initialBufferSize, MaxBufferSize));
    }

    private enum Phase { Start, Root, Playlists, AfterRoot, Done }

    private enum StepResult { Continue, Playlist, NeedMoreData, End }

    /// <summary>The next good playlist; bad ones are reported to the <see cref="ReadReport"/> on the way.</summary>
    public bool TryReadNext([NotNullWhen(true)] out MpdPlaylist? playlist)
    {
        _keys = null;
        var found = Next(out playlist);
        Debug.Assert(!found || playlist is not null, "a playlist step yields a playlist");
        return found;
    }

    private bool Next(out MpdPlaylist? playlist)
    {
        if (!_started)
        {
            _started = true;
            FillStart();
        }

        while (true)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            switch (Step(out playlist))
            {
                case StepResult.Playlist:
                    return true;
                case StepResult.End:
                    return false;
                case StepResult.NeedMoreData:
                    if (_isFinalBlock)
                    {
                        // The reader throws on incomplete final data, so this is only a safety net.
                        Fatal(Position(_bufferOffset + _end), null, "the file ends before the JSON is complete (truncated file?)", null);
                        return false;
                    }

                    Refill();

                    break;
                case StepResult.Continue:
                default:
                    break;
            }
        }
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private StepResult Step(out MpdPlaylist? playlist)
    {
        playlist = null;
        if (_phase == Phase.Done)
        {
            return StepResult.End;
        }

        var data = _buffer.AsSpan(_start, _end - _start);
        var reader = new Utf8JsonReader(data, _isFinalBlock, _state);
        try
        {
            switch (_phase)
            {
                case Phase.Start:
                    if (!reader.Read())
                    {
                        return StepResult.NeedMoreData;
                    }

                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        Fatal(TokenPosition(ref reader), null, $"an MPD slice must be a JSON object with a \"playlists\" array, found {JsonValues.Describe(ref reader)}", null);
                        return StepResult.End;
                    }

                    _rootPosition = TokenPosition(ref reader);
                    Commit(ref reader);
                    _phase = Phase.Root;
                    return StepResult.Continue;

                case Phase.Root:
                    return StepRoot(ref reader);

                case Phase.Playlists:
                    return StepPlaylist(ref reader, data, out playlist);

                case Phase.AfterRoot:
                default:
                    if (!reader.Read())
                    {
                        if (!_isFinalBlock)
                        {
                            return StepResult.NeedMoreData;
                        }

                        _phase = Phase.Done;
                        return StepResult.End;
                    }

                    // Utf8JsonReader rejects a second top-level value itself; this is a safety net.
                    Fatal(TokenPosition(ref reader), null, "unexpected content after the end of the slice object", null);
                    return StepResult.End;
            }
        }
        catch (JsonException exception)
        {
            SyntaxError(exception);
            return StepResult.End;
        }
    }

    private StepResult StepRoot(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            return StepResult.NeedMoreData;
        }

        if (reader.TokenType == JsonTokenType.EndObject)
        {
            Commit(ref reader);
            _phase = Phase.AfterRoot;
            if (!_sawPlaylists)
            {
                Fatal(_rootPosition, "playlists", "required field is missing: an MPD slice has a top-level \"playlists\" array", null);
                return StepResult.End;
            }

            return StepResult.Continue;
        }

        var isPlaylists = reader.ValueTextEquals("playlists"u8);
        if (!reader.Read())
        {
            return StepResult.NeedMoreData;
        }

        if (isPlaylists)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                Fatal(TokenPosition(ref reader), "playlists", $"expected an array of playlists, found {JsonValues.Describe(ref reader)}", null);
                return StepResult.End;
            }

            Commit(ref reader);
            _sawPlaylists = true;
            _playlistIndex = 0;
            _phase = Phase.Playlists;
            return StepResult.Continue;
        }

        // "info" and unknown properties: skipped whole (the slice range is in the file name as well).
        if (!reader.TrySkip())
        {
            return StepResult.NeedMoreData;
        }

        Commit(ref reader);
        return StepResult.Continue;
    }

    private StepResult StepPlaylist(ref Utf8JsonReader reader, ReadOnlySpan<byte> data, out MpdPlaylist? playlist)
    {
        playlist = null;
        if (!reader.Read())
        {
            return StepResult.NeedMoreData;
        }

        if (reader.TokenType == JsonTokenType.EndArray)
        {
            Commit(ref reader);
            _phase = Phase.Root;
            return StepResult.Continue;
        }

        var index = _playlistIndex;
        var start = (int)reader.TokenStartIndex;
        var isObject = reader.TokenType == JsonTokenType.StartObject;
        if (isObject && _keys is { } keys)
        {
            // One pass straight into the keys; anything unusual is left to the full parser below, which has the
            // error messages (the reader goes back to the playlist's opening brace).
            var atObject = reader;
            switch (ParseKeys(ref reader, keys))
            {
                case KeysResult.Complete:
                    Commit(ref reader);
                    _playlistIndex++;
                    return StepResult.Playlist;
                case KeysResult.NeedMoreData:
                    return StepResult.NeedMoreData;
                case KeysResult.Unusual:
                default:
                    reader = atObject;
                    break;
            }
        }

        var description = isObject ? null : JsonValues.Describe(ref reader);
        if (!reader.TrySkip())
        {
            return StepResult.NeedMoreData;
        }

        var json = data[start..(int)reader.BytesConsumed];
        var offset = _bufferOffset + _start + start;
        Commit(ref reader);
        _playlistIndex++;

        if (!isObject)
        {
            var position = Position(offset);
            _report.Bad(new DataFormatError(_file, position.Line, position.Column, $"playlists[{index}]", $"expected a playlist object, found {description}"), _options);
            return StepResult.Continue;
        }

        var parser = new PlaylistParser(this, index, offset);
        if (parser.TryParse(json, out playlist, out var error))
        {
            _keys?.Fill(playlist);
            return StepResult.Playlist;
        }

        _report.Bad(error, _options);
        return StepResult.Continue;
    }

    private void Commit(ref Utf8JsonReader reader)
    {
        _state = reader.CurrentState;
        _start += (int)reader.BytesConsumed;
    }

    private (long Line, long Column) TokenPosition(ref Utf8JsonReader reader) =>
        Position(_bufferOffset + _start + reader.TokenStartIndex);

    private (long Line, long Column) Position(long offset) =>
        _positions.Advance(_buffer.AsSpan(0, _end), _bufferOffset, offset);

    // A problem the reader cannot resynchronise after: reported once, and the rest of the file is not read.
    private void Fatal((long Line, long Column) position, string? field, string message, Exception? inner)
    {
        _phase = Phase.Done;
        _report.Bad(new DataFormatError(_file, position.Line, position.Column, field, message), _options, inner);
    }

    private void SyntaxError(JsonException exception)
    {
        var line = (exception.LineNumber ?? 0) + 1;
        var position = _positions.Locate(_buffer.AsSpan(0, _end), _bufferOffset, line, exception.BytePositionInLine ?? 0);

        var detail = exception.Message;
        var cut = detail.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut > 0)
        {
            detail = detail[..cut];
        }

        // Nothing but whitespace after the error position: the JSON simply stops.
        var rest = _buffer.AsSpan(0, _end)[(int)Math.Clamp(_positions.Offset - _bufferOffset, 0, _end)..];
        var truncated = _isFinalBlock && rest.IndexOfAnyExcept(" \t\r\n"u8) < 0;
        var empty = truncated && _phase == Phase.Start && _buffer.AsSpan(_start, _end - _start).IndexOfAnyExcept(" \t\r\n"u8) < 0;
        var message = empty ? "the file is empty"
            : truncated ? $"the file ends before the JSON is complete (truncated file?): {detail}"
            : $"invalid JSON, the rest of the file cannot be read: {detail}";
        Fatal(position, null, message, exception);
    }

    private void FillStart()
    {
        while (_end < 3 && !_isFinalBlock)
        {
            ReadMore();
        }

        if (_buffer.AsSpan(0, _end).StartsWith(Encoding.UTF8.Preamble))
        {
            _start = 3;
        }

        _positions.StartAt(_start);
    }

    private void Refill()
    {
        if (_start > 0)
        {
            // Count the lines of the bytes about to be dropped, then move the unread rest to the front.
            _positions.Advance(_buffer.AsSpan(0, _end), _bufferOffset, _bufferOffset + _start);
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _bufferOffset += _start;
            _end -= _start;
            _start = 0;
        }
        else if (_end == _buffer.Length)
        {
            if (_buffer.Length >= MaxBufferSize)
            {
                Fatal(Position(_bufferOffset), null, $"a single value is larger than {MaxBufferSize / (1024 * 1024)} MiB; this does not look like an MPD slice", null);
                return;
            }

            var larger = ArrayPool<byte>.Shared.Rent(Math.Min(MaxBufferSize, _buffer.Length * 2));
            _buffer.AsSpan(0, _end).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        ReadMore();
    }

    private void ReadMore()
    {
        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _isFinalBlock = true;
        }

        _end += read;
    }

    /// <summary>Parses one complete, syntactically valid playlist object into a record, or names what is wrong with it.</summary>
    private readonly struct PlaylistParser(MpdSliceParser owner, int index, long offset)
    {
        public bool TryParse(ReadOnlySpan<byte> json, [NotNullWhen(true)] out MpdPlaylist? playlist, [NotNullWhen(false)] out DataFormatError? error)
        {
            playlist = null;
            var reader = new Utf8JsonReader(json, isFinalBlock: true, state: default);
            reader.Read();
            var objectPosition = owner.Position(offset);

            int? pid = null;
            string? name = null;
            List<MpdTrack>? tracks = null;
            var collaborative = false;
            long modifiedAt = 0;
            int numTracks = 0, numAlbums = 0, numFollowers = 0, numEdits = 0, durationMs = 0, numArtists = 0;
            string? description = null;

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("pid"u8))
                {
                    if (!ReadInt(ref reader, -1, "pid", out var value, out error))
                    {
                        return false;
                    }

                    pid = value;
                }
                else if (reader.ValueTextEquals("name"u8))
                {
                    if (!ReadString(ref reader, -1, "name", required: true, out name, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("tracks"u8))
                {
                    if (!ReadTracks(ref reader, out tracks, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("collaborative"u8))
                {
                    if (!ReadFlag(ref reader, "collaborative", out collaborative, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("modified_at"u8))
                {
                    if (!ReadLong(ref reader, "modified_at", out modifiedAt, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("num_tracks"u8))
                {
                    if (!ReadInt(ref reader, -1, "num_tracks", out numTracks, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("num_albums"u8))
                {
                    if (!ReadInt(ref reader, -1, "num_albums", out numAlbums, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("num_followers"u8))
                {
                    if (!ReadInt(ref reader, -1, "num_followers", out numFollowers, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("num_edits"u8))
                {
                    if (!ReadInt(ref reader, -1, "num_edits", out numEdits, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("duration_ms"u8))
                {
                    if (!ReadInt(ref reader, -1, "duration_ms", out durationMs, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("num_artists"u8))
                {
                    if (!ReadInt(ref reader, -1, "num_artists", out numArtists, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("description"u8))
                {
                    if (!ReadString(ref reader, -1, "description", required: false, out description, out error))
                    {
                        return false;
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            var missing = pid is null ? "pid" : name is null ? "name" : tracks is null ? "tracks" : null;
            if (missing is not null)
            {
                error = Error(objectPosition, -1, missing, "required field is missing");
                return false;
            }

            playlist = new MpdPlaylist
            {
                Pid = pid!.Value,
                Name = name!,
                Collaborative = collaborative,
                ModifiedAt = modifiedAt,
                NumTracks = numTracks,
                NumAlbums = numAlbums,
                NumFollowers = numFollowers,
                NumEdits = numEdits,
                DurationMs = durationMs,
                NumArtists = numArtists,
                Description = description,
                Tracks = tracks!,
            };
            error = null;
            return true;
        }

        private bool ReadTracks(ref Utf8JsonReader reader, out List<MpdTrack>? tracks, [NotNullWhen(false)] out DataFormatError? error)
        {
            tracks = null;
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                error = Error(Position(ref reader), -1, "tracks", $"expected an array of tracks, found {JsonValues.Describe(ref reader)}");
                return false;
            }

            var list = new List<MpdTrack>();
            var track = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    error = Error(Position(ref reader), track, null, $"expected a track object, found {JsonValues.Describe(ref reader)}");
                    return false;
                }

                if (!ReadTrack(ref reader, track, out var item, out error))
                {
                    return false;
                }

                list.Add(item);
                track++;
            }

            tracks = list;
            error = null;
            return true;
        }

        private bool ReadTrack(ref Utf8JsonReader reader, int track, [NotNullWhen(true)] out MpdTrack? item, [NotNullWhen(false)] out DataFormatError? error)
        {
            item = null;
            var objectPosition = Position(ref reader);
            int? pos = null;
            string? trackName = null, artistName = null, trackUri = null, artistUri = null, albumName = null, albumUri = null;
            var durationMs = 0;

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("pos"u8))
                {
                    if (!ReadInt(ref reader, track, "pos", out var value, out error))
                    {
                        return false;
                    }

                    pos = value;
                }
                else if (reader.ValueTextEquals("track_name"u8))
                {
                    if (!ReadString(ref reader, track, "track_name", required: true, out trackName, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("artist_name"u8))
                {
                    if (!ReadString(ref reader, track, "artist_name", required: true, out artistName, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("track_uri"u8))
                {
                    if (!ReadString(ref reader, track, "track_uri", required: true, out trackUri, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("artist_uri"u8))
                {
                    if (!ReadString(ref reader, track, "artist_uri", required: false, out artistUri, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("album_name"u8))
                {
                    if (!ReadString(ref reader, track, "album_name", required: false, out albumName, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("album_uri"u8))
                {
                    if (!ReadString(ref reader, track, "album_uri", required: false, out albumUri, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("duration_ms"u8))
                {
                    if (!ReadInt(ref reader, track, "duration_ms", out durationMs, out error))
                    {
                        return false;
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            var missing = pos is null ? "pos" : trackName is null ? "track_name" : artistName is null ? "artist_name" : trackUri is null ? "track_uri" : null;
            if (missing is not null)
            {
                error = Error(objectPosition, track, missing, "required field is missing");
                return false;
            }

            item = new MpdTrack
            {
                Pos = pos!.Value,
                TrackName = trackName!,
                ArtistName = artistName!,
                TrackUri = trackUri!,
                ArtistUri = artistUri,
                AlbumName = albumName,
                AlbumUri = albumUri,
                DurationMs = durationMs,
            };
            error = null;
            return true;
        }

        // Counts, ids and positions: a non-negative 32-bit integer.
        private bool ReadInt(ref Utf8JsonReader reader, int track, string field, out int value, [NotNullWhen(false)] out DataFormatError? error)
        {
            value = 0;
            reader.Read();
            if (reader.TokenType != JsonTokenType.Number)
            {
                error = Error(Position(ref reader), track, field, $"expected an integer, found {JsonValues.Describe(ref reader)}");
                return false;
            }

            if (!reader.TryGetInt32(out value))
            {
                var message = !reader.ValueSpan.ContainsAny(".eE"u8)
                    ? $"{JsonValues.Describe(ref reader)} is out of range for a 32-bit integer"
                    : $"expected an integer, found {JsonValues.Describe(ref reader)}";
                error = Error(Position(ref reader), track, field, message);
                return false;
            }

            if (value < 0)
            {
                error = Error(Position(ref reader), track, field, $"must not be negative, found {value}");
                return false;
            }

            error = null;
            return true;
        }

        // Timestamps: any 64-bit integer.
        private bool ReadLong(ref Utf8JsonReader reader, string field, out long value, [NotNullWhen(false)] out DataFormatError? error)
        {
            value = 0;
            reader.Read();
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out value))
            {
                error = Error(Position(ref reader), -1, field, $"expected an integer, found {JsonValues.Describe(ref reader)}");
                return false;
            }

            error = null;
            return true;
        }

        private bool ReadString(ref Utf8JsonReader reader, int track, string field, bool required, out string? value, [NotNullWhen(false)] out DataFormatError? error)
        {
            value = null;
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null && !required)
            {
                error = null;
                return true;
            }

            if (reader.TokenType != JsonTokenType.String)
            {
                error = Error(Position(ref reader), track, field, $"expected a string, found {JsonValues.Describe(ref reader)}");
                return false;
            }

            try
            {
                value = reader.GetString();
            }
            catch (InvalidOperationException)
            {
                error = Error(Position(ref reader), track, field, "the string is not valid UTF-8");
                return false;
            }

            error = null;
            return true;
        }

        // "collaborative" is the string "true"/"false" in the MPD; a JSON boolean is accepted too.
        private bool ReadFlag(ref Utf8JsonReader reader, string field, out bool value, [NotNullWhen(false)] out DataFormatError? error)
        {
            reader.Read();
            error = null;
            switch (reader.TokenType)
            {
                case JsonTokenType.True:
                    value = true;
                    return true;
                case JsonTokenType.False:
                    value = false;
                    return true;
                case JsonTokenType.String when reader.ValueTextEquals("true"u8):
                    value = true;
                    return true;
                case JsonTokenType.String when reader.ValueTextEquals("false"u8):
                    value = false;
                    return true;
                default:
                    value = false;
                    error = Error(Position(ref reader), -1, field, $"expected \"true\" or \"false\", found {JsonValues.Describe(ref reader)}");
                    return false;
            }
        }

        private (long Line, long Column) Position(ref Utf8JsonReader reader) => owner.Position(offset + reader.TokenStartIndex);

        private DataFormatError Error((long Line, long Column) position, int track, string? field, string message)
        {
            var path = track < 0 ? $"playlists[{index}].{field}"
                : field is null ? $"playlists[{index}].tracks[{track}]"
                : $"playlists[{index}].tracks[{track}].{field}";
            return new DataFormatError(owner._file, position.Line, position.Column, path, message);
        }
    }
}

/// <summary>Short descriptions of JSON values for error messages.</summary>
internal static class JsonValues
{
    private const int MaxShown = 40;

    public static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => $"the string \"{Shorten(Encoding.UTF8.GetString(reader.ValueSpan))}\"",
        JsonTokenType.Number => $"the number {Shorten(Encoding.UTF8.GetString(reader.ValueSpan))}",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => reader.TokenType.ToString(),
    };

    public static string Shorten(string text) => text.Length <= MaxShown ? text : string.Concat(text.AsSpan(0, MaxShown), "…");
}

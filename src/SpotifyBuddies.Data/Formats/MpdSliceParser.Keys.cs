using System.Text.Json;
using System.Text.Unicode;

namespace SpotifyBuddies.Data.Formats;

/// <summary>
/// The allocation-light path of <see cref="MpdSliceParser"/>: each playlist is read in one pass of the streaming
/// reader straight into an <see cref="MpdPlaylistKeys"/> (pid, name, song keys), with no record or string per track.
/// </summary>
/// <remarks>
/// <para>It accepts exactly the playlists the full parser accepts and yields the same pid, name and keys for them:
/// every field the full parser checks is checked the same way here (types, non-negative 32-bit counts, 64-bit
/// timestamps, required fields, strings that are valid UTF-8 after unescaping). Whenever something is not as
/// expected (a bad value, a missing field, a repeated "tracks", an invalid escape), it gives up on the playlist and
/// the full parser reads it again from its opening brace, so skipped records, error messages and positions are the
/// full parser's. Syntax errors surface from the same <see cref="Utf8JsonReader"/> at the same token either way.</para>
/// <para>If the buffer ends inside the playlist, the step reports that more data is needed and the playlist is parsed
/// again from its start after the refill (a large buffer keeps that rare).</para>
/// </remarks>
internal sealed partial class MpdSliceParser
{
    private MpdPlaylistKeys? _keys;
    private byte[] _titleScratch = new byte[256];
    private byte[] _artistScratch = new byte[256];
    private byte[] _otherScratch = new byte[256];

    private enum KeysResult { Complete, NeedMoreData, Unusual }

    private enum PlaylistField { Other, Pid, Name, Tracks, Collaborative, ModifiedAt, Count, Description }

    private enum TrackField { Other, Pos, TrackName, ArtistName, TrackUri, ArtistUri, AlbumName, AlbumUri, DurationMs }

    /// <summary>
    /// The next good playlist into <paramref name="keys"/> (overwritten); bad ones are reported to the
    /// <see cref="ReadReport"/> on the way, as by <see cref="TryReadNext"/>.
    /// </summary>
    public bool TryReadNextKeys(MpdPlaylistKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = keys;
        return Next(out _);
    }

    // The reader is on the playlist's '{'.
    private KeysResult ParseKeys(ref Utf8JsonReader reader, MpdPlaylistKeys keys)
    {
        keys.Reset();
        var pid = -1;
        string? name = null;
        var sawTracks = false;
        while (true)
        {
            if (!reader.Read())
            {
                return KeysResult.NeedMoreData;
            }

            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                break;
            }

            var field = PlaylistFieldOf(ref reader);
            if (!reader.Read())
            {
                return KeysResult.NeedMoreData;
            }

            bool ok;
            switch (field)
            {
                case PlaylistField.Pid:
                    ok = IsNonNegativeInt32(ref reader, out pid);
                    break;
                case PlaylistField.Name:
                    ok = reader.TokenType == JsonTokenType.String && TryGetString(ref reader, out name);
                    break;
                case PlaylistField.Tracks:
                    if (sawTracks || reader.TokenType != JsonTokenType.StartArray)
                    {
                        return KeysResult.Unusual;
                    }

                    sawTracks = true;
                    var tracks = ParseTracks(ref reader, keys);
                    if (tracks != KeysResult.Complete)
                    {
                        return tracks;
                    }

                    ok = true;
                    break;
                case PlaylistField.Count:
                    ok = IsNonNegativeInt32(ref reader, out _);
                    break;
                case PlaylistField.Collaborative:
                    ok = reader.TokenType is JsonTokenType.True or JsonTokenType.False
                        || (reader.TokenType == JsonTokenType.String && (reader.ValueTextEquals("true"u8) || reader.ValueTextEquals("false"u8)));
                    break;
                case PlaylistField.ModifiedAt:
                    ok = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out _);
                    break;
                case PlaylistField.Description:
                    ok = reader.TokenType == JsonTokenType.Null || (reader.TokenType == JsonTokenType.String && IsValidString(ref reader));
                    break;
                case PlaylistField.Other:
                default:
                    if (!reader.TrySkip())
                    {
                        return KeysResult.NeedMoreData;
                    }

                    ok = true;
                    break;
            }

            if (!ok)
            {
                return KeysResult.Unusual;
            }
        }

        if (pid < 0 || name is null || !sawTracks)
        {
            return KeysResult.Unusual;
        }

        keys.Finish(pid, name);
        return KeysResult.Complete;
    }

    // Once per playlist: the plain chain of the full parser is fast enough.
    private static PlaylistField PlaylistFieldOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("pid"u8) ? PlaylistField.Pid
        : reader.ValueTextEquals("name"u8) ? PlaylistField.Name
        : reader.ValueTextEquals("tracks"u8) ? PlaylistField.Tracks
        : reader.ValueTextEquals("collaborative"u8) ? PlaylistField.Collaborative
        : reader.ValueTextEquals("modified_at"u8) ? PlaylistField.ModifiedAt
        : reader.ValueTextEquals("num_tracks"u8) || reader.ValueTextEquals("num_albums"u8) || reader.ValueTextEquals("num_followers"u8)
            || reader.ValueTextEquals("num_edits"u8) || reader.ValueTextEquals("duration_ms"u8) || reader.ValueTextEquals("num_artists"u8) ? PlaylistField.Count
        : reader.ValueTextEquals("description"u8) ? PlaylistField.Description
        : PlaylistField.Other;

    // The reader is on the tracks' '['.
    private KeysResult ParseTracks(ref Utf8JsonReader reader, MpdPlaylistKeys keys)
    {
        while (true)
        {
            if (!reader.Read())
            {
                return KeysResult.NeedMoreData;
            }

            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return KeysResult.Complete;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return KeysResult.Unusual;
            }

            var track = ParseTrack(ref reader, keys);
            if (track != KeysResult.Complete)
            {
                return track;
            }
        }
    }

    // The reader is on the track's '{'.
    private KeysResult ParseTrack(ref Utf8JsonReader reader, MpdPlaylistKeys keys)
    {
        var sawPos = false;
        var sawTrackUri = false;
        var sawTitle = false;
        var sawArtist = false;
        ReadOnlySpan<byte> title = default;
        ReadOnlySpan<byte> artist = default;
        while (true)
        {
            if (!reader.Read())
            {
                return KeysResult.NeedMoreData;
            }

            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                break;
            }

            var field = TrackFieldOf(ref reader);
            if (!reader.Read())
            {
                return KeysResult.NeedMoreData;
            }

            bool ok;
            switch (field)
            {
                case TrackField.Pos:
                    ok = IsNonNegativeInt32(ref reader, out _);
                    sawPos = true;
                    break;
                case TrackField.DurationMs:
                    ok = IsNonNegativeInt32(ref reader, out _);
                    break;
                case TrackField.TrackName:
                    ok = reader.TokenType == JsonTokenType.String && TryGetUtf8(ref reader, ref _titleScratch, out title);
                    sawTitle = true;
                    break;
                case TrackField.ArtistName:
                    ok = reader.TokenType == JsonTokenType.String && TryGetUtf8(ref reader, ref _artistScratch, out artist);
                    sawArtist = true;
                    break;
                case TrackField.TrackUri:
                    ok = reader.TokenType == JsonTokenType.String && IsValidString(ref reader);
                    sawTrackUri = true;
                    break;
                case TrackField.ArtistUri:
                case TrackField.AlbumName:
                case TrackField.AlbumUri:
                    ok = reader.TokenType == JsonTokenType.Null || (reader.TokenType == JsonTokenType.String && IsValidString(ref reader));
                    break;
                case TrackField.Other:
                default:
                    if (!reader.TrySkip())
                    {
                        return KeysResult.NeedMoreData;
                    }

                    ok = true;
                    break;
            }

            if (!ok)
            {
                return KeysResult.Unusual;
            }
        }

        if (!sawPos || !sawTitle || !sawArtist || !sawTrackUri)
        {
            return KeysResult.Unusual;
        }

        keys.AddTrack(title, artist);
        return KeysResult.Complete;
    }

    // Property names as the full parser matches them (ValueTextEquals, which also unescapes); the common unescaped
    // case is told apart by length first.
    private static TrackField TrackFieldOf(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            return reader.ValueTextEquals("pos"u8) ? TrackField.Pos
                : reader.ValueTextEquals("track_name"u8) ? TrackField.TrackName
                : reader.ValueTextEquals("artist_name"u8) ? TrackField.ArtistName
                : reader.ValueTextEquals("track_uri"u8) ? TrackField.TrackUri
                : reader.ValueTextEquals("artist_uri"u8) ? TrackField.ArtistUri
                : reader.ValueTextEquals("album_name"u8) ? TrackField.AlbumName
                : reader.ValueTextEquals("album_uri"u8) ? TrackField.AlbumUri
                : reader.ValueTextEquals("duration_ms"u8) ? TrackField.DurationMs
                : TrackField.Other;
        }

        var name = reader.ValueSpan;
        return name.Length switch
        {
            3 => name.SequenceEqual("pos"u8) ? TrackField.Pos : TrackField.Other,
            9 => name.SequenceEqual("track_uri"u8) ? TrackField.TrackUri
                : name.SequenceEqual("album_uri"u8) ? TrackField.AlbumUri
                : TrackField.Other,
            10 => name.SequenceEqual("track_name"u8) ? TrackField.TrackName
                : name.SequenceEqual("album_name"u8) ? TrackField.AlbumName
                : name.SequenceEqual("artist_uri"u8) ? TrackField.ArtistUri
                : TrackField.Other,
            11 => name.SequenceEqual("artist_name"u8) ? TrackField.ArtistName
                : name.SequenceEqual("duration_ms"u8) ? TrackField.DurationMs
                : TrackField.Other,
            _ => TrackField.Other,
        };
    }

    // ReadInt of the full parser without the messages: a number that is a non-negative 32-bit integer.
    private static bool IsNonNegativeInt32(ref Utf8JsonReader reader, out int value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out value) && value >= 0;
    }

    // What GetString accepts: after unescaping (which rejects invalid surrogate escapes), valid UTF-8.
    private static bool TryGetUtf8(scoped ref Utf8JsonReader reader, ref byte[] scratch, out ReadOnlySpan<byte> value)
    {
        if (!reader.ValueIsEscaped)
        {
            value = reader.ValueSpan;
            return Utf8.IsValid(value);
        }

        if (scratch.Length < reader.ValueSpan.Length)
        {
            scratch = new byte[Math.Max(reader.ValueSpan.Length, 2 * scratch.Length)];
        }

        try
        {
            value = scratch.AsSpan(0, reader.CopyString(scratch));
        }
        catch (InvalidOperationException)
        {
            value = default;
            return false;
        }

        return Utf8.IsValid(value);
    }

    private bool IsValidString(ref Utf8JsonReader reader) => TryGetUtf8(ref reader, ref _otherScratch, out _);

    private static bool TryGetString(ref Utf8JsonReader reader, out string? value)
    {
        try
        {
            value = reader.GetString();
            return value is not null;
        }
        catch (InvalidOperationException)
        {
            value = null;
            return false;
        }
    }
}

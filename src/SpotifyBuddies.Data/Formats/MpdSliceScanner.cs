using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Unicode;

namespace SpotifyBuddies.Data.Formats;

/// <summary>
/// The fast path for a whole MPD slice held in memory: a hand-written scanner for the slice layout that fills an
/// <see cref="MpdPlaylistKeys"/> per playlist (pid, name, song keys) without a JSON token object, record or string per
/// track. It is all-or-nothing: it accepts a file only when it is plain, and then yields exactly what
/// <see cref="MpdSliceReader.ReadKeys"/> yields for it, with no error to report. Otherwise it says no, and the
/// caller reads the same bytes with <see cref="MpdSliceReader.ReadKeys"/>, whose results and errors then stand
/// (playlists already handed out must be discarded).
/// </summary>
/// <remarks>
/// <para>Plain means: strict RFC 8259 JSON (whitespace is space, tab, CR, LF; numbers and literals as the grammar
/// says; strings without raw control characters, with valid escapes and valid UTF-8 after unescaping; nesting at
/// most 32 deep) with an optional UTF-8 byte order mark, whose root object has one <c>"playlists"</c> array of
/// playlist objects; every playlist and track has its required fields with the right types (counts and ids as
/// plain non-negative 32-bit integers, <c>modified_at</c> as plain digits within 64 bits, <c>collaborative</c> as
/// <c>true</c>/<c>false</c> or <c>"true"</c>/<c>"false"</c>) and no known field twice; no property name has an
/// escape. That is a subset of what the reader accepts without complaint, so a "yes" here never hides an
/// error the reader would report.</para>
/// </remarks>
internal ref struct MpdSliceScanner
{
    private const int MaxDepth = 32;

    private readonly ReadOnlySpan<byte> _json;
    private readonly Scratch _scratch;
    private int _at;
    private int _depth;

    private MpdSliceScanner(ReadOnlySpan<byte> json, Scratch scratch)
    {
        _json = json;
        _scratch = scratch;
    }

    private enum PlaylistField { Other, Pid, Name, Tracks, Collaborative, ModifiedAt, Count, Description }

    private enum TrackField { Other, Pos, TrackName, ArtistName, TrackUri, ArtistUri, AlbumName, AlbumUri, DurationMs }

    /// <summary>
    /// Scans a whole slice, calling <paramref name="onPlaylist"/> with <paramref name="keys"/> refilled for each
    /// playlist in file order; false as soon as the file turns out not to be plain.
    /// </summary>
    public static bool TryScan(ReadOnlySpan<byte> json, MpdPlaylistKeys keys, Scratch scratch, Action<MpdPlaylistKeys> onPlaylist)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(scratch);
        ArgumentNullException.ThrowIfNull(onPlaylist);
        var scanner = new MpdSliceScanner(json, scratch);
        if (json.StartsWith(Encoding.UTF8.Preamble))
        {
            scanner._at = Encoding.UTF8.Preamble.Length;
        }

        return scanner.ScanRoot(keys, onPlaylist);
    }

    private bool ScanRoot(MpdPlaylistKeys keys, Action<MpdPlaylistKeys> onPlaylist)
    {
        SkipWhiteSpace();
        if (!Enter((byte)'{'))
        {
            return false;
        }

        var sawPlaylists = false;
        while (true)
        {
            if (!ReadName(out var name))
            {
                return false;
            }

            if (name.SequenceEqual("playlists"u8))
            {
                if (sawPlaylists || !ScanPlaylists(keys, onPlaylist))
                {
                    return false;
                }

                sawPlaylists = true;
            }
            else if (!SkipValue())
            {
                return false;
            }

            if (!Next((byte)'}', out var more))
            {
                return false;
            }

            if (!more)
            {
                break;
            }
        }

        SkipWhiteSpace();
        return sawPlaylists && _at == _json.Length;
    }

    private bool ScanPlaylists(MpdPlaylistKeys keys, Action<MpdPlaylistKeys> onPlaylist)
    {
        if (!Enter((byte)'['))
        {
            return false;
        }

        SkipWhiteSpace();
        if (Peek() == ']')
        {
            return Leave();
        }

        while (true)
        {
            SkipWhiteSpace();
            if (!ScanPlaylist(keys))
            {
                return false;
            }

            onPlaylist(keys);
            if (!Next((byte)']', out var more))
            {
                return false;
            }

            if (!more)
            {
                return true;
            }
        }
    }

    private bool ScanPlaylist(MpdPlaylistKeys keys)
    {
        keys.Reset();
        if (!Enter((byte)'{'))
        {
            return false;
        }

        var pid = -1;
        string? name = null;
        var seen = 0;
        while (true)
        {
            if (!ReadName(out var propertyName))
            {
                return false;
            }

            var field = PlaylistFieldOf(propertyName);
            if (field != PlaylistField.Other && field != PlaylistField.Count)
            {
                // A known field twice: the reader's "last one wins" is not worth copying here.
                var bit = 1 << (int)field;
                if ((seen & bit) != 0)
                {
                    return false;
                }

                seen |= bit;
            }

            var ok = field switch
            {
                PlaylistField.Pid => ReadCount(out pid),
                PlaylistField.Name => ReadString(ref _scratch.Other, out var text) && (name = Encoding.UTF8.GetString(text)) is not null,
                PlaylistField.Tracks => ScanTracks(keys),
                PlaylistField.Collaborative => ReadFlag(),
                PlaylistField.ModifiedAt => ReadTimestamp(),
                PlaylistField.Count => ReadCount(out _),
                PlaylistField.Description => ReadNull() || ReadString(ref _scratch.Other, out _),
                _ => SkipValue(),
            };
            if (!ok || !Next((byte)'}', out var more))
            {
                return false;
            }

            if (!more)
            {
                break;
            }
        }

        if (pid < 0 || name is null || (seen & (1 << (int)PlaylistField.Tracks)) == 0)
        {
            return false;
        }

        keys.Finish(pid, name);
        return true;
    }

    private bool ScanTracks(MpdPlaylistKeys keys)
    {
        SkipWhiteSpace();
        if (!Enter((byte)'['))
        {
            return false;
        }

        SkipWhiteSpace();
        if (Peek() == ']')
        {
            return Leave();
        }

        while (true)
        {
            SkipWhiteSpace();
            if (!ScanTrack(keys) || !Next((byte)']', out var more))
            {
                return false;
            }

            if (!more)
            {
                return true;
            }
        }
    }

    private bool ScanTrack(MpdPlaylistKeys keys)
    {
        if (!Enter((byte)'{'))
        {
            return false;
        }

        ReadOnlySpan<byte> title = default;
        ReadOnlySpan<byte> artist = default;
        var seen = 0;
        while (true)
        {
            if (!ReadName(out var propertyName))
            {
                return false;
            }

            var field = TrackFieldOf(propertyName);
            if (field != TrackField.Other)
            {
                var bit = 1 << (int)field;
                if ((seen & bit) != 0)
                {
                    return false;
                }

                seen |= bit;
            }

            var ok = field switch
            {
                TrackField.Pos or TrackField.DurationMs => ReadCount(out _),
                TrackField.TrackName => ReadString(ref _scratch.Title, out title),
                TrackField.ArtistName => ReadString(ref _scratch.Artist, out artist),
                TrackField.TrackUri => ReadString(ref _scratch.Other, out _),
                TrackField.ArtistUri or TrackField.AlbumName or TrackField.AlbumUri => ReadNull() || ReadString(ref _scratch.Other, out _),
                _ => SkipValue(),
            };
            if (!ok || !Next((byte)'}', out var more))
            {
                return false;
            }

            if (!more)
            {
                break;
            }
        }

        const int Required = (1 << (int)TrackField.Pos) | (1 << (int)TrackField.TrackName) | (1 << (int)TrackField.ArtistName) | (1 << (int)TrackField.TrackUri);
        if ((seen & Required) != Required)
        {
            return false;
        }

        keys.AddTrack(title, artist);
        return true;
    }

    private static PlaylistField PlaylistFieldOf(ReadOnlySpan<byte> name) => name.Length switch
    {
        3 when name.SequenceEqual("pid"u8) => PlaylistField.Pid,
        4 when name.SequenceEqual("name"u8) => PlaylistField.Name,
        6 when name.SequenceEqual("tracks"u8) => PlaylistField.Tracks,
        13 when name.SequenceEqual("collaborative"u8) => PlaylistField.Collaborative,
        11 when name.SequenceEqual("modified_at"u8) => PlaylistField.ModifiedAt,
        11 when name.SequenceEqual("description"u8) => PlaylistField.Description,
        _ when name.SequenceEqual("num_tracks"u8) || name.SequenceEqual("num_albums"u8) || name.SequenceEqual("num_followers"u8)
            || name.SequenceEqual("num_edits"u8) || name.SequenceEqual("duration_ms"u8) || name.SequenceEqual("num_artists"u8) => PlaylistField.Count,
        _ => PlaylistField.Other,
    };

    private static TrackField TrackFieldOf(ReadOnlySpan<byte> name) => name.Length switch
    {
        3 when name.SequenceEqual("pos"u8) => TrackField.Pos,
        9 when name.SequenceEqual("track_uri"u8) => TrackField.TrackUri,
        9 when name.SequenceEqual("album_uri"u8) => TrackField.AlbumUri,
        10 when name.SequenceEqual("track_name"u8) => TrackField.TrackName,
        10 when name.SequenceEqual("album_name"u8) => TrackField.AlbumName,
        10 when name.SequenceEqual("artist_uri"u8) => TrackField.ArtistUri,
        11 when name.SequenceEqual("artist_name"u8) => TrackField.ArtistName,
        11 when name.SequenceEqual("duration_ms"u8) => TrackField.DurationMs,
        _ => TrackField.Other,
    };

    private readonly int Peek() => _at < _json.Length ? _json[_at] : -1;

    private void SkipWhiteSpace()
    {
        while (_at < _json.Length && _json[_at] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            _at++;
        }
    }

    // The opening bracket of an object or array (whitespace already skipped).
    private bool Enter(byte bracket)
    {
        if (Peek() != bracket || ++_depth > MaxDepth)
        {
            return false;
        }

        _at++;
        return true;
    }

    private bool Leave()
    {
        _at++;
        _depth--;
        return true;
    }

    // After a member or element: ',' (more follows) or the closing bracket (the container ends).
    private bool Next(byte closing, out bool more)
    {
        SkipWhiteSpace();
        var next = Peek();
        more = next == ',';
        if (more)
        {
            _at++;
            return true;
        }

        return next == closing && Leave();
    }

    // A property name (no escape) and its colon; the value's whitespace is skipped.
    private bool ReadName(out ReadOnlySpan<byte> name)
    {
        SkipWhiteSpace();
        name = default;
        if (Peek() != '"')
        {
            return false;
        }

        var rest = _json[(_at + 1)..];
        var nonAscii = false;
        var end = IndexOfSpecial(rest, ref nonAscii);
        if (end < 0 || rest[end] != '"')
        {
            return false;
        }

        name = rest[..end];
        if (nonAscii && !Utf8.IsValid(name))
        {
            return false;
        }

        _at += end + 2;
        SkipWhiteSpace();
        if (Peek() != ':')
        {
            return false;
        }

        _at++;
        SkipWhiteSpace();
        return true;
    }

    // A string value: its bytes (unescaped into the scratch buffer when it has escapes), valid UTF-8.
    private bool ReadString(ref byte[] scratch, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (Peek() != '"')
        {
            return false;
        }

        var rest = _json[(_at + 1)..];
        var nonAscii = false;
        var end = IndexOfSpecial(rest, ref nonAscii);
        if (end < 0)
        {
            return false;
        }

        if (rest[end] == '"')
        {
            value = rest[..end];
            _at += end + 2;
            return !nonAscii || Utf8.IsValid(value);
        }

        if (rest[end] != '\\')
        {
            return false; // a raw control character
        }

        var written = 0;
        var i = 0;
        Span<byte> decoded = stackalloc byte[4];
        while (true)
        {
            var ignored = false;
            var special = IndexOfSpecial(rest[i..], ref ignored);
            if (special < 0)
            {
                return false;
            }

            if (!Append(ref scratch, ref written, rest.Slice(i, special)))
            {
                return false;
            }

            i += special;
            var c = rest[i];
            if (c == '"')
            {
                break;
            }

            if (c != '\\' || i + 1 >= rest.Length)
            {
                return false;
            }

            var escaped = rest[i + 1];
            i += 2;
            int length;
            switch (escaped)
            {
                case (byte)'"' or (byte)'\\' or (byte)'/':
                    decoded[0] = escaped;
                    length = 1;
                    break;
                case (byte)'b':
                    decoded[0] = (byte)'\b';
                    length = 1;
                    break;
                case (byte)'f':
                    decoded[0] = (byte)'\f';
                    length = 1;
                    break;
                case (byte)'n':
                    decoded[0] = (byte)'\n';
                    length = 1;
                    break;
                case (byte)'r':
                    decoded[0] = (byte)'\r';
                    length = 1;
                    break;
                case (byte)'t':
                    decoded[0] = (byte)'\t';
                    length = 1;
                    break;
                case (byte)'u':
                    if (!TryHex(rest, i, out var unit))
                    {
                        return false;
                    }

                    i += 4;
                    var scalar = unit;
                    if (char.IsHighSurrogate((char)unit))
                    {
                        // Only a high surrogate escape followed by a low surrogate escape makes a character.
                        if (i + 6 > rest.Length || rest[i] != '\\' || rest[i + 1] != 'u' || !TryHex(rest, i + 2, out var low) || !char.IsLowSurrogate((char)low))
                        {
                            return false;
                        }

                        i += 6;
                        scalar = char.ConvertToUtf32((char)unit, (char)low);
                    }
                    else if (char.IsLowSurrogate((char)unit))
                    {
                        return false;
                    }

                    length = new Rune(scalar).EncodeToUtf8(decoded);
                    break;
                default:
                    return false;
            }

            if (!Append(ref scratch, ref written, decoded[..length]))
            {
                return false;
            }
        }

        value = scratch.AsSpan(0, written);
        _at += i + 2;
        return Utf8.IsValid(value);
    }

    // Appends to the scratch buffer, growing it; always true (it reads better in a chain of checks).
    // The first '"', '\\' or control character, 16 bytes at a time; notes whether a byte before it is not ASCII.
    private static int IndexOfSpecial(ReadOnlySpan<byte> text, ref bool nonAscii)
    {
        var i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var quote = Vector128.Create((byte)'"');
            var backslash = Vector128.Create((byte)'\\');
            var space = Vector128.Create((byte)0x20);
            ref var start = ref MemoryMarshal.GetReference(text);
            for (; i + Vector128<byte>.Count <= text.Length; i += Vector128<byte>.Count)
            {
                var bytes = Vector128.LoadUnsafe(ref start, (nuint)i);
                var special = (Vector128.Equals(bytes, quote) | Vector128.Equals(bytes, backslash) | Vector128.LessThan(bytes, space)).ExtractMostSignificantBits();
                var high = bytes.ExtractMostSignificantBits();
                if (special != 0)
                {
                    var at = BitOperations.TrailingZeroCount(special);
                    nonAscii |= (high & ((1u << at) - 1)) != 0;
                    return i + at;
                }

                nonAscii |= high != 0;
            }
        }

        for (; i < text.Length; i++)
        {
            var b = text[i];
            if (b is (byte)'"' or (byte)'\\' or < 0x20)
            {
                return i;
            }

            nonAscii |= b >= 0x80;
        }

        return -1;
    }

    private static bool Append(ref byte[] scratch, ref int written, ReadOnlySpan<byte> bytes)
    {
        if (written + bytes.Length > scratch.Length)
        {
            Array.Resize(ref scratch, Math.Max(written + bytes.Length, 2 * scratch.Length));
        }

        bytes.CopyTo(scratch.AsSpan(written));
        written += bytes.Length;
        return true;
    }

    private static bool TryHex(ReadOnlySpan<byte> text, int at, out int value)
    {
        value = 0;
        if (at + 4 > text.Length)
        {
            return false;
        }

        for (var k = 0; k < 4; k++)
        {
            var digit = HexDigit(text[at + k]);
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | digit;
        }

        return true;
    }

    private static int HexDigit(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    // A JSON number made of digits only ("0" or no leading zero), at most int.MaxValue, then a delimiter.
    private bool ReadCount(out int value)
    {
        value = -1;
        if (!ReadDigits(out var number) || number > int.MaxValue)
        {
            return false;
        }

        value = (int)number;
        return true;
    }

    // modified_at: digits only, within 64 bits (a negative or fractional timestamp is left to the reader).
    private bool ReadTimestamp() => ReadDigits(out _);

    private bool ReadDigits(out long value)
    {
        value = 0;
        var start = _at;
        while (_at < _json.Length && (uint)(_json[_at] - '0') <= 9)
        {
            if (_at - start >= 18)
            {
                return false;
            }

            value = (value * 10) + (_json[_at] - '0');
            _at++;
        }

        var digits = _at - start;
        return digits > 0 && (digits == 1 || _json[start] != '0') && AtDelimiter();
    }

    private bool ReadFlag() =>
        ReadLiteral("true"u8) || ReadLiteral("false"u8) || ReadLiteral("\"true\""u8) || ReadLiteral("\"false\""u8);

    private bool ReadNull() => ReadLiteral("null"u8);

    private bool ReadLiteral(ReadOnlySpan<byte> literal)
    {
        if (!_json[_at..].StartsWith(literal))
        {
            return false;
        }

        _at += literal.Length;
        if (AtDelimiter())
        {
            return true;
        }

        _at -= literal.Length;
        return false;
    }

    // What may follow a value inside a container: whitespace, ',', '}' or ']' (the end of the text is not enough:
    // the root object is closed by '}').
    private readonly bool AtDelimiter() =>
        _at < _json.Length && _json[_at] is (byte)',' or (byte)'}' or (byte)']' or (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t';

    // Any JSON value, checked by the grammar and dropped.
    private bool SkipValue()
    {
        switch (Peek())
        {
            case '{':
                if (!Enter((byte)'{'))
                {
                    return false;
                }

                SkipWhiteSpace();
                if (Peek() == '}')
                {
                    return Leave();
                }

                while (true)
                {
                    if (!ReadName(out _) || !SkipValue() || !Next((byte)'}', out var more))
                    {
                        return false;
                    }

                    if (!more)
                    {
                        return true;
                    }
                }

            case '[':
                if (!Enter((byte)'['))
                {
                    return false;
                }

                SkipWhiteSpace();
                if (Peek() == ']')
                {
                    return Leave();
                }

                while (true)
                {
                    SkipWhiteSpace();
                    if (!SkipValue() || !Next((byte)']', out var more))
                    {
                        return false;
                    }

                    if (!more)
                    {
                        return true;
                    }
                }

            case '"':
                return ReadString(ref _scratch.Other, out _);
            case 't':
                return ReadLiteral("true"u8);
            case 'f':
                return ReadLiteral("false"u8);
            case 'n':
                return ReadLiteral("null"u8);
            default:
                return SkipNumber();
        }
    }

    // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?, then a delimiter.
    private bool SkipNumber()
    {
        if (Peek() == '-')
        {
            _at++;
        }

        if (Peek() == '0')
        {
            _at++;
        }
        else if (!SkipDigits())
        {
            return false;
        }

        if (Peek() == '.')
        {
            _at++;
            if (!SkipDigits())
            {
                return false;
            }
        }

        if (Peek() is 'e' or 'E')
        {
            _at++;
            if (Peek() is '+' or '-')
            {
                _at++;
            }

            if (!SkipDigits())
            {
                return false;
            }
        }

        return AtDelimiter();
    }

    private bool SkipDigits()
    {
        var start = _at;
        while (_at < _json.Length && (uint)(_json[_at] - '0') <= 9)
        {
            _at++;
        }

        return _at > start;
    }

    /// <summary>Unescaping buffers, reused from slice to slice by one thread.</summary>
    internal sealed class Scratch
    {
        internal byte[] Title = new byte[256];
        internal byte[] Artist = new byte[256];
        internal byte[] Other = new byte[256];
    }
}

using System.Text;
using SpotifyBuddies.Core.Interactions;

namespace SpotifyBuddies.Data.Formats;

/// <summary>
/// What data preparation needs of one MPD playlist, without a record per track: the pid, the name, how many tracks
/// it lists, and the <see cref="SongKey"/> of each track as UTF-8 bytes (tracks with a blank title or artist have no
/// key and are only counted). One instance is refilled playlist after playlist by
/// <see cref="MpdSliceReader.ReadKeys"/>, so reading a slice allocates next to nothing per track.
/// </summary>
/// <remarks>
/// A key is built straight from the bytes when the title and artist are ASCII: trimming and lower-casing use the
/// answers of <see cref="char.IsWhiteSpace(char)"/> and <see cref="char.ToLowerInvariant(char)"/> for each ASCII
/// character, so the bytes equal the UTF-8 encoding of <see cref="SongKey.TryCreate"/>'s string. Any other text goes
/// through <see cref="SongKey.TryCreate"/> itself.
/// </remarks>
internal sealed class MpdPlaylistKeys
{
    private static readonly bool[] AsciiWhiteSpace = AsciiTable(c => char.IsWhiteSpace(c));
    private static readonly byte[] AsciiLower = AsciiMap(char.ToLowerInvariant);
    private static readonly byte[] SeparatorBytes = Encoding.UTF8.GetBytes(SongKey.Separator);

    // True on every runtime known: invariant lower case changes exactly 'A'..'Z' among ASCII characters, which is what
    // the vectorised Ascii.ToLower does; otherwise the table is used.
    private static readonly bool LowerIsAsciiLetters = Enumerable.Range(0, 128)
        .All(c => AsciiLower[c] == (c is >= 'A' and <= 'Z' ? c + ('a' - 'A') : c));

    private byte[] _bytes = new byte[1 << 12];
    private int[] _ends = new int[64];
    private int _length;

    public int Pid { get; private set; }

    public string Name { get; private set; } = "";

    /// <summary>Tracks listed, with or without a key.</summary>
    public int Tracks { get; private set; }

    /// <summary>Tracks without a key (blank title or artist).</summary>
    public int BlankTracks { get; private set; }

    /// <summary>Keys, one per track that has one, in track order (repeats included).</summary>
    public int KeyCount { get; private set; }

    /// <summary>The UTF-8 bytes of key <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Key(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)KeyCount, nameof(index));
        var start = index == 0 ? 0 : _ends[index - 1];
        return _bytes.AsSpan(start, _ends[index] - start);
    }

    internal void Reset()
    {
        Pid = 0;
        Name = "";
        Tracks = 0;
        BlankTracks = 0;
        KeyCount = 0;
        _length = 0;
    }

    internal void Finish(int pid, string name)
    {
        Pid = pid;
        Name = name;
    }

    /// <summary>Refills from a parsed record (the path taken by playlists the one-pass parse leaves to the full parser).</summary>
    internal void Fill(MpdPlaylist playlist)
    {
        Reset();
        foreach (var track in playlist.Tracks)
        {
            AddTrack(track.TrackName, track.ArtistName);
        }

        Finish(playlist.Pid, playlist.Name);
    }

    /// <summary>Adds a track from its title and artist as parsed (valid UTF-8, unescaped).</summary>
    internal void AddTrack(ReadOnlySpan<byte> title, ReadOnlySpan<byte> artist)
    {
        if (!Ascii.IsValid(title) || !Ascii.IsValid(artist))
        {
            AddTrack(Encoding.UTF8.GetString(title), Encoding.UTF8.GetString(artist));
            return;
        }

        Tracks++;
        title = TrimAscii(title);
        artist = TrimAscii(artist);
        if (title.IsEmpty || artist.IsEmpty)
        {
            BlankTracks++;
            return;
        }

        var key = Reserve(title.Length + SeparatorBytes.Length + artist.Length);
        LowerAscii(title, key);
        SeparatorBytes.CopyTo(key[title.Length..]);
        LowerAscii(artist, key[(title.Length + SeparatorBytes.Length)..]);
        Commit(key.Length);
    }

    /// <summary>Adds a track from its title and artist strings (as <see cref="MpdTrack"/> holds them).</summary>
    internal void AddTrack(string title, string artist)
    {
        Tracks++;
        if (SongKey.TryCreate(title, artist) is not { } key)
        {
            BlankTracks++;
            return;
        }

        var bytes = Reserve(Encoding.UTF8.GetByteCount(key.Value));
        Commit(Encoding.UTF8.GetBytes(key.Value, bytes));
    }

    private Span<byte> Reserve(int length)
    {
        if (_length + length > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_length + length, 2 * _bytes.Length));
        }

        if (KeyCount == _ends.Length)
        {
            Array.Resize(ref _ends, 2 * _ends.Length);
        }

        return _bytes.AsSpan(_length, length);
    }

    private void Commit(int length)
    {
        _length += length;
        _ends[KeyCount++] = _length;
    }

    private static ReadOnlySpan<byte> TrimAscii(ReadOnlySpan<byte> text)
    {
        var start = 0;
        while (start < text.Length && AsciiWhiteSpace[text[start]])
        {
            start++;
        }

        var end = text.Length;
        while (end > start && AsciiWhiteSpace[text[end - 1]])
        {
            end--;
        }

        return text[start..end];
    }

    private static void LowerAscii(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        if (LowerIsAsciiLetters)
        {
            Ascii.ToLower(text, destination, out _);
            return;
        }

        for (var i = 0; i < text.Length; i++)
        {
            destination[i] = AsciiLower[text[i]];
        }
    }

    private static bool[] AsciiTable(Func<char, bool> test)
    {
        var table = new bool[256];
        for (var c = 0; c < 128; c++)
        {
            table[c] = test((char)c);
        }

        return table;
    }

    private static byte[] AsciiMap(Func<char, char> map)
    {
        var table = new byte[256];
        for (var c = 0; c < 256; c++)
        {
            table[c] = c < 128 && map((char)c) < 128 ? (byte)map((char)c) : (byte)c;
        }

        return table;
    }
}

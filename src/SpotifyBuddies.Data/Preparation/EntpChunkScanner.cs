using System.Text;

namespace SpotifyBuddies.Data.Preparation;

/// <summary>
/// The fast path for one chunk of the ENTP file (<c>user TAB song_id TAB play_count</c> lines): the chunk's bytes are
/// split into lines and fields in place, song ids are looked up by their bytes, and a string is made only per run of
/// one user's rows. It handles only chunks where every line is plain: ASCII, no carriage return other than a CRLF
/// line end, and each non-blank line a well-formed row. Anything else (a malformed row, non-ASCII text, a byte order
/// mark) makes it give up, and the chunk is read again by <see cref="Formats.TasteTripletReader"/>, whose records,
/// errors and line numbers are then the answer. On the chunks it accepts it yields what that reader would.
/// </summary>
internal static class EntpChunkScanner
{
    private static readonly bool[] AsciiWhiteSpace = [.. Enumerable.Range(0, 256).Select(c => c < 128 && char.IsWhiteSpace((char)c))];

    /// <summary>Song ids (UTF-8) with the MSD key index of each (-1 for a blank title or artist).</summary>
    internal sealed class SongIds(Utf8KeyTable ids, int[] keys)
    {
        /// <summary>The MSD key index of <paramref name="songId"/>, -1 for a blank title or artist, or null when unknown.</summary>
        public int? KeyOf(ReadOnlySpan<byte> songId)
        {
            var id = ids.IdOf(songId);
            return id < 0 ? null : keys[id];
        }

        public static SongIds From(IReadOnlyDictionary<string, int> keyBySongId)
        {
            var table = new Utf8KeyTable(keyBySongId.Count);
            var keys = new int[keyBySongId.Count];
            Span<byte> buffer = stackalloc byte[256];
            foreach (var (songId, key) in keyBySongId)
            {
                var length = Encoding.UTF8.GetByteCount(songId);
                var bytes = length <= buffer.Length ? buffer[..length] : new byte[length];
                Encoding.UTF8.GetBytes(songId, bytes);
                keys[table.GetOrAdd(bytes)] = key;
            }

            return new SongIds(table, keys);
        }
    }

    /// <summary>What a chunk holds: the same fields <see cref="RawInputLoader"/> gathers from the reader.</summary>
    internal sealed record Result(List<(string User, int FirstKey)> Runs, int[] Keys, long Rows, long Unknown, long Blank, long Newlines);

    /// <summary>Scans <paramref name="chunk"/> (whole lines of the file), or returns null when it is not plain.</summary>
    public static Result? TryScan(ReadOnlySpan<byte> chunk, SongIds songIds)
    {
        if (!Ascii.IsValid(chunk))
        {
            return null;
        }

        var runs = new List<(string User, int FirstKey)>();
        var keys = new IntBuffer(1 << 16);
        long rows = 0, unknown = 0, blank = 0, newlines = 0;
        ReadOnlySpan<byte> lastUser = default;
        var rest = chunk;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 1)..];
            newlines += end < 0 ? 0 : 1;
            if (!line.IsEmpty && line[^1] == '\r')
            {
                line = line[..^1];
            }

            if (IsBlank(line))
            {
                continue;
            }

            // user TAB song TAB count, nothing else; a lone '\r' would be a line end for the reader.
            var firstTab = line.IndexOf((byte)'\t');
            if (firstTab < 0 || line.Contains((byte)'\r'))
            {
                return null;
            }

            var afterUser = line[(firstTab + 1)..];
            var secondTab = afterUser.IndexOf((byte)'\t');
            if (secondTab < 0)
            {
                return null;
            }

            var user = line[..firstTab];
            var song = afterUser[..secondTab];
            var count = afterUser[(secondTab + 1)..];
            if (IsBlank(user) || IsBlank(song) || !IsCount(count))
            {
                return null;
            }

            rows++;
            if (rows == 1 || !user.SequenceEqual(lastUser))
            {
                lastUser = user;
                runs.Add((Encoding.UTF8.GetString(user), keys.Count));
            }

            switch (songIds.KeyOf(song))
            {
                case null:
                    unknown++;
                    break;
                case < 0:
                    blank++;
                    break;
                case { } key:
                    keys.Add(key);
                    break;
            }
        }

        return new Result(runs, keys.Detach(), rows, unknown, blank, newlines);
    }

    // string.IsNullOrWhiteSpace / ReadOnlySpan<char>.IsWhiteSpace for ASCII text.
    private static bool IsBlank(ReadOnlySpan<byte> text)
    {
        foreach (var b in text)
        {
            if (!AsciiWhiteSpace[b])
            {
                return false;
            }
        }

        return true;
    }

    // What int.TryParse(NumberStyles.None) accepts: digits only, at most int.MaxValue (leading zeros allowed); no tab.
    private static bool IsCount(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty || text.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            return false;
        }

        long value = 0;
        foreach (var digit in text)
        {
            value = (value * 10) + (digit - '0');
            if (value > int.MaxValue)
            {
                return false;
            }
        }

        return true;
    }
}

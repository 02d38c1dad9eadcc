using System.Globalization;
using System.Text;

namespace SpotifyBuddies.Data.Formats;

/// <summary>Which Million Song Dataset metadata file an <see cref="MsdSongWriter"/> writes.</summary>
public enum MsdSongFileFormat
{
    /// <summary><c>unique_tracks.txt</c>: <c>track_id&lt;SEP&gt;song_id&lt;SEP&gt;artist&lt;SEP&gt;title</c>, no header.</summary>
    UniqueTracks,

    /// <summary><c>song_data.csv</c>: header <c>song_id,title,release,artist_name,year</c>, RFC 4180 quoting.</summary>
    SongDataCsv,
}

/// <summary>
/// Streams MSD song metadata in either of its two text layouts, UTF-8 without BOM with <c>\n</c> line
/// ends and invariant-culture numbers. In the CSV, a field is quoted (with inner quotes doubled) exactly
/// when it contains a comma, a double quote or a line break, as RFC 4180 requires.
/// </summary>
public sealed class MsdSongWriter : IDisposable
{
    /// <summary>The literal field separator of <c>unique_tracks.txt</c>.</summary>
    public const string UniqueTracksSeparator = "<SEP>";

    /// <summary>The header line of <c>song_data.csv</c>.</summary>
    public const string SongDataHeader = "song_id,title,release,artist_name,year";

    private readonly StreamWriter _writer;

    /// <summary>Starts a file on <paramref name="stream"/>; for the CSV layout, writes the header line.</summary>
    public MsdSongWriter(Stream stream, MsdSongFileFormat format, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!Enum.IsDefined(format))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown MSD file format.");
        }

        Format = format;
        _writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024, leaveOpen)
        {
            NewLine = "\n",
        };
        if (format == MsdSongFileFormat.SongDataCsv)
        {
            _writer.Write(SongDataHeader);
            _writer.Write('\n');
        }
    }

    public MsdSongFileFormat Format { get; }

    /// <summary>How many song rows have been written (the CSV header is not counted).</summary>
    public long RowsWritten { get; private set; }

    /// <summary>Writes every song; returns how many rows.</summary>
    public static long WriteAll(Stream stream, MsdSongFileFormat format, IEnumerable<MsdSong> songs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(songs);
        using var writer = new MsdSongWriter(stream, format, leaveOpen: true);
        foreach (var song in songs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            writer.Write(song);
        }

        writer.Flush();
        return writer.RowsWritten;
    }

    /// <summary>
    /// The RFC 4180 form of one CSV field: unchanged unless it contains a comma, a double quote, CR or LF,
    /// in which case it is wrapped in quotes with inner quotes doubled.
    /// </summary>
    public static string EscapeCsvField(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            return value;
        }

        return "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>
    /// Writes one song. <c>unique_tracks.txt</c> needs <see cref="MsdSong.TrackId"/>; the CSV writes a
    /// missing release as an empty field and a missing year as 0 (unknown, as in the MSD).
    /// </summary>
    public void Write(MsdSong song)
    {
        ArgumentNullException.ThrowIfNull(song);
        ArgumentException.ThrowIfNullOrEmpty(song.SongId, nameof(song));
        if (Format == MsdSongFileFormat.UniqueTracks)
        {
            if (string.IsNullOrEmpty(song.TrackId))
            {
                throw new ArgumentException("unique_tracks.txt needs a track id.", nameof(song));
            }

            CheckSepField(song.TrackId);
            CheckSepField(song.SongId);
            CheckSepField(song.ArtistName);
            CheckSepField(song.Title);
            _writer.Write(song.TrackId);
            _writer.Write(UniqueTracksSeparator);
            _writer.Write(song.SongId);
            _writer.Write(UniqueTracksSeparator);
            _writer.Write(song.ArtistName);
            _writer.Write(UniqueTracksSeparator);
            _writer.Write(song.Title);
        }
        else
        {
            Span<char> digits = stackalloc char[11];
            (song.Year ?? 0).TryFormat(digits, out var length, provider: CultureInfo.InvariantCulture);
            _writer.Write(EscapeCsvField(song.SongId));
            _writer.Write(',');
            _writer.Write(EscapeCsvField(song.Title));
            _writer.Write(',');
            _writer.Write(EscapeCsvField(song.Release ?? string.Empty));
            _writer.Write(',');
            _writer.Write(EscapeCsvField(song.ArtistName));
            _writer.Write(',');
            _writer.Write(digits[..length]);
        }

        _writer.Write('\n');
        RowsWritten++;
    }

    /// <summary>Flushes buffered rows to the stream.</summary>
    public void Flush() => _writer.Flush();

    public void Dispose() => _writer.Dispose();

    private static void CheckSepField(string value)
    {
        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0 || value.Contains(UniqueTracksSeparator, StringComparison.Ordinal))
        {
            throw new ArgumentException("A unique_tracks.txt field must not contain a line break or '<SEP>'.", nameof(value));
        }
    }
}

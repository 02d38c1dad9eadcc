using System.Text;

namespace SpotifyBuddies.Data.Formats;

/// <summary>The two Million Song Dataset song metadata files <see cref="MsdSongReader"/> reads.</summary>
public enum MsdFormat
{
    /// <summary><c>unique_tracks.txt</c>: <c>track_id&lt;SEP&gt;song_id&lt;SEP&gt;artist_name&lt;SEP&gt;title</c>.</summary>
    UniqueTracks,

    /// <summary><c>song_data.csv</c>: RFC 4180 CSV with the header <c>song_id,title,release,artist_name,year</c>.</summary>
    SongDataCsv,
}

/// <summary>
/// Reads Million Song Dataset song metadata, one <see cref="MsdSong"/> a record.
/// </summary>
/// <remarks>
/// In <c>unique_tracks.txt</c> a line with other than 4 <c>&lt;SEP&gt;</c>-separated fields or an empty id is a bad
/// record. In <c>song_data.csv</c> columns are found by the header (<c>song_id</c>, <c>title</c> and
/// <c>artist_name</c> are required, <c>release</c> and <c>year</c> optional); a row with the wrong number of
/// fields, an empty song id, a year that is not a non-negative integer, or a stray quote is a bad record. A missing
/// header or an unclosed quote ends the file. Errors give the 1-based line and column where the field starts.
/// </remarks>
public static class MsdSongReader
{
    private const string Separator = "<SEP>";
    private const string CsvHeader = "song_id,title,release,artist_name,year";
    private static readonly string[] UniqueTracksFields = ["track_id", "song_id", "artist_name", "title"];

    /// <summary>
    /// Reads <paramref name="path"/>, taking it for <c>song_data.csv</c> when it ends in <c>.csv</c> or its first
    /// line starts with <c>song_id,</c>, and for <c>unique_tracks.txt</c> otherwise.
    /// </summary>
    public static IEnumerable<MsdSong> Read(string path, ReadOptions options, ReadReport report, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(report);
        return ReadFile(path, options, report, cancellationToken);
    }

    /// <summary>Reads <paramref name="stream"/> (left open) as <paramref name="format"/>; errors name the input <paramref name="displayName"/>.</summary>
    public static IEnumerable<MsdSong> Read(Stream stream, string displayName, MsdFormat format, ReadOptions options, ReadReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(displayName);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(report);
        return format switch
        {
            MsdFormat.UniqueTracks => ReadUniqueTracks(stream, displayName, options, report, cancellationToken),
            MsdFormat.SongDataCsv => ReadSongData(stream, displayName, options, report, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown MSD format."),
        };
    }

    private static IEnumerable<MsdSong> ReadFile(string path, ReadOptions options, ReadReport report, CancellationToken cancellationToken)
    {
        using var stream = TextInput.OpenFile(path);
        var format = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || StartsWithCsvHeader(stream)
            ? MsdFormat.SongDataCsv
            : MsdFormat.UniqueTracks;
        stream.Position = 0;
        foreach (var song in Read(stream, path, format, options, report, cancellationToken))
        {
            yield return song;
        }
    }

    private static bool StartsWithCsvHeader(Stream stream)
    {
        Span<byte> start = stackalloc byte[11];
        var length = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        var head = start[..length];
        if (head.StartsWith(Encoding.UTF8.Preamble))
        {
            head = head[3..];
        }

        return head.StartsWith("song_id,"u8);
    }

    private static IEnumerable<MsdSong> ReadUniqueTracks(Stream stream, string displayName, ReadOptions options, ReadReport report, CancellationToken cancellationToken)
    {
        using var reader = TextInput.CreateReader(stream);
        long lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            cancellationToken.ThrowIfCancellationRequested();
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var error = TryParseUniqueTrack(line, displayName, lineNumber, out var song);
            if (error is not null)
            {
                report.Bad(error, options);
                continue;
            }

            report.CountRecord();
            yield return song!;
        }
    }

    private static DataFormatError? TryParseUniqueTrack(string line, string file, long lineNumber, out MsdSong? song)
    {
        song = null;
        var parts = line.Split(Separator);
        if (parts.Length != UniqueTracksFields.Length)
        {
            var message = $"expected 4 fields separated by {Separator} (track_id, song_id, artist_name, title), found {parts.Length}";
            return parts.Length < UniqueTracksFields.Length
                ? new DataFormatError(file, lineNumber, line.Length + 1, UniqueTracksFields[parts.Length], message)
                : new DataFormatError(file, lineNumber, Start(parts, UniqueTracksFields.Length), null, message);
        }

        for (var i = 0; i < 2; i++)
        {
            if (string.IsNullOrWhiteSpace(parts[i]))
            {
                return new DataFormatError(file, lineNumber, Start(parts, i), UniqueTracksFields[i], $"the {UniqueTracksFields[i].Replace('_', ' ')} is empty");
            }
        }

        song = new MsdSong { TrackId = parts[0], SongId = parts[1], ArtistName = parts[2], Title = parts[3] };
        return null;
    }

    // The 1-based column where field i starts.
    private static int Start(string[] parts, int i)
    {
        var column = 1;
        for (var j = 0; j < i; j++)
        {
            column += parts[j].Length + Separator.Length;
        }

        return column;
    }

    private static IEnumerable<MsdSong> ReadSongData(Stream stream, string displayName, ReadOptions options, ReadReport report, CancellationToken cancellationToken)
    {
        using var text = TextInput.CreateReader(stream);
        var csv = new CsvRecordReader(text);
        var fields = new List<CsvField>();
        SongDataColumns? columns = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = csv.Read(fields, out var problem);
            if (result == CsvRecordReader.Result.End)
            {
                yield break;
            }

            if (result == CsvRecordReader.Result.Error)
            {
                report.Bad(new DataFormatError(displayName, problem!.Line, problem.Column, null, problem.Message), options);
                if (problem.Fatal)
                {
                    yield break;
                }

                continue;
            }

            if (fields.Count == 1 && string.IsNullOrWhiteSpace(fields[0].Value))
            {
                continue;
            }

            if (columns is null)
            {
                var headerError = SongDataColumns.TryCreate(fields, displayName, out columns);
                if (headerError is not null)
                {
                    report.Bad(headerError, options);
                    yield break;
                }

                continue;
            }

            var error = columns.TryParse(fields, csv.RecordEnd, displayName, out var song);
            if (error is not null)
            {
                report.Bad(error, options);
                continue;
            }

            report.CountRecord();
            yield return song!;
        }
    }

    /// <summary>Where the <c>song_data.csv</c> columns are, from its header.</summary>
    private sealed class SongDataColumns
    {
        private readonly string[] _names;
        private int _songId = -1, _title = -1, _artistName = -1, _release = -1, _year = -1;

        private SongDataColumns(string[] names) => _names = names;

        public static DataFormatError? TryCreate(List<CsvField> header, string file, out SongDataColumns? columns)
        {
            var names = header.Select(f => f.Value.Trim()).ToArray();
            var found = new SongDataColumns(names);
            for (var i = 0; i < names.Length; i++)
            {
                switch (names[i].ToUpperInvariant())
                {
                    case "SONG_ID": found._songId = i; break;
                    case "TITLE": found._title = i; break;
                    case "ARTIST_NAME": found._artistName = i; break;
                    case "RELEASE": found._release = i; break;
                    case "YEAR": found._year = i; break;
                    default: break;
                }
            }

            var missing = found._songId < 0 ? "song_id" : found._title < 0 ? "title" : found._artistName < 0 ? "artist_name" : null;
            if (missing is not null)
            {
                columns = null;
                return new DataFormatError(file, header[0].Line, 1, missing,
                    $"the header has no '{missing}' column; expected the header {CsvHeader}, found {TextInput.Quote(string.Join(',', names))}");
            }

            columns = found;
            return null;
        }

        public DataFormatError? TryParse(List<CsvField> fields, (long Line, long Column) end, string file, out MsdSong? song)
        {
            song = null;
            if (fields.Count > _names.Length)
            {
                var extra = fields[_names.Length];
                return new DataFormatError(file, extra.Line, extra.Column, null,
                    $"expected {_names.Length} fields ({string.Join(',', _names)}), found {fields.Count}; a field containing a comma must be quoted");
            }

            if (fields.Count < _names.Length)
            {
                return new DataFormatError(file, end.Line, end.Column, _names[fields.Count],
                    $"expected {_names.Length} fields ({string.Join(',', _names)}), found {fields.Count}");
            }

            var songId = fields[_songId];
            if (string.IsNullOrWhiteSpace(songId.Value))
            {
                return new DataFormatError(file, songId.Line, songId.Column, "song_id", "the song id is empty");
            }

            int? year = null;
            if (_year >= 0 && fields[_year].Value.Length > 0)
            {
                var field = fields[_year];
                if (!TextInput.TryParseCount(field.Value, "year", out var value, out var problem))
                {
                    return new DataFormatError(file, field.Line, field.Column, "year", problem);
                }

                year = value;
            }

            song = new MsdSong
            {
                SongId = songId.Value,
                Title = fields[_title].Value,
                ArtistName = fields[_artistName].Value,
                Release = _release >= 0 ? fields[_release].Value : null,
                Year = year,
            };
            return null;
        }
    }
}

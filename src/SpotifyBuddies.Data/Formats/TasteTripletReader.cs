namespace SpotifyBuddies.Data.Formats;

/// <summary>
/// Reads the Echo Nest Taste Profile <c>train_triplets.txt</c>: one <c>user TAB song_id TAB play_count</c> row a line.
/// </summary>
/// <remarks>
/// Blank lines are ignored and CRLF line ends are accepted. A row with the wrong number of columns, an empty id or a
/// play count that is not a non-negative integer is a bad record, reported with its line, the 1-based column where
/// the offending field starts (or where the missing one was expected) and the field name (<c>user</c>,
/// <c>song_id</c>, <c>play_count</c>).
/// </remarks>
public static class TasteTripletReader
{
    private const string ColumnsHint = "expected 3 tab-separated columns (user, song_id, play_count)";

    public static IEnumerable<TasteTriplet> Read(string path, ReadOptions options, ReadReport report, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(report);
        return ReadFile(path, options, report, cancellationToken);
    }

    /// <summary>Reads <paramref name="stream"/>, which is left open; errors name the input <paramref name="displayName"/>.</summary>
    public static IEnumerable<TasteTriplet> Read(Stream stream, string displayName, ReadOptions options, ReadReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(displayName);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(report);
        return ReadStream(stream, displayName, options, report, cancellationToken);
    }

    private static IEnumerable<TasteTriplet> ReadFile(string path, ReadOptions options, ReadReport report, CancellationToken cancellationToken)
    {
        using var stream = TextInput.OpenFile(path);
        foreach (var triplet in ReadStream(stream, path, options, report, cancellationToken))
        {
            yield return triplet;
        }
    }

    private static IEnumerable<TasteTriplet> ReadStream(Stream stream, string displayName, ReadOptions options, ReadReport report, CancellationToken cancellationToken)
    {
        using var reader = TextInput.CreateReader(stream);
        long lineNumber = 0;
        string? previousUser = null;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            cancellationToken.ThrowIfCancellationRequested();
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var error = TryParse(line, displayName, lineNumber, previousUser, out var triplet);
            if (error is not null)
            {
                report.Bad(error, options);
                continue;
            }

            previousUser = triplet.UserId;
            report.CountRecord();
            yield return triplet;
        }
    }

    // Rows of one user are consecutive in the file, so the user id string is shared between them.
    private static DataFormatError? TryParse(string line, string file, long lineNumber, string? previousUser, out TasteTriplet triplet)
    {
        triplet = default;
        var firstTab = line.IndexOf('\t');
        var secondTab = firstTab < 0 ? -1 : line.IndexOf('\t', firstTab + 1);
        if (secondTab < 0)
        {
            var found = firstTab < 0 ? 1 : 2;
            return new DataFormatError(file, lineNumber, line.Length + 1, firstTab < 0 ? "song_id" : "play_count", $"{ColumnsHint}, found {found}");
        }

        var thirdTab = line.IndexOf('\t', secondTab + 1);
        if (thirdTab >= 0)
        {
            var found = line.AsSpan().Count('\t') + 1;
            return new DataFormatError(file, lineNumber, thirdTab + 2, null, $"{ColumnsHint}, found {found}");
        }

        var user = line.AsSpan(0, firstTab);
        if (user.IsWhiteSpace())
        {
            return new DataFormatError(file, lineNumber, 1, "user", "the user id is empty");
        }

        var song = line.AsSpan(firstTab + 1, secondTab - firstTab - 1);
        if (song.IsWhiteSpace())
        {
            return new DataFormatError(file, lineNumber, firstTab + 2, "song_id", "the song id is empty");
        }

        if (!TextInput.TryParseCount(line.AsSpan(secondTab + 1), "play count", out var playCount, out var problem))
        {
            return new DataFormatError(file, lineNumber, secondTab + 2, "play_count", problem);
        }

        var userId = previousUser is not null && user.SequenceEqual(previousUser) ? previousUser : user.ToString();
        triplet = new TasteTriplet(userId, song.ToString(), playCount);
        return null;
    }
}

using System.Globalization;
using System.Text;

namespace SpotifyBuddies.Data.Formats;

/// <summary>
/// Streams Echo Nest Taste Profile rows as <c>train_triplets.txt</c> writes them:
/// <c>user TAB song_id TAB play_count</c>, one per line, <c>\n</c> line ends, UTF-8 without BOM,
/// invariant-culture numbers.
/// </summary>
/// <remarks>
/// Only what would corrupt the format is rejected (empty ids, tabs or line breaks inside an id); values
/// are otherwise written as given, so tests can produce, for example, a zero play count on purpose.
/// </remarks>
public sealed class TasteTripletWriter : IDisposable
{
    private readonly StreamWriter _writer;

    public TasteTripletWriter(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024, leaveOpen)
        {
            NewLine = "\n",
        };
    }

    /// <summary>How many rows have been written.</summary>
    public long RowsWritten { get; private set; }

    /// <summary>Writes every row of <paramref name="triplets"/>; returns how many.</summary>
    public static long WriteAll(Stream stream, IEnumerable<TasteTriplet> triplets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(triplets);
        using var writer = new TasteTripletWriter(stream, leaveOpen: true);
        foreach (var triplet in triplets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            writer.Write(triplet);
        }

        writer.Flush();
        return writer.RowsWritten;
    }

    public void Write(TasteTriplet triplet) => Write(triplet.UserId, triplet.SongId, triplet.PlayCount);

    public void Write(string userId, string songId, int playCount)
    {
        CheckField(userId, nameof(userId));
        CheckField(songId, nameof(songId));
        Span<char> digits = stackalloc char[11];
        playCount.TryFormat(digits, out var length, provider: CultureInfo.InvariantCulture);
        _writer.Write(userId);
        _writer.Write('\t');
        _writer.Write(songId);
        _writer.Write('\t');
        _writer.Write(digits[..length]);
        _writer.Write('\n');
        RowsWritten++;
    }

    /// <summary>Flushes buffered rows to the stream.</summary>
    public void Flush() => _writer.Flush();

    public void Dispose() => _writer.Dispose();

    private static void CheckField(string value, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, name);
        if (value.AsSpan().IndexOfAny('\t', '\n', '\r') >= 0)
        {
            throw new ArgumentException("A triplet field must not contain a tab or a line break.", name);
        }
    }
}

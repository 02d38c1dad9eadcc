using System.Text;
using SpotifyBuddies.Core.Randomness;
using SpotifyBuddies.Data.Formats;
using SpotifyBuddies.Data.Preparation;
using SpotifyBuddies.Data.Tests.Formats;

namespace SpotifyBuddies.Data.Tests.Preparation;

/// <summary>
/// The ENTP fast path must give what reading the chunk with <see cref="TasteTripletReader"/> gives (runs of users,
/// song keys, unknown and blank counts, line ends), and must give up on anything it does not handle exactly.
/// </summary>
public sealed class EntpChunkScannerTests
{
    private static readonly Dictionary<string, int> KeyBySongId = new(StringComparer.Ordinal)
    {
        ["SOA"] = 0,
        ["SOB"] = -1, // MSD title or artist blank
        ["SOC"] = 2,
        ["SOD"] = 3,
        ["S\u00d6E"] = 4, // non-ASCII ids exist in no ASCII line
    };

    private static readonly EntpChunkScanner.SongIds SongIds = EntpChunkScanner.SongIds.From(KeyBySongId);

    [Theory]
    [InlineData("u1\tSOA\t1\nu1\tSOC\t3\nu2\tSOA\t1\n")]
    [InlineData("u1\tSOA\t1\r\nu1\tSOX\t3\r\nu2\tSOB\t1\r\n")] // CRLF, an unknown id, a blank-key id
    [InlineData("u1\tSOA\t1\n\n   \n\t \t\nu1\tSOD\t2\nu2\tSOC\t0")] // blank lines, a last line without a line end
    [InlineData("u1\tSOA\t1\nu2\tSOA\t1\nu1\tSOC\t1\n")] // a user coming back: a new run
    [InlineData(" u 1 \tSOA\t007\nu1\tSOC\t2147483647\n")] // ids are taken as they are; leading zeros; int.MaxValue
    [InlineData("")]
    [InlineData("\n\n")]
    public void TryScan_WhenChunkIsPlain_GivesWhatTheReaderGives(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);

        var scanned = EntpChunkScanner.TryScan(bytes, SongIds);

        Assert.NotNull(scanned);
        Assert.Equal(Reference(bytes), Describe(scanned));
    }

    [Theory]
    [InlineData("u1\tSOA\t2147483648\n")] // too large: the reader reports it
    [InlineData("u1\tSOA\t-1\n")]
    [InlineData("u1\tSOA\t1.0\n")]
    [InlineData("u1\tSOA\t 1\n")]
    [InlineData("u1\tSOA\t\n")]
    [InlineData("u1\tSOA\t1\textra\n")]
    [InlineData("u1\tSOA\n")]
    [InlineData("u1 SOA 1\n")]
    [InlineData(" \tSOA\t1\n")]
    [InlineData("u1\t  \t1\n")]
    [InlineData("u1\tSOA\t1\ru2\tSOA\t1\n")] // a lone carriage return ends a line for the reader
    [InlineData("us\u00e9r\tSOA\t1\n")] // non-ASCII: left to the reader
    [InlineData("\ufeffu1\tSOA\t1\n")] // a byte order mark
    public void TryScan_WhenAnyLineIsNotPlain_GivesUp(string text)
    {
        Assert.Null(EntpChunkScanner.TryScan(Encoding.UTF8.GetBytes(text), SongIds));
    }

    [Fact]
    public void TryScan_OnRandomChunks_EitherGivesUpOrAgreesWithTheReader()
    {
        // Lines built from fragments that are plain most of the time and odd now and then.
        string[] users = ["u1", "u2", "u3", " u1", "é", "", " "];
        string[] songs = ["SOA", "SOB", "SOC", "SOD", "SOX", "SÖE", "", "\t"];
        string[] counts = ["1", "0", "12", "007", "2147483647", "2147483648", "-3", "x", ""];
        string[] ends = ["\n", "\n", "\n", "\r\n", "\r", ""];
        var random = new DeterministicRandom(21);
        var accepted = 0;
        for (var chunk = 0; chunk < 400; chunk++)
        {
            var text = new StringBuilder();
            var lines = random.NextInt(1, 12);
            for (var line = 0; line < lines; line++)
            {
                var odd = random.NextInt(10) == 0;
                text.Append(odd ? users[random.NextInt(users.Length)] : users[random.NextInt(3)]).Append('\t')
                    .Append(odd ? songs[random.NextInt(songs.Length)] : songs[random.NextInt(5)]).Append('\t')
                    .Append(odd ? counts[random.NextInt(counts.Length)] : counts[random.NextInt(5)])
                    .Append(line == lines - 1 ? ends[random.NextInt(ends.Length)] : odd ? ends[random.NextInt(ends.Length)] : "\n");
            }

            var bytes = Encoding.UTF8.GetBytes(text.ToString());
            if (EntpChunkScanner.TryScan(bytes, SongIds) is { } scanned)
            {
                accepted++;
                Assert.Equal(Reference(bytes), Describe(scanned));
            }
        }

        Assert.InRange(accepted, 100, 399);
    }

    private static string Describe(EntpChunkScanner.Result result) =>
        Describe(result.Runs, result.Keys, result.Rows, result.Unknown, result.Blank, result.Newlines, 0);

    private static string Describe(List<(string User, int FirstKey)> runs, int[] keys, long rows, long unknown, long blank, long newlines, long skipped) =>
        $"runs={string.Join(",", runs.Select(r => $"{r.User}@{r.FirstKey}"))} keys={string.Join(",", keys)} rows={rows} unknown={unknown} blank={blank} newlines={newlines} skipped={skipped}";

    // What RawInputLoader gathers from the reader for one chunk.
    private static string Reference(byte[] bytes)
    {
        var report = new ReadReport();
        var runs = new List<(string User, int FirstKey)>();
        var keys = new List<int>();
        long rows = 0, unknown = 0, blank = 0;
        string? lastUser = null;
        foreach (var row in TasteTripletReader.Read(new MemoryStream(bytes), "chunk", FormatTestData.Skip, report))
        {
            rows++;
            if (!ReferenceEquals(row.UserId, lastUser))
            {
                lastUser = row.UserId;
                runs.Add((row.UserId, keys.Count));
            }

            if (!KeyBySongId.TryGetValue(row.SongId, out var key))
            {
                unknown++;
            }
            else if (key < 0)
            {
                blank++;
            }
            else
            {
                keys.Add(key);
            }
        }

        Assert.Equal(rows, report.Records);
        return Describe(runs, [.. keys], rows, unknown, blank, bytes.Count(b => b == '\n'), report.Skipped);
    }
}

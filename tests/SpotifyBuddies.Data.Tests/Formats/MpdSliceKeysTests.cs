using System.Text;
using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Data.Formats;

namespace SpotifyBuddies.Data.Tests.Formats;

/// <summary>
/// <see cref="MpdSliceReader.ReadKeys"/> (one pass, no records) must read exactly what <see cref="MpdSliceReader.Read(Stream, string, ReadOptions, ReadReport, CancellationToken)"/>
/// reads: the same playlists in the same order, the same song keys per track (<see cref="SongKey.TryCreate"/>), the
/// same skipped records with the same messages and positions, and the same exception when strict.
/// </summary>
public sealed class MpdSliceKeysTests
{
    // Playlists that exercise every branch of the one-pass parser and its hand-over to the full parser.
    private static readonly string[] Playlists =
    [
        """{"name": "plain", "collaborative": "false", "pid": 0, "modified_at": 1493424000, "num_tracks": 2, "num_albums": 2, "num_followers": 1, "num_edits": 6, "duration_ms": 425663, "num_artists": 2, "description": null, "tracks": [{"pos": 0, "artist_name": "Missy Elliott", "track_uri": "u0", "artist_uri": "a0", "track_name": "Lose Control", "album_uri": "b0", "duration_ms": 226863, "album_name": "The Cookbook"}, {"pos": 1, "track_name": "TOXIC ", "artist_name": "  Britney Spears\t", "track_uri": "u1", "artist_uri": null, "album_name": null, "album_uri": null}]}""",
        """{"pid": 1, "name": "Beyonc\u00e9 \"mix\"", "collaborative": true, "description": "rainy \u2603", "tracks": [{"pos": 0, "track_name": "Halo", "artist_name": "Beyonc\u00C9", "track_uri": "u"}, {"pos": 1, "track_name": "\u0041BC \"quoted\"", "artist_name": "\u0026 Co", "track_uri": "u"}]}""",
        """{"pid": 2, "name": "non-ascii", "tracks": [{"pos": 0, "track_name": "İstanbul ΣΊΣΥΦΟΣ", "artist_name": "Straße", "track_uri": "u"}, {"pos": 1, "track_name": "𐐀 deseret", "artist_name": "\u00a0nbsp\u2003", "track_uri": "u"}, {"pos": 2, "track_name": "Ünïcödé", "artist_name": "ASCII Artist", "track_uri": "u"}]}""",
        """{"pid": 3, "name": "blanks", "tracks": [{"pos": 0, "track_name": "   ", "artist_name": "a", "track_uri": "u"}, {"pos": 1, "track_name": "t", "artist_name": "", "track_uri": "u"}, {"pos": 2, "track_name": "\t\r\n\u000b\u000c", "artist_name": "a", "track_uri": "u"}, {"pos": 3, "track_name": "\u001f x \u001c", "artist_name": "\u0085a\u0085", "track_uri": "u"}, {"pos": 4, "track_name": "\u2003", "artist_name": "a", "track_uri": "u"}]}""",
        """{"pid": 4, "name": "repeats", "tracks": [{"pos": 0, "track_name": "Same", "artist_name": "A", "track_uri": "u"}, {"pos": 1, "track_name": "same", "artist_name": "a ", "track_uri": "u"}, {"pos": 2, "track_name": "Other", "artist_name": "A", "track_uri": "u"}]}""",
        """{"p\u0069d": 5, "n\u0061me": "escaped names", "tr\u0061cks": [{"p\u006fs": 0, "track_n\u0061me": "Esc", "artist_n\u0061me": "Aped", "track_\u0075ri": "u", "album_n\u0061me": "x", "duration_m\u0073": 5}]}""",
        """{"pid": 6, "name": "first", "pid": 60, "name": "last wins", "tracks": [{"pos": 0, "track_name": "first", "track_name": "Second", "artist_name": "A", "artist_name": "B", "track_uri": "u", "pos": 3}]}""",
        """{"pid": 7, "name": "unknown fields", "extra": {"nested": [1, {"a": [true, null]}], "s": "x"}, "tracks": [{"pos": 0, "track_name": "T", "artist_name": "A", "track_uri": "u", "popularity": [1, 2, {"x": "y"}], "explicit": false}], "more": [[], {}]}""",
        """{"pid": 8, "name": "twice tracks", "tracks": [{"pos": 0, "track_name": "Gone", "artist_name": "A", "track_uri": "u"}], "tracks": [{"pos": 0, "track_name": "Kept", "artist_name": "B", "track_uri": "u"}]}""",
        """{"pid": 9, "name": "empty", "tracks": []}""",
        """{"pid": 10, "name": "pid is text", "tracks": []}""".Replace("10", "\"ten\"", StringComparison.Ordinal),
        """{"pid": 11, "name": null, "tracks": []}""",
        """{"pid": 12, "name": "negative count", "num_edits": -1, "tracks": []}""",
        """{"pid": 13, "name": "float count", "num_tracks": 2.0, "tracks": []}""",
        """{"pid": 14, "name": "big timestamp ok", "modified_at": -9223372036854775808, "tracks": []}""",
        """{"pid": 15, "name": "timestamp as text", "modified_at": "1", "tracks": []}""",
        """{"pid": 16, "name": "flag TRUE", "collaborative": "TRUE", "tracks": []}""",
        """{"pid": 17, "name": "flag escaped", "collaborative": "tru\u0065", "tracks": []}""",
        """{"pid": 18, "name": "description number", "description": 5, "tracks": []}""",
        """{"pid": 19, "name": "track not object", "tracks": [1]}""",
        """{"pid": 20, "name": "tracks not array", "tracks": {"pos": 0}}""",
        """{"pid": 21, "name": "missing uri", "tracks": [{"pos": 0, "track_name": "T", "artist_name": "A"}]}""",
        """{"pid": 22, "name": "missing pos", "tracks": [{"track_name": "T", "artist_name": "A", "track_uri": "u"}]}""",
        """{"pid": 23, "name": "null title", "tracks": [{"pos": 0, "track_name": null, "artist_name": "A", "track_uri": "u"}]}""",
        """{"pid": 24, "name": "number album", "tracks": [{"pos": 0, "track_name": "T", "artist_name": "A", "track_uri": "u", "album_name": 3}]}""",
        """{"pid": 25, "name": "lone surrogate", "tracks": [{"pos": 0, "track_name": "\ud800x", "artist_name": "A", "track_uri": "u"}]}""",
        """{"pid": 26, "name": "lone surrogate in uri", "tracks": [{"pos": 0, "track_name": "T", "artist_name": "A", "track_uri": "\udc00"}]}""",
        """{"pid": 27, "name": "surrogate pair escaped", "tracks": [{"pos": 0, "track_name": "\ud801\udc00 X", "artist_name": "A", "track_uri": "u"}]}""",
        """{"pid": 28, "name": "pos too big", "tracks": [{"pos": 4294967296, "track_name": "T", "artist_name": "A", "track_uri": "u"}]}""",
        """{"pid": 29, "name": "negative duration", "tracks": [{"pos": 0, "track_name": "T", "artist_name": "A", "track_uri": "u", "duration_ms": -5}]}""",
        """{"pid": -30, "name": "negative pid", "tracks": []}""",
        """{"name": "no pid", "tracks": []}""",
        """{"pid": 32, "tracks": []}""",
        """{"pid": 33, "name": "no tracks"}""",
        """["not", "an", "object"]""",
        """{"pid": 35, "name": "after the bad ones", "tracks": [{"pos": 0, "track_name": "Last", "artist_name": "One", "track_uri": "u"}]}""",
    ];

    private static string Slice(IEnumerable<string> playlists) =>
        "{\"info\": {\"slice\": \"0-35\", \"nested\": [{\"a\": 1}]},\n \"playlists\": [\n" + string.Join(",\n", playlists) + "\n]}\n";

    public static TheoryData<int, int> Buffers => new()
    {
        { MpdSliceParser.InitialBufferSize, int.MaxValue },
        { 16, int.MaxValue },
        { 37, 5 },
        { 100, 1 },
        { 1 << 20, 3 },
    };

    [Theory]
    [MemberData(nameof(Buffers))]
    public void ReadKeys_WhenPlaylistsAreOddOrBad_ReadsTheSameAsTheRecordReader(int bufferSize, int chunk)
    {
        var bytes = Encoding.UTF8.GetBytes(Slice(Playlists));

        var (expected, expectedReport) = ViaRecords(bytes, FormatTestData.Skip);
        var (actual, actualReport) = ViaKeys(bytes, FormatTestData.Skip, bufferSize, chunk);

        Assert.Equal(expected, actual);
        Assert.Equal(expectedReport.Errors, actualReport.Errors);
        Assert.Equal((expectedReport.Records, expectedReport.Skipped), (actualReport.Records, actualReport.Skipped));
        // The cases above must reach both outcomes, or the comparison proves little.
        Assert.True(expected.Count >= 12, $"only {expected.Count} playlists were good");
        Assert.True(expectedReport.Skipped >= 20, $"only {expectedReport.Skipped} playlists were bad");
        Assert.Contains(expected, p => p.Keys.Contains("second@@b", StringComparison.Ordinal));
        Assert.Contains(expected, p => p.Keys.Contains("kept@@b", StringComparison.Ordinal) && !p.Keys.Contains("gone@@a", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(19)]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(25)]
    [InlineData(33)]
    public void ReadKeys_WhenStrict_ThrowsTheSameErrorAsTheRecordReader(int bad)
    {
        var bytes = Encoding.UTF8.GetBytes(Slice([Playlists[0], Playlists[bad], Playlists[^1]]));

        var expected = Assert.Throws<DataFormatException>(() => ViaRecords(bytes, ReadOptions.Strict));
        var actual = Assert.Throws<DataFormatException>(() => ViaKeys(bytes, ReadOptions.Strict, 64, 7));

        Assert.Equal(expected.Error, actual.Error);
        Assert.Equal(expected.Message, actual.Message);
    }

    [Theory]
    [InlineData("valid")]
    [InlineData("bad-records.json")]
    [InlineData("truncated.json")]
    [InlineData("syntax-error.json")]
    public void ReadKeys_WhenFixtureFiles_ReadsTheSameAsTheRecordReader(string fixture)
    {
        var path = fixture == "valid"
            ? FormatTestData.Fixture("mpd", "mpd.slice.0-2.json")
            : FormatTestData.Fixture("mpd", "malformed", fixture);
        var bytes = File.ReadAllBytes(path);

        foreach (var (bufferSize, chunk) in new[] { (MpdSliceParser.InitialBufferSize, int.MaxValue), (16, 1), (50, 9) })
        {
            var (expected, expectedReport) = ViaRecords(bytes, FormatTestData.Skip);
            var (actual, actualReport) = ViaKeys(bytes, FormatTestData.Skip, bufferSize, chunk);

            Assert.Equal(expected, actual);
            Assert.Equal(expectedReport.Errors, actualReport.Errors);
            Assert.Equal(expectedReport.Records, actualReport.Records);
        }
    }

    [Fact]
    public void ReadKeys_WhenSyntaxErrorFollowsAnUnusualField_ReportsTheSyntaxError()
    {
        // The one-pass parse gives up at "pid": "x"; the full parser must then meet the broken JSON further on.
        var bytes = Encoding.UTF8.GetBytes(Slice([Playlists[0], """{"pid": "x", "name": "n", "tracks": [{"pos": 0,, }]}""", Playlists[^1]]));

        var (expected, expectedReport) = ViaRecords(bytes, FormatTestData.Skip);
        var (actual, actualReport) = ViaKeys(bytes, FormatTestData.Skip, 1 << 20, int.MaxValue);

        Assert.Equal(expected, actual);
        Assert.Single(actual);
        var error = Assert.Single(actualReport.Errors);
        Assert.Equal(Assert.Single(expectedReport.Errors), error);
        Assert.Contains("invalid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadKeys_WhenManyPlaylistsCrossBufferEnds_YieldsEveryPlaylistOnce()
    {
        var random = new Random(11);
        var playlists = Enumerable.Range(0, 400).Select(pid =>
        {
            var tracks = Enumerable.Range(0, random.Next(0, 30)).Select(t =>
                $$"""{"pos": {{t}}, "track_name": "Song {{random.Next(50)}}{{(t % 7 == 0 ? " é" : "")}}", "artist_name": " Artist {{random.Next(20)}}", "track_uri": "spotify:track:{{t}}", "duration_ms": {{random.Next(100000)}}}""");
            return $$"""{"name": "p{{pid}}", "pid": {{pid}}, "num_tracks": 3, "tracks": [{{string.Join(", ", tracks)}}]}""";
        });
        var bytes = Encoding.UTF8.GetBytes(Slice(playlists));

        var (expected, _) = ViaRecords(bytes, ReadOptions.Strict);
        foreach (var bufferSize in new[] { 512, 4096, 70_000 })
        {
            var (actual, report) = ViaKeys(bytes, ReadOptions.Strict, bufferSize, int.MaxValue);

            Assert.Equal(400, actual.Count);
            Assert.Equal(expected, actual);
            Assert.Equal(400, report.Records);
        }
    }

    private sealed record Snapshot(int Pid, string Name, int Tracks, int Blank, string Keys);

    private static (List<Snapshot> Playlists, ReadReport Report) ViaRecords(byte[] bytes, ReadOptions options)
    {
        var report = new ReadReport();
        var playlists = MpdSliceReader.Read(new MemoryStream(bytes), "slice.json", options, report)
            .Select(p =>
            {
                var keys = p.Tracks.Select(t => SongKey.TryCreate(t.TrackName, t.ArtistName)).ToList();
                return new Snapshot(p.Pid, p.Name, p.Tracks.Count, keys.Count(k => k is null), string.Join("|", keys.Where(k => k is not null).Select(k => k!.Value.Value)));
            })
            .ToList();
        return (playlists, report);
    }

    private static (List<Snapshot> Playlists, ReadReport Report) ViaKeys(byte[] bytes, ReadOptions options, int bufferSize, int chunk)
    {
        var report = new ReadReport();
        using var stream = new ChunkedStream(new MemoryStream(bytes), chunk);
        var playlists = MpdSliceReader.ReadKeys(stream, "slice.json", options, report, bufferSize)
            .Select(p => new Snapshot(
                p.Pid, p.Name, p.Tracks, p.BlankTracks,
                string.Join("|", Enumerable.Range(0, p.KeyCount).Select(k => Encoding.UTF8.GetString(p.Key(k))))))
            .ToList();
        return (playlists, report);
    }
}

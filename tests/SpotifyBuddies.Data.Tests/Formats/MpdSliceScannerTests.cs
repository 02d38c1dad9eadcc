using System.Text;
using SpotifyBuddies.Core.Randomness;
using SpotifyBuddies.Data.Formats;

namespace SpotifyBuddies.Data.Tests.Formats;

/// <summary>
/// <see cref="MpdSliceScanner"/> may say no to anything, but when it says yes it must have read exactly what
/// <see cref="MpdSliceReader.ReadKeys"/> reads, and the reader must have had nothing to complain about.
/// </summary>
public sealed class MpdSliceScannerTests
{
    private const string PlainPlaylist =
        """{"name": "Beyonc\u00e9 \"mix\" ☺", "collaborative": "false", "pid": 7, "modified_at": 1493424000, "num_tracks": 3, "num_albums": 2, "num_followers": 0, "num_edits": 6, "duration_ms": 425663, "num_artists": 2, "description": "rainy \ud83c\udf27 day", "tracks": [{"pos": 0, "artist_name": "Missy Elliott", "track_uri": "spotify:track:0UaM", "artist_uri": "spotify:artist:2wIV", "track_name": "Lose Control (feat. Ciara & Fat Man Scoop)", "album_uri": "spotify:album:6vV5", "duration_ms": 226863, "album_name": "The Cookbook"}, {"pos": 1, "track_name": "  TOXIC\t", "artist_name": "Britney Spears", "track_uri": "u1", "artist_uri": null, "album_name": null, "album_uri": null, "popularity": [1, -2.5e-3, {"deep": [true, false, null, "x\/y\\z\n"]}]}, {"pos": 2, "track_name": "Stra\u00DFe \u0130", "artist_name": "   ", "track_uri": "u2"}, {"pos": 3, "track_name": "\ud801\udc00 deseret", "artist_name": "ß", "track_uri": "u3", "duration_ms": 0}]}""";

    private static string Slice(params string[] playlists) =>
        "\ufeff{\"info\": {\"slice\": \"0-9\", \"version\": \"v1\", \"nested\": [[], {}, 0, 1E+2]},\n \"playlists\": [\n" + string.Join(",\n", playlists) + "\n], \"tail\": null}\n";

    [Fact]
    public void TryScan_WhenSliceIsPlain_AcceptsItAndReadsWhatTheReaderReads()
    {
        var bytes = Encoding.UTF8.GetBytes(Slice(PlainPlaylist, """{"pid": 8, "name": "", "tracks": [], "collaborative": true}""", PlainPlaylist.Replace("\"pid\": 7", "\"pid\": 9", StringComparison.Ordinal)));

        var (accepted, scanned) = ViaScanner(bytes);
        var (expected, report) = ViaReader(bytes);

        Assert.True(accepted);
        Assert.Empty(report.Errors);
        Assert.Equal(expected, scanned);
        Assert.Equal(3, scanned.Count);
        Assert.Contains("lose control (feat. ciara & fat man scoop)@@missy elliott", scanned[0].Keys, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mpd.slice.0-2.json")]
    public void TryScan_WhenFixtureIsPlain_AcceptsIt(string fixture)
    {
        var bytes = File.ReadAllBytes(FormatTestData.Fixture("mpd", fixture));

        var (accepted, scanned) = ViaScanner(bytes);

        Assert.True(accepted);
        Assert.Equal(ViaReader(bytes).Playlists, scanned);
    }

    [Fact]
    public void TryScan_WhenGeneratedByTheSliceWriter_AcceptsIt()
    {
        using var stream = new MemoryStream();
        MpdSliceWriter.WriteSlice(stream, new MpdSliceInfo { Slice = "0-1", Version = "v1" },
        [
            new MpdPlaylist
            {
                Pid = 0,
                Name = "writer",
                Collaborative = true,
                ModifiedAt = 1_500_000_000,
                NumTracks = 1,
                Tracks = [new MpdTrack { Pos = 0, TrackName = "Hello, \"World\" Café 🔥", ArtistName = "Simon & Garfunkel", TrackUri = "spotify:track:x", AlbumName = "a < b", DurationMs = 1 }],
            },
        ]);
        var bytes = stream.ToArray();

        var (accepted, scanned) = ViaScanner(bytes);

        Assert.True(accepted);
        Assert.Equal(ViaReader(bytes).Playlists, scanned);
        Assert.Equal("hello, \"world\" café 🔥@@simon & garfunkel", Assert.Single(scanned).Keys);
    }

    [Theory]
    [InlineData("""{"pid": "7", "name": "n", "tracks": []}""")]
    [InlineData("""{"pid": 7.0, "name": "n", "tracks": []}""")]
    [InlineData("""{"pid": -7, "name": "n", "tracks": []}""")]
    [InlineData("""{"pid": 07, "name": "n", "tracks": []}""")]
    [InlineData("""{"pid": 2147483648, "name": "n", "tracks": []}""")]
    [InlineData("""{"pid": 7, "name": null, "tracks": []}""")]
    [InlineData("""{"pid": 7, "tracks": []}""")]
    [InlineData("""{"pid": 7, "name": "n"}""")]
    [InlineData("""{"pid": 7, "name": "n", "tracks": [], "tracks": []}""")]
    [InlineData("""{"pid": 7, "pid": 8, "name": "n", "tracks": []}""")]
    [InlineData("""{"p\u0069d": 7, "name": "n", "tracks": []}""")]
    [InlineData("""{"pid": 7, "name": "n", "collaborative": "TRUE", "tracks": []}""")]
    [InlineData("""{"pid": 7, "name": "n", "modified_at": -1, "tracks": []}""")]
    [InlineData("""{"pid": 7, "name": "n", "description": 5, "tracks": []}""")]
    [InlineData("""{"pid": 7, "name": "n", "num_edits": -1, "tracks": []}""")]
    [InlineData("""{"pid": 7, "name": "n", "tracks": [1]}""")]
    [InlineData("""{"pid": 7, "name": "n", "tracks": [{"pos": 0, "track_name": "t", "artist_name": "a"}]}""")]
    [InlineData("""{"pid": 7, "name": "n", "tracks": [{"pos": 0, "track_name": "t", "artist_name": 5, "track_uri": "u"}]}""")]
    [InlineData("""{"pid": 7, "name": "n", "tracks": [{"pos": 0, "track_name": "\ud800", "artist_name": "a", "track_uri": "u"}]}""")]
    [InlineData("""{"pid": 7, "name": "n", "tracks": [{"pos": 0, "track_name": "t", "artist_name": "a", "track_uri": "\udc00x"}]}""")]
    [InlineData("""{"pid": 7, "name": "n", "tracks": [{"pos": 0, "track_name": "\x", "artist_name": "a", "track_uri": "u"}]}""")]
    [InlineData("""{"pid": 7, "name": "n", "tracks": [{"pos": 0, "track_name": "t", "artist_name": "a", "track_uri": "u",}]}""")]
    [InlineData("""{"pid": 7, "name": "n", "tracks": []} x""")]
    [InlineData("""[7]""")]
    [InlineData("""{"pid": 7, "name": "n", "tracks": [], "x": tru}""")]
    [InlineData("""{"pid": 7, "name": "n", "tracks": [], "x": 1.}""")]
    [InlineData("""{"pid": 7, "name": "n", "tracks": [], "x": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}""")]
    public void TryScan_WhenAPlaylistIsOdd_SaysNo(string playlist)
    {
        var bytes = Encoding.UTF8.GetBytes(Slice(PlainPlaylist, playlist));

        Assert.False(ViaScanner(bytes).Accepted);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("{\"info\": {}}")]
    [InlineData("{\"playlists\": []")]
    [InlineData("{\"playlists\": [], \"playlists\": []}")]
    [InlineData("{\"playlists\": {}}")]
    [InlineData("{\"playlists\": []}}")]
    [InlineData("{\"playlists\": []} // comment")]
    public void TryScan_WhenTheFileIsNotAPlainSlice_SaysNo(string json)
    {
        Assert.False(ViaScanner(Encoding.UTF8.GetBytes(json)).Accepted);
    }

    [Fact]
    public void TryScan_WhenAStringHoldsInvalidUtf8_SaysNo()
    {
        var bytes = Encoding.UTF8.GetBytes(Slice(PlainPlaylist));
        var at = Array.IndexOf(bytes, (byte)'M'); // "Missy Elliott"
        bytes[at] = 0xC3;

        Assert.False(ViaScanner(bytes).Accepted);
    }

    [Fact]
    public void TryScan_WhenStringsCrossTheVectorBlocks_AgreesWithTheReaderAtEveryLengthAndPosition()
    {
        // Names and titles of 0..40 bytes with, at every position: an escaped quote, a raw non-ASCII letter, an
        // escaped one, a raw control character (invalid JSON), or a lone 0xC3 byte (invalid UTF-8).
        string[] inserts = ["\\\"", "é", "\\u00e9", "\u0001", "@"];
        var accepted = 0;
        for (var length = 0; length <= 40; length++)
        {
            for (var at = 0; at <= length; at++)
            {
                foreach (var insert in inserts)
                {
                    var title = new string('T', at) + insert + new string('t', length - at);
                    var bytes = Encoding.UTF8.GetBytes(Slice(
                        $$"""{"pid": {{at}}, "name": "{{title}}", "tracks": [{"pos": 0, "track_name": "{{title}}", "artist_name": "{{title}}", "track_uri": "u"}]}"""));
                    for (var i = 0; i < bytes.Length; i++)
                    {
                        bytes[i] = bytes[i] == '@' ? (byte)0xC3 : bytes[i];
                    }

                    var (ok, scanned) = ViaScanner(bytes);
                    if (ok)
                    {
                        accepted++;
                        var (expected, report) = ViaReader(bytes);
                        Assert.Empty(report.Errors);
                        Assert.Equal(expected, scanned);
                    }
                    else
                    {
                        Assert.True(insert is "\u0001" or "@", $"a plain title was refused: {title}");
                    }
                }
            }
        }

        Assert.Equal(3 * 41 * 42 / 2, accepted);
    }

    [Fact]
    public void TryScan_OnMutatedSlices_NeverAcceptsWhatTheReaderReadsDifferentlyOrComplainsAbout()
    {
        // Byte-level mutations of a plain slice: most break it, some keep it valid; whenever the scanner accepts,
        // the reader must agree playlist for playlist and report nothing.
        var original = Encoding.UTF8.GetBytes(Slice(PlainPlaylist, """{"pid": 8, "name": "second", "tracks": [{"pos": 0, "track_name": "A\u0042c", "artist_name": "d", "track_uri": "u"}]}"""));
        byte[] alphabet = [.. "{}[]\",:\\ \t\n0123456789-+.eEtrufalsnxu\u00e9"u8.ToArray(), 0x00, 0x1F, 0x80, 0xC3, 0xFF];
        var random = new DeterministicRandom(77);
        var accepted = 0;
        for (var trial = 0; trial < 3000; trial++)
        {
            var bytes = new List<byte>(original);
            for (var edits = 1 + random.NextInt(3); edits > 0; edits--)
            {
                var at = random.NextInt(bytes.Count);
                switch (random.NextInt(3))
                {
                    case 0:
                        bytes.RemoveAt(at);
                        break;
                    case 1:
                        bytes.Insert(at, alphabet[random.NextInt(alphabet.Length)]);
                        break;
                    default:
                        bytes[at] = alphabet[random.NextInt(alphabet.Length)];
                        break;
                }
            }

            var mutated = bytes.ToArray();
            var (ok, scanned) = ViaScanner(mutated);
            if (!ok)
            {
                continue;
            }

            accepted++;
            var (expected, report) = ViaReader(mutated);
            Assert.Empty(report.Errors);
            Assert.Equal(expected, scanned);
        }

        Assert.InRange(accepted, 30, 2999);
    }

    private sealed record Snapshot(int Pid, string Name, int Tracks, int Blank, string Keys);

    private static Snapshot Snap(MpdPlaylistKeys p) => new(
        p.Pid, p.Name, p.Tracks, p.BlankTracks, string.Join("|", Enumerable.Range(0, p.KeyCount).Select(k => Encoding.UTF8.GetString(p.Key(k)))));

    private static (bool Accepted, List<Snapshot> Playlists) ViaScanner(byte[] bytes)
    {
        var playlists = new List<Snapshot>();
        var accepted = MpdSliceScanner.TryScan(bytes, new MpdPlaylistKeys(), new MpdSliceScanner.Scratch(), p => playlists.Add(Snap(p)));
        return (accepted, playlists);
    }

    private static (List<Snapshot> Playlists, ReadReport Report) ViaReader(byte[] bytes)
    {
        var report = new ReadReport();
        var playlists = MpdSliceReader.ReadKeys(new MemoryStream(bytes), "slice.json", FormatTestData.Skip, report).Select(Snap).ToList();
        return (playlists, report);
    }
}

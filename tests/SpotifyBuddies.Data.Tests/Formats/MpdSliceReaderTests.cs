using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SpotifyBuddies.Data.Formats;

namespace SpotifyBuddies.Data.Tests.Formats;

public sealed class MpdSliceReaderTests
{
    private static readonly string ValidSlice = FormatTestData.Fixture("mpd", "mpd.slice.0-2.json");
    private static readonly string BadRecords = FormatTestData.Fixture("mpd", "malformed", "bad-records.json");
    private static readonly string Truncated = FormatTestData.Fixture("mpd", "malformed", "truncated.json");
    private static readonly string SyntaxError = FormatTestData.Fixture("mpd", "malformed", "syntax-error.json");

    [Fact]
    public void Read_WhenValidSlice_ReturnsEveryPlaylistWithExactValues()
    {
        var report = new ReadReport();

        var playlists = MpdSliceReader.Read(ValidSlice, ReadOptions.Strict, report).ToList();

        Assert.Equal(3, playlists.Count);
        var first = playlists[0];
        Assert.Equal(0, first.Pid);
        Assert.Equal("Throwbacks", first.Name);
        Assert.False(first.Collaborative);
        Assert.Equal(1493424000L, first.ModifiedAt);
        Assert.Equal((2, 2, 1, 6, 425663, 2), (first.NumTracks, first.NumAlbums, first.NumFollowers, first.NumEdits, first.DurationMs, first.NumArtists));
        Assert.Null(first.Description);
        Assert.Equal(
            new MpdTrack
            {
                Pos = 0,
                ArtistName = "Missy Elliott",
                TrackUri = "spotify:track:0UaMYEvWZi0ZqiDOoHU3YI",
                ArtistUri = "spotify:artist:2wIVse2owClT7go1WT98tk",
                TrackName = "Lose Control (feat. Ciara & Fat Man Scoop)",
                AlbumUri = "spotify:album:6vV5UrXcfyQD1wu4Qo2I9K",
                DurationMs = 226863,
                AlbumName = "The Cookbook",
            },
            first.Tracks[0]);
        Assert.Equal((1, "Toxic", "Britney Spears", 198800), (first.Tracks[1].Pos, first.Tracks[1].TrackName, first.Tracks[1].ArtistName, first.Tracks[1].DurationMs));

        var second = playlists[1];
        Assert.Equal((1, "Beyoncé \"mix\"", true, "songs for a rainy day"), (second.Pid, second.Name, second.Collaborative, second.Description));
        Assert.Equal("Beyoncé", Assert.Single(second.Tracks).ArtistName);

        var third = playlists[2];
        Assert.Equal((2, "empty", false), (third.Pid, third.Name, third.Collaborative));
        Assert.Empty(third.Tracks);

        Assert.Equal(3, report.Records);
        Assert.Equal(0, report.Skipped);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100)]
    public void Read_WhenStreamDeliversSmallChunks_ReturnsSameAsWholeFile(int chunk)
    {
        var expected = MpdSliceReader.Read(ValidSlice, ReadOptions.Strict, new ReadReport()).ToList();
        using var stream = new ChunkedStream(File.OpenRead(ValidSlice), chunk);

        var actual = MpdSliceReader.Read(stream, "chunked", ReadOptions.Strict, new ReadReport()).ToList();

        AssertSamePlaylists(expected, actual);
    }

    [Theory]
    [InlineData("bad-records.json", 1)]
    [InlineData("bad-records.json", 5)]
    [InlineData("truncated.json", 1)]
    [InlineData("syntax-error.json", 3)]
    public void Read_WhenStreamDeliversSmallChunks_ReportsTheSameErrors(string fixture, int chunk)
    {
        var path = FormatTestData.Fixture("mpd", "malformed", fixture);
        var expected = new ReadReport();
        var expectedPids = MpdSliceReader.Read(path, FormatTestData.Skip, expected).Select(p => p.Pid).ToList();
        var actual = new ReadReport();
        using var stream = new ChunkedStream(File.OpenRead(path), chunk);

        var actualPids = MpdSliceReader.Read(stream, path, FormatTestData.Skip, actual).Select(p => p.Pid).ToList();

        Assert.Equal(expectedPids, actualPids);
        Assert.NotEmpty(expected.Errors);
        Assert.Equal(expected.Errors, actual.Errors);
    }

    [Fact]
    public void Read_WhenMinifiedSliceIsOneLongLine_CountsColumnsAcrossBufferRefills()
    {
        using var bytes = new MemoryStream();
        using (var json = new Utf8JsonWriter(bytes, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartArray("playlists");
            for (var pid = 0; pid < 3_000; pid++)
            {
                json.WriteStartObject();
                json.WriteString("name", $"Beyoncé mix {pid}");
                if (pid == 2_999)
                {
                    json.WriteString("pid", "last");
                }
                else
                {
                    json.WriteNumber("pid", pid);
                }

                json.WriteStartArray("tracks");
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        var text = Encoding.UTF8.GetString(bytes.ToArray());
        bytes.Position = 0;
        var report = new ReadReport();

        using var stream = new ChunkedStream(bytes, 4_000);
        var count = MpdSliceReader.Read(stream, "minified.json", FormatTestData.Skip, report).Count();

        Assert.Equal(2_999, count);
        Assert.True(text.Length > 100_000, "the line is longer than the reader's first buffer");
        Assert.Contains("Beyoncé", text, StringComparison.Ordinal);
        Assert.Equal(new DataFormatError("minified.json", 1, text.IndexOf("\"last\"", StringComparison.Ordinal) + 1, "playlists[2999].pid", "expected an integer, found the string \"last\""), Assert.Single(report.Errors));
    }

    [Fact]
    public void Read_WhenPidIsText_ThrowsAfterEarlierPlaylistsNamingFileLineColumnAndField()
    {
        var read = new List<int>();

        var exception = Assert.Throws<DataFormatException>(() =>
        {
            foreach (var playlist in MpdSliceReader.Read(BadRecords, ReadOptions.Strict, new ReadReport()))
            {
                read.Add(playlist.Pid);
            }
        });

        Assert.Equal([10], read);
        Assert.Equal(new DataFormatError(BadRecords, 6, 62, "playlists[1].pid", "expected an integer, found the string \"abc\""), exception.Error);
        Assert.Equal($"{BadRecords}:6:62: field 'playlists[1].pid': expected an integer, found the string \"abc\"", exception.Message);
    }

    [Fact]
    public void Read_WhenSkipBad_SkipsBadPlaylistsAndResumesAtTheNext()
    {
        var report = new ReadReport();

        var pids = MpdSliceReader.Read(BadRecords, FormatTestData.Skip, report).Select(p => p.Pid).ToList();

        Assert.Equal([10, 14], pids);
        Assert.Equal(2, report.Records);
        Assert.Equal(3, report.Skipped);
        Assert.Equal(
            [
                new DataFormatError(BadRecords, 6, 62, "playlists[1].pid", "expected an integer, found the string \"abc\""),
                new DataFormatError(BadRecords, 9, 7, "playlists[2].tracks[1].track_name", "required field is missing"),
                new DataFormatError(BadRecords, 12, 15, "playlists[3].tracks[0].pos", "must not be negative, found -1"),
            ],
            report.Errors);
    }

    [Fact]
    public void Read_WhenLineEndsAreCrlf_ReportsTheSamePositions()
    {
        var crlf = File.ReadAllText(BadRecords).ReplaceLineEndings("\r\n");
        var report = new ReadReport();

        var pids = MpdSliceReader.Read(FormatTestData.Utf8(crlf), "crlf.json", FormatTestData.Skip, report).Select(p => p.Pid).ToList();

        Assert.Equal([10, 14], pids);
        Assert.Equal([(6L, 62L), (9L, 7L), (12L, 15L)], report.Errors.Select(e => (e.Line, e.Column)));
    }

    [Fact]
    public void Read_WhenFileIsTruncated_YieldsCompletePlaylistsAndReportsTheEndOnce()
    {
        var report = new ReadReport();

        var pids = MpdSliceReader.Read(Truncated, FormatTestData.Skip, report).Select(p => p.Pid).ToList();

        Assert.Equal([0], pids);
        Assert.Equal(1, report.Skipped);
        var error = Assert.Single(report.Errors);
        Assert.Equal((Truncated, 8L, 44L, (string?)null), (error.File, error.Line, error.Column, error.Field));
        Assert.StartsWith("the file ends before the JSON is complete (truncated file?)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WhenFileIsTruncatedAndStrict_ThrowsWithTheJsonExceptionInside()
    {
        var exception = Assert.Throws<DataFormatException>(() => MpdSliceReader.Read(Truncated, ReadOptions.Strict, new ReadReport()).ToList());

        Assert.Equal(8, exception.Error.Line);
        Assert.IsAssignableFrom<JsonException>(exception.InnerException);
    }

    [Fact]
    public void Read_WhenSyntaxError_ReportsItsPositionAndStopsReadingTheFile()
    {
        var report = new ReadReport();

        var pids = MpdSliceReader.Read(SyntaxError, FormatTestData.Skip, report).Select(p => p.Pid).ToList();

        Assert.Equal([0], pids);
        Assert.Equal((1L, 1L), (report.Records, report.Skipped));
        var error = Assert.Single(report.Errors);
        Assert.Equal((4L, 47L, (string?)null), (error.Line, error.Column, error.Field));
        Assert.StartsWith("invalid JSON, the rest of the file cannot be read: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("':'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"pid": 1.5, "name": "n", "tracks": []}""", "1.5", "playlists[0].pid", "expected an integer, found the number 1.5")]
    [InlineData("""{"pid": 99999999999, "name": "n", "tracks": []}""", "99999999999", "playlists[0].pid", "the number 99999999999 is out of range for a 32-bit integer")]
    [InlineData("""{"pid": 1, "name": null, "tracks": []}""", "null", "playlists[0].name", "expected a string, found null")]
    [InlineData("""{"pid": 1, "name": "n", "collaborative": "maybe", "tracks": []}""", "\"maybe\"", "playlists[0].collaborative", "expected \"true\" or \"false\", found the string \"maybe\"")]
    [InlineData("""{"pid": 1, "name": "n", "num_followers": -3, "tracks": []}""", "-3", "playlists[0].num_followers", "must not be negative, found -3")]
    [InlineData("""{"pid": 1, "name": "n", "tracks": {}}""", "{}", "playlists[0].tracks", "expected an array of tracks, found an object")]
    [InlineData("""{"pid": 1, "name": "n", "tracks": [7]}""", "7]", "playlists[0].tracks[0]", "expected a track object, found the number 7")]
    [InlineData("""{"pid": 1, "name": "n", "tracks": [{"pos": 0, "track_name": "t", "artist_name": 5, "track_uri": "u"}]}""", "5,", "playlists[0].tracks[0].artist_name", "expected a string, found the number 5")]
    [InlineData("""{"name": "n", "tracks": []}""", "{\"name", "playlists[0].pid", "required field is missing")]
    [InlineData("""{"pid": 1, "name": "n"}""", "{\"pid", "playlists[0].tracks", "required field is missing")]
    [InlineData("""{"pid": 1, "name": "n", "tracks": [{"pos": 0, "track_name": "t", "artist_name": "a"}]}""", "{\"pos", "playlists[0].tracks[0].track_uri", "required field is missing")]
    [InlineData("""[1, 2]""", "[1, 2]", "playlists[0]", "expected a playlist object, found an array")]
    public void Read_WhenPlaylistIsMalformed_NamesFieldAndPosition(string playlist, string marker, string field, string message)
    {
        var json = "{\"info\": {},\n \"playlists\": [" + playlist + "]}";
        var report = new ReadReport();

        var playlists = MpdSliceReader.Read(FormatTestData.Utf8(json), "inline.json", FormatTestData.Skip, report).ToList();

        Assert.Empty(playlists);
        var expectedColumn = json.Split('\n')[1].IndexOf(marker, StringComparison.Ordinal) + 1;
        Assert.Equal(new DataFormatError("inline.json", 2, expectedColumn, field, message), Assert.Single(report.Errors));
    }

    [Fact]
    public void Read_WhenNonAsciiTextPrecedesTheError_CountsColumnsInCharactersNotBytes()
    {
        const string json = """{"playlists": [{"name": "Beyoncé – ☺ 𝄞", "pid": "x", "tracks": []}]}""";
        var report = new ReadReport();

        _ = MpdSliceReader.Read(FormatTestData.Utf8(json), "unicode.json", FormatTestData.Skip, report).ToList();

        var error = Assert.Single(report.Errors);
        Assert.Equal(json.IndexOf("\"x\"", StringComparison.Ordinal) + 1, error.Column);
        Assert.NotEqual(Encoding.UTF8.GetByteCount(json[..json.IndexOf("\"x\"", StringComparison.Ordinal)]) + 1, error.Column);
    }

    [Theory]
    [InlineData("""{"playlists": [{"pid": 5, "name": "n", "tracks": []}], "info": {"slice": "5-5"}}""")]
    [InlineData("""{"playlists": [{"pid": 5, "name": "n", "tracks": []}]}""")]
    [InlineData("""{"x": [1, {"y": 2}], "info": {"slice": "5-5"}, "playlists": [{"pid": 5, "name": "n", "tracks": []}]}""")]
    public void Read_WhenInfoIsAfterPlaylistsOrAbsent_ReadsThePlaylists(string json)
    {
        var playlists = MpdSliceReader.Read(FormatTestData.Utf8(json), "order.json", ReadOptions.Strict, new ReadReport()).ToList();

        Assert.Equal(5, Assert.Single(playlists).Pid);
    }

    [Theory]
    [InlineData("{\"info\": {}}", 1, 1, "playlists", "required field is missing: an MPD slice has a top-level \"playlists\" array")]
    [InlineData("{\"playlists\": {}}", 1, 15, "playlists", "expected an array of playlists, found an object")]
    [InlineData("\n  [1, 2]", 2, 3, null, "an MPD slice must be a JSON object with a \"playlists\" array, found an array")]
    [InlineData("", 1, 1, null, "the file is empty")]
    [InlineData("  \n ", 2, 2, null, "the file is empty")]
    public void Read_WhenNotAnMpdSlice_ReportsOnceWithoutThrowingWhenSkipping(string json, long line, long column, string? field, string message)
    {
        var report = new ReadReport();

        var playlists = MpdSliceReader.Read(FormatTestData.Utf8(json), "odd.json", FormatTestData.Skip, report).ToList();

        Assert.Empty(playlists);
        Assert.Equal(1, report.Skipped);
        Assert.Equal(new DataFormatError("odd.json", line, column, field, message), Assert.Single(report.Errors));
    }

    [Fact]
    public void Read_WhenStringIsNotValidUtf8_ReportsTheFieldInsteadOfCrashing()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"playlists\": [{\"pid\": 1, \"name\": \"ab\u00e9\", \"tracks\": []}]}");
        var invalid = Array.IndexOf(bytes, (byte)0xC3);
        bytes[invalid + 1] = (byte)'x';
        var report = new ReadReport();

        var playlists = MpdSliceReader.Read(new MemoryStream(bytes), "utf8.json", FormatTestData.Skip, report).ToList();

        Assert.Empty(playlists);
        var error = Assert.Single(report.Errors);
        Assert.Equal((1L, 35L), (error.Line, error.Column));
        Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WhenFileStartsWithByteOrderMark_ReadsItAndCountsColumnsAfterIt()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("""{"playlists": [{"pid": "x"}]}""")).ToArray();
        var report = new ReadReport();

        _ = MpdSliceReader.Read(new MemoryStream(bytes), "bom.json", FormatTestData.Skip, report).ToList();

        Assert.Equal((1L, 24L), (report.Errors[0].Line, report.Errors[0].Column));
    }

    [Fact]
    public void Read_WhenLargeSliceIsGenerated_StreamsEveryPlaylistWithoutReadingAhead()
    {
        const int count = 20_000;
        const int bigPid = 12_345;
        const int bigTracks = 3_000;
        var path = Path.Combine(Path.GetTempPath(), $"mpd.slice.{Guid.NewGuid():N}.json");
        try
        {
            WriteSlice(path, count, bigPid, bigTracks);
            var fileLength = new FileInfo(path).Length;
            var report = new ReadReport();
            using var stream = new ChunkedStream(File.OpenRead(path), int.MaxValue);

            using var playlists = MpdSliceReader.Read(stream, path, ReadOptions.Strict, report).GetEnumerator();
            Assert.True(playlists.MoveNext());
            var readForFirst = stream.BytesRead;
            var expectedPid = 0;
            var tracks = 0L;
            do
            {
                Assert.Equal(expectedPid++, playlists.Current.Pid);
                tracks += playlists.Current.Tracks.Count;
                if (playlists.Current.Pid == bigPid)
                {
                    Assert.Equal(bigTracks, playlists.Current.Tracks.Count);
                    Assert.Equal($"track {bigTracks - 1} of {bigPid}", playlists.Current.Tracks[^1].TrackName);
                }
            }
            while (playlists.MoveNext());

            Assert.Equal(count, expectedPid);
            Assert.Equal(((count - 1) * 5L) + bigTracks, tracks);
            Assert.Equal((count, 0L), (report.Records, report.Skipped));
            Assert.True(fileLength > 20 * 1024 * 1024, $"the generated slice is only {fileLength} bytes");
            Assert.True(readForFirst <= 1024 * 1024, $"{readForFirst} bytes were read before the first playlist came back");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Read_WhenCancelled_ThrowsOperationCanceled()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => MpdSliceReader.Read(ValidSlice, ReadOptions.Strict, new ReadReport(), cancellation.Token).ToList());
    }

    [Fact]
    public void FindSlices_WhenSlicesInDirectoryAndDataFolder_OrdersByNumericRangeStart()
    {
        var root = Directory.CreateTempSubdirectory("mpd-find-").FullName;
        try
        {
            var data = Directory.CreateDirectory(Path.Combine(root, "data")).FullName;
            foreach (var file in new[] { Path.Combine(root, "mpd.slice.1000-1999.json"), Path.Combine(data, "mpd.slice.2000-2999.json"), Path.Combine(root, "mpd.slice.10000-10999.json"), Path.Combine(data, "mpd.slice.0-999.json"), Path.Combine(root, "challenge_set.json"), Path.Combine(root, "mpd.slice.0-999.txt") })
            {
                File.WriteAllText(file, "{}");
            }

            var slices = MpdSliceReader.FindSlices(root);

            Assert.Equal(
                ["data/mpd.slice.0-999.json", "mpd.slice.1000-1999.json", "data/mpd.slice.2000-2999.json", "mpd.slice.10000-10999.json"],
                slices.Select(s => Path.GetRelativePath(root, s).Replace('\\', '/')));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void FindSlices_WhenDirectoryDoesNotExist_ThrowsDirectoryNotFound()
    {
        var missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"));

        var exception = Assert.Throws<DirectoryNotFoundException>(() => MpdSliceReader.FindSlices(missing));

        Assert.Contains(missing, exception.Message, StringComparison.Ordinal);
    }

    private static void AssertSamePlaylists(List<MpdPlaylist> expected, List<MpdPlaylist> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i] with { Tracks = [] }, actual[i] with { Tracks = [] });
            Assert.Equal(expected[i].Tracks, actual[i].Tracks);
        }
    }

    // A slice in the real layout (info first, indented); every playlist has 5 tracks except one with bigTracks,
    // which is larger than the reader's initial buffer.
    private static void WriteSlice(string path, int count, int bigPid, int bigTracks)
    {
        using var file = File.Create(path);
        using var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartObject("info");
        json.WriteString("slice", $"0-{count - 1}");
        json.WriteEndObject();
        json.WriteStartArray("playlists");
        for (var pid = 0; pid < count; pid++)
        {
            json.WriteStartObject();
            json.WriteString("name", $"playlist {pid}");
            json.WriteString("collaborative", pid % 2 == 0 ? "false" : "true");
            json.WriteNumber("pid", pid);
            json.WriteNumber("modified_at", 1493424000 + pid);
            json.WriteStartArray("tracks");
            var tracks = pid == bigPid ? bigTracks : 5;
            for (var pos = 0; pos < tracks; pos++)
            {
                json.WriteStartObject();
                json.WriteNumber("pos", pos);
                json.WriteString("artist_name", $"artist {pos % 7}");
                json.WriteString("track_uri", $"spotify:track:{pid:D6}{pos:D16}");
                json.WriteString("artist_uri", $"spotify:artist:{pos % 7:D22}");
                json.WriteString("track_name", $"track {pos} of {pid}");
                json.WriteString("album_uri", $"spotify:album:{pos % 3:D22}");
                json.WriteNumber("duration_ms", 200000 + pos);
                json.WriteString("album_name", $"album {pos % 3}");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("num_tracks", tracks);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}

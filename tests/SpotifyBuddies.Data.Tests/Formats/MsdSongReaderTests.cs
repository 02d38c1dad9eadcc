using System.Text;
using SpotifyBuddies.Data.Formats;

namespace SpotifyBuddies.Data.Tests.Formats;

public sealed class MsdSongReaderTests
{
    private static readonly string UniqueTracks = FormatTestData.Fixture("msd", "unique_tracks.txt");
    private static readonly string UniqueTracksMalformed = FormatTestData.Fixture("msd", "unique_tracks.malformed.txt");
    private static readonly string SongData = FormatTestData.Fixture("msd", "song_data.csv");
    private static readonly string SongDataMalformed = FormatTestData.Fixture("msd", "song_data.malformed.csv");

    private static readonly MsdSong[] ExpectedSongData =
    [
        new() { SongId = "SOQMMHC12AB0180CB8", Title = "Silent Night", Release = "Monster Ballads X-Mas", ArtistName = "Faster Pussy cat", Year = 2003 },
        new() { SongId = "SOVFVAK12A8C1350D9", Title = "Tanssi vaan", Release = "Karkuteillä", ArtistName = "Karkkiautomaatti", Year = 1995 },
        new() { SongId = "SOHSBXH12A8C13B0DF", Title = "Tangle Of Aspens", Release = "Loaded Like A Gun, Vol. 1", ArtistName = "Tiger Lou", Year = 0 },
        new() { SongId = "SOZVAPQ12A8C13B63C", Title = "Symphony No. 1 \"Titan\"", Release = "Mahler: Symphonies", ArtistName = "Gustav Mahler", Year = null },
        new() { SongId = "SOQVRHI12A6D4FB2D7", Title = "Line one\nline two", Release = "", ArtistName = "", Year = 2004 },
    ];

    [Fact]
    public void Read_WhenUniqueTracksFile_ReturnsEverySongWithExactValues()
    {
        var report = new ReadReport();

        var songs = MsdSongReader.Read(UniqueTracks, ReadOptions.Strict, report).ToList();

        Assert.Equal(
            [
                new MsdSong { TrackId = "TRMMMYQ128F932D901", SongId = "SOQMMHC12AB0180CB8", ArtistName = "Faster Pussy cat", Title = "Silent Night" },
                new MsdSong { TrackId = "TRMMMKD128F425225D", SongId = "SOVFVAK12A8C1350D9", ArtistName = "Karkkiautomaatti", Title = "Tanssi vaan" },
                new MsdSong { TrackId = "TRMMMRX128F93187D9", SongId = "SOGTUKN12AB017F4F1", ArtistName = "Hudson Mohawke", Title = "No One Could Ever" },
                new MsdSong { TrackId = "TRMMMCH128F425532C", SongId = "SOBNYVR12A8C13558C", ArtistName = "Yerba Brava", Title = "Si Vos Querés" },
            ],
            songs);
        Assert.Equal(4, report.Records);
    }

    [Fact]
    public void Read_WhenSongDataCsv_HandlesQuotedCommasDoubledQuotesAndQuotedNewlines()
    {
        var report = new ReadReport();

        var songs = MsdSongReader.Read(SongData, ReadOptions.Strict, report).ToList();

        Assert.Equal(ExpectedSongData, songs);
        Assert.Equal((5L, 0L), (report.Records, report.Skipped));
    }

    [Fact]
    public void Read_WhenCsvContentHasNoCsvExtension_DetectsItFromTheHeader()
    {
        var path = Path.Combine(Path.GetTempPath(), $"songs-{Guid.NewGuid():N}.txt");
        try
        {
            File.WriteAllText(path, File.ReadAllText(SongData), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

            var songs = MsdSongReader.Read(path, ReadOptions.Strict, new ReadReport()).ToList();

            Assert.Equal(ExpectedSongData, songs);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Read_WhenCsvLineEndsAreCrlf_ReadsTheSameRecords()
    {
        var crlf = File.ReadAllText(SongData).ReplaceLineEndings("\r\n");

        var songs = MsdSongReader.Read(FormatTestData.Utf8(crlf), "crlf.csv", MsdFormat.SongDataCsv, ReadOptions.Strict, new ReadReport()).ToList();

        Assert.Equal(ExpectedSongData[..4], songs[..4]);
        Assert.Equal(ExpectedSongData[4] with { Title = "Line one\r\nline two" }, songs[4]);
    }

    [Fact]
    public void Read_WhenUniqueTracksMalformed_SkipsWithExactErrors()
    {
        var report = new ReadReport();

        var songs = MsdSongReader.Read(UniqueTracksMalformed, FormatTestData.Skip, report).ToList();

        Assert.Equal("TRMMMCH128F425532C", Assert.Single(songs).TrackId);
        Assert.Equal(
            [
                new DataFormatError(UniqueTracksMalformed, 1, 63, "title", "expected 4 fields separated by <SEP> (track_id, song_id, artist_name, title), found 3"),
                new DataFormatError(UniqueTracksMalformed, 2, 79, null, "expected 4 fields separated by <SEP> (track_id, song_id, artist_name, title), found 5"),
                new DataFormatError(UniqueTracksMalformed, 3, 24, "song_id", "the song id is empty"),
            ],
            report.Errors);
        Assert.Equal((1L, 3L), (report.Records, report.Skipped));
    }

    [Fact]
    public void Read_WhenSongDataMalformed_SkipsBadRowsAndStopsAtAnUnclosedQuote()
    {
        var report = new ReadReport();

        var songs = MsdSongReader.Read(SongDataMalformed, FormatTestData.Skip, report).ToList();

        Assert.Equal("SOQMMHC12AB0180CB8", Assert.Single(songs).SongId);
        Assert.Equal((1L, 7L), (report.Records, report.Skipped));
        Assert.Equal(
            [
                (3L, 73L, (string?)null),
                (4L, 35L, null),
                (5L, 1L, "song_id"),
                (6L, 61L, "year"),
                (7L, 35L, null),
                (8L, 59L, "year"),
                (9L, 20L, null),
            ],
            report.Errors.Select(e => (e.Line, e.Column, e.Field)));
        Assert.Equal(
            [
                "expected 5 fields (song_id,title,release,artist_name,year), found 6; a field containing a comma must be quoted",
                "unexpected quote in an unquoted field; a field containing quotes must be quoted whole, with each quote doubled (\"\")",
                "the song id is empty",
                "expected a non-negative integer year, found \"nineteen\"",
                "unexpected space after the closing quote of a field; a quote inside a quoted field must be doubled (\"\")",
                "expected 5 fields (song_id,title,release,artist_name,year), found 4",
                "a quoted field is not closed before the end of the file",
            ],
            report.Errors.Select(e => e.Message));
    }

    [Fact]
    public void Read_WhenStrictCsvRowIsBad_ThrowsNamingFileLineAndColumn()
    {
        var exception = Assert.Throws<DataFormatException>(() => MsdSongReader.Read(SongDataMalformed, ReadOptions.Strict, new ReadReport()).ToList());

        Assert.Equal((SongDataMalformed, 3L, 73L), (exception.Error.File, exception.Error.Line, exception.Error.Column));
        Assert.StartsWith($"{SongDataMalformed}:3:73: expected 5 fields", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WhenRecordSpansLines_CountsLinesForLaterErrors()
    {
        const string csv = "song_id,title,release,artist_name,year\n\nS1,\"two\nlines\",r,a,1999\n\nS2,t,r,a,-5\n";
        var report = new ReadReport();

        var songs = MsdSongReader.Read(FormatTestData.Utf8(csv), "lines.csv", MsdFormat.SongDataCsv, FormatTestData.Skip, report).ToList();

        Assert.Equal("two\nlines", Assert.Single(songs).Title);
        Assert.Equal(new DataFormatError("lines.csv", 6, 10, "year", "year must not be negative, found -5"), Assert.Single(report.Errors));
    }

    [Fact]
    public void Read_WhenHeaderColumnsAreReordered_MapsThemByName()
    {
        const string csv = "year,artist_name,title,song_id\n1999,\"Artist, The\",Song,SOX\n";

        var song = Assert.Single(MsdSongReader.Read(FormatTestData.Utf8(csv), "reordered.csv", MsdFormat.SongDataCsv, ReadOptions.Strict, new ReadReport()));

        Assert.Equal(new MsdSong { SongId = "SOX", Title = "Song", ArtistName = "Artist, The", Year = 1999, Release = null }, song);
    }

    [Fact]
    public void Read_WhenHeaderLacksARequiredColumn_ReportsTheHeaderAndReadsNothing()
    {
        const string csv = "song_id,name,artist_name\nS1,Song,Artist\n";
        var report = new ReadReport();

        var songs = MsdSongReader.Read(FormatTestData.Utf8(csv), "header.csv", MsdFormat.SongDataCsv, FormatTestData.Skip, report).ToList();

        Assert.Empty(songs);
        var error = Assert.Single(report.Errors);
        Assert.Equal(("header.csv", 1L, 1L, "title"), (error.File, error.Line, error.Column, error.Field));
        Assert.StartsWith("the header has no 'title' column; expected the header song_id,title,release,artist_name,year", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WhenUniqueTracksHaveCrlfAndBlankLines_IgnoresThem()
    {
        const string text = "TR1<SEP>SO1<SEP>Artist<SEP>Title\r\n\r\nTR2<SEP>SO2<SEP>Artist 2<SEP>Title 2\r\n";

        var songs = MsdSongReader.Read(FormatTestData.Utf8(text), "u.txt", MsdFormat.UniqueTracks, ReadOptions.Strict, new ReadReport()).ToList();

        Assert.Equal(["Title", "Title 2"], songs.Select(s => s.Title));
    }

    [Fact]
    public void Read_WhenCancelled_ThrowsOperationCanceled()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => MsdSongReader.Read(SongData, ReadOptions.Strict, new ReadReport(), cancellation.Token).ToList());
    }
}

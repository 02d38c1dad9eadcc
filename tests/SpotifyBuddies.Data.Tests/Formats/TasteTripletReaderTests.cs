using SpotifyBuddies.Data.Formats;

namespace SpotifyBuddies.Data.Tests.Formats;

public sealed class TasteTripletReaderTests
{
    private const string UserA = "b80344d063b5ccb3212f76538f3d9e43d87dca9e";
    private const string UserB = "85c1f87fea955d09b4bec2e36aee110927aedf9a";
    private const string UserC = "bd4c6e843f00bd476847fb75c47b4fb430a06856";
    private static readonly string Valid = FormatTestData.Fixture("entp", "train_triplets.txt");
    private static readonly string Malformed = FormatTestData.Fixture("entp", "train_triplets.malformed.txt");

    [Fact]
    public void Read_WhenValidFile_ReturnsEveryTripletWithExactValues()
    {
        var report = new ReadReport();

        var triplets = TasteTripletReader.Read(Valid, ReadOptions.Strict, report).ToList();

        Assert.Equal(
            [
                new TasteTriplet(UserA, "SOAKIMP12A8C130995", 1),
                new TasteTriplet(UserA, "SOAPDEY12A81C210A9", 1),
                new TasteTriplet(UserA, "SOBBMDR12A8C13253B", 2),
                new TasteTriplet(UserB, "SOBFNSP12AF72A0E22", 1),
                new TasteTriplet(UserB, "SOBFOVM12A58A7D494", 17),
                new TasteTriplet(UserC, "SOBONKR12A58A7A7E0", 0),
            ],
            triplets);
        Assert.Equal((6L, 0L), (report.Records, report.Skipped));
    }

    [Fact]
    public void Read_WhenConsecutiveLinesHaveTheSameUser_SharesOneUserIdString()
    {
        var triplets = TasteTripletReader.Read(Valid, ReadOptions.Strict, new ReadReport()).ToList();

        Assert.Same(triplets[0].UserId, triplets[2].UserId);
        Assert.NotSame(triplets[2].UserId, triplets[3].UserId);
    }

    [Fact]
    public void Read_WhenStrictAndALineIsMalformed_ThrowsNamingFileLineColumnAndField()
    {
        var read = new List<TasteTriplet>();

        var exception = Assert.Throws<DataFormatException>(() =>
        {
            foreach (var triplet in TasteTripletReader.Read(Malformed, ReadOptions.Strict, new ReadReport()))
            {
                read.Add(triplet);
            }
        });

        Assert.Single(read);
        Assert.Equal(
            new DataFormatError(Malformed, 2, 60, "play_count", "expected 3 tab-separated columns (user, song_id, play_count), found 2"),
            exception.Error);
        Assert.Equal($"{Malformed}:2:60: field 'play_count': expected 3 tab-separated columns (user, song_id, play_count), found 2", exception.Message);
    }

    [Fact]
    public void Read_WhenSkipBad_SkipsAndCountsEveryMalformedLine()
    {
        var report = new ReadReport();

        var triplets = TasteTripletReader.Read(Malformed, FormatTestData.Skip, report).ToList();

        Assert.Equal([new TasteTriplet(UserA, "SOAKIMP12A8C130995", 1), new TasteTriplet(UserC, "SOBONKR12A58A7A7E0", 5)], triplets);
        Assert.Equal((2L, 7L), (report.Records, report.Skipped));
        Assert.Equal(
            [
                new DataFormatError(Malformed, 2, 60, "play_count", "expected 3 tab-separated columns (user, song_id, play_count), found 2"),
                new DataFormatError(Malformed, 4, 61, "play_count", "play count must not be negative, found -2"),
                new DataFormatError(Malformed, 5, 61, "play_count", "expected a non-negative integer play count, found \"many\""),
                new DataFormatError(Malformed, 6, 1, "user", "the user id is empty"),
                new DataFormatError(Malformed, 7, 42, "song_id", "the song id is empty"),
                new DataFormatError(Malformed, 8, 63, null, "expected 3 tab-separated columns (user, song_id, play_count), found 4"),
                new DataFormatError(Malformed, 9, 61, "play_count", $"play count 99999999999 is too large (at most {int.MaxValue})"),
            ],
            report.Errors);
    }

    [Fact]
    public void Read_WhenMoreErrorsThanKept_CountsAllButKeepsTheFirst()
    {
        var report = new ReadReport();

        _ = TasteTripletReader.Read(Malformed, new ReadOptions { SkipBad = true, MaxErrorsKept = 2 }, report).ToList();

        Assert.Equal(7, report.Skipped);
        Assert.Equal([2L, 4L], report.Errors.Select(e => e.Line));
    }

    [Fact]
    public void Read_WhenCrlfLineEndsAndBlankLines_IgnoresThemAndKeepsLineNumbers()
    {
        const string text = "u1\ts1\t3\r\n\r\n   \r\nu2\ts2\tx\r\nu3\ts3\t12\r\n";
        var report = new ReadReport();

        var triplets = TasteTripletReader.Read(FormatTestData.Utf8(text), "crlf.txt", FormatTestData.Skip, report).ToList();

        Assert.Equal([new TasteTriplet("u1", "s1", 3), new TasteTriplet("u3", "s3", 12)], triplets);
        Assert.Equal(new DataFormatError("crlf.txt", 4, 7, "play_count", "expected a non-negative integer play count, found \"x\""), Assert.Single(report.Errors));
    }

    [Theory]
    [InlineData("u\ts", 1, 4, "play_count", "found 2")]
    [InlineData("just-a-user", 1, 12, "song_id", "found 1")]
    [InlineData("u\ts\t", 1, 5, "play_count", "play count is empty; expected a non-negative integer")]
    [InlineData("u\ts\t1.5", 1, 5, "play_count", "expected a non-negative integer play count, found \"1.5\"")]
    [InlineData("u\ts\t+4", 1, 5, "play_count", "found \"+4\"")]
    [InlineData(" \ts\t4", 1, 1, "user", "the user id is empty")]
    public void Read_WhenLineIsMalformed_NamesColumnAndField(string line, long lineNumber, long column, string? field, string messagePart)
    {
        var exception = Assert.Throws<DataFormatException>(() => TasteTripletReader.Read(FormatTestData.Utf8(line), "t.txt", ReadOptions.Strict, new ReadReport()).ToList());

        Assert.Equal((lineNumber, column, field), (exception.Error.Line, exception.Error.Column, exception.Error.Field));
        Assert.Contains(messagePart, exception.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WhenCancelled_ThrowsOperationCanceled()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => TasteTripletReader.Read(Valid, ReadOptions.Strict, new ReadReport(), cancellation.Token).ToList());
    }

    [Fact]
    public void Read_WhenFileDoesNotExist_ThrowsIoErrorNotFormatError()
    {
        var missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "train_triplets.txt");

        Assert.ThrowsAny<IOException>(() => TasteTripletReader.Read(missing, FormatTestData.Skip, new ReadReport()).ToList());
    }
}

using System.Text;
using SpotifyBuddies.Data.Formats;

namespace SpotifyBuddies.Data.Tests.Synthetic;

public sealed class MsdSongWriterTests
{
    private static readonly MsdSong Song = new()
    {
        SongId = "SOQMMHC12AB0180CBB",
        TrackId = "TRMMMYQ128F932D901",
        Title = "Silent Night",
        ArtistName = "Faster Pussy cat",
        Release = "Monster Ballads X-Mas",
        Year = 2003,
    };

    [Fact]
    public void WriteAll_WhenUniqueTracks_WritesSepSeparatedLinesInMsdOrder()
    {
        Assert.Equal(
            "TRMMMYQ128F932D901<SEP>SOQMMHC12AB0180CBB<SEP>Faster Pussy cat<SEP>Silent Night\n",
            Write(MsdSongFileFormat.UniqueTracks, Song));
    }

    [Fact]
    public void WriteAll_WhenSongDataCsv_WritesHeaderThenRows()
    {
        Assert.Equal(
            "song_id,title,release,artist_name,year\nSOQMMHC12AB0180CBB,Silent Night,Monster Ballads X-Mas,Faster Pussy cat,2003\n",
            Write(MsdSongFileFormat.SongDataCsv, Song));
    }

    [Fact]
    public void WriteAll_WhenCsvFieldsHoldCommasAndQuotes_QuotesOnlyThoseFields()
    {
        var song = Song with { Title = "Hello, Goodbye", ArtistName = "The \"Real\" Band", Release = null, Year = null };

        Assert.Equal(
            "song_id,title,release,artist_name,year\nSOQMMHC12AB0180CBB,\"Hello, Goodbye\",,\"The \"\"Real\"\" Band\",0\n",
            Write(MsdSongFileFormat.SongDataCsv, song));
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData(" spaced ", " spaced ")]
    [InlineData("", "")]
    public void EscapeCsvField_WhenGivenAField_FollowsRfc4180(string field, string expected)
    {
        Assert.Equal(expected, MsdSongWriter.EscapeCsvField(field));
    }

    [Fact]
    public void Write_WhenUniqueTracksHasNoTrackId_Throws()
    {
        using var stream = new MemoryStream();
        using var writer = new MsdSongWriter(stream, MsdSongFileFormat.UniqueTracks, leaveOpen: true);

        Assert.Throws<ArgumentException>(() => writer.Write(Song with { TrackId = null }));
    }

    [Theory]
    [InlineData("a<SEP>b")]
    [InlineData("line\nbreak")]
    public void Write_WhenAUniqueTracksFieldWouldBreakTheFormat_Throws(string title)
    {
        using var stream = new MemoryStream();
        using var writer = new MsdSongWriter(stream, MsdSongFileFormat.UniqueTracks, leaveOpen: true);

        Assert.Throws<ArgumentException>(() => writer.Write(Song with { Title = title }));
        Assert.Equal(0, writer.RowsWritten);
    }

    private static string Write(MsdSongFileFormat format, MsdSong song)
    {
        using var stream = new MemoryStream();
        Assert.Equal(1, MsdSongWriter.WriteAll(stream, format, [song]));
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}

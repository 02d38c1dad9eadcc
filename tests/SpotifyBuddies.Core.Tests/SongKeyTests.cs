using SpotifyBuddies.Core.Interactions;

namespace SpotifyBuddies.Core.Tests;

public sealed class SongKeyTests
{
    [Fact]
    public void TryCreate_WhenTitleAndArtistHaveCaseAndSpaces_NormalisesBoth()
    {
        var key = SongKey.TryCreate("  Mr. Brightside ", "THE Killers\t");

        Assert.Equal("mr. brightside@@the killers", key?.Value);
    }

    [Fact]
    public void TryCreate_WhenSameSongIsSpelledDifferently_GivesEqualKeys()
    {
        Assert.Equal(SongKey.TryCreate("Hey Jude", "The Beatles"), SongKey.TryCreate(" hey jude", "the beatles "));
    }

    [Theory]
    [InlineData(null, "Artist")]
    [InlineData("Title", null)]
    [InlineData("   ", "Artist")]
    [InlineData("Title", "")]
    public void TryCreate_WhenTitleOrArtistIsBlank_ReturnsNull(string? title, string? artist)
    {
        Assert.Null(SongKey.TryCreate(title, artist));
    }

    [Fact]
    public void TryCreate_WhenTitleHasTurkishI_LowersInvariantly()
    {
        Assert.Equal("istanbul@@i", SongKey.TryCreate("ISTANBUL", "I")?.Value);
    }
}

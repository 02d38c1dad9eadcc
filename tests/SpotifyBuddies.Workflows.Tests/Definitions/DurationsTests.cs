using SpotifyBuddies.Workflows.Definitions;

namespace SpotifyBuddies.Workflows.Tests.Definitions;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("500ms", "500ms")]
    [InlineData("90s", "1m30s")]
    [InlineData("1h30m", "1h30m")]
    [InlineData("1d2h3m4s5ms", "1d2h3m4s5ms")]
    [InlineData("48h", "2d")]
    public void Format_IsReadBackByTryParse(string text, string formatted)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(formatted, Durations.Format(value));
        Assert.True(Durations.TryParse(formatted, out var again));
        Assert.Equal(value, again);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("h")]
    [InlineData("1H")]
    [InlineData("1h 30m")]
    public void TryParse_RefusesMalformedText(string? text) => Assert.False(Durations.TryParse(text, out _));
}

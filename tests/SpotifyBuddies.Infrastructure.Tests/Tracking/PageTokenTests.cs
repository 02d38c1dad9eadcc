using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Infrastructure.Tracking;

namespace SpotifyBuddies.Infrastructure.Tests.Tracking;

public sealed class PageTokenTests
{
    [Fact]
    public void Encode_WritesMlflowsFormat() => Assert.Equal("eyJvZmZzZXQiOiAxfQ==", PageToken.Encode(1)); // as recorded (R25)

    [Theory]
    [InlineData(null, 0)]
    [InlineData("", 0)]
    [InlineData("eyJvZmZzZXQiOiAzfQ==", 3)]
    public void Decode_ReadsOffsets(string? token, int offset) => Assert.Equal(offset, PageToken.Decode(token));

    [Theory]
    [InlineData("not-a-token", "base64")]
    [InlineData("e30=", "no offset")] // {}
    public void Decode_RefusesForeignTokens(string token, string expected)
    {
        var error = Assert.Throws<TrackingException>(() => PageToken.Decode(token));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}

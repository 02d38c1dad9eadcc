namespace SpotifyBuddies.Infrastructure.Tests.Artifacts.Testing;

public sealed class TestS3Tests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("", "false")]
    [InlineData("  ", "")]
    public void SkipReason_WhenTheEndpointIsUnsetOutsideCi_SkipsNamingTheVariable(string? endpoint, string? ci)
    {
        var reason = TestS3.SkipReason(endpoint, ci);

        Assert.NotNull(reason);
        Assert.Contains(TestS3.EndpointVariable, reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("TRUE")]
    public void SkipReason_WhenTheEndpointIsUnsetInCi_RunsTheTestSoItFails(string ci)
    {
        Assert.Null(TestS3.SkipReason(null, ci));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("true")]
    public void SkipReason_WhenTheEndpointIsSet_RunsTheTest(string? ci)
    {
        Assert.Null(TestS3.SkipReason("http://S3RVER:S3RVER@127.0.0.1:54568", ci));
    }

    [Fact]
    public void Parse_ReadsEndpointCredentialsAndScheme()
    {
        var plain = TestS3.Parse("http://S3RVER:S3RVER@127.0.0.1:54568");
        var tls = TestS3.Parse("https://key:p%40ss%3Aword@minio.example.com");

        Assert.Equal(("127.0.0.1:54568", "S3RVER", "S3RVER", false), (plain.Endpoint, plain.AccessKey, plain.SecretKey, plain.Secure));
        Assert.Equal(("minio.example.com", "key", "p@ss:word", true), (tls.Endpoint, tls.AccessKey, tls.SecretKey, tls.Secure));
    }

    [Theory]
    [InlineData("127.0.0.1:54568")]
    [InlineData("ftp://a:b@host:1")]
    [InlineData("http://host:1")]
    [InlineData("http://a:b@host:1/bucket")]
    public void Parse_WhenTheValueIsMalformed_ShowsTheExpectedFormWithoutEchoingIt(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => TestS3.Parse(value));

        Assert.Contains("http://ACCESS:SECRET@host:port", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(value, error.Message, StringComparison.Ordinal);
    }
}

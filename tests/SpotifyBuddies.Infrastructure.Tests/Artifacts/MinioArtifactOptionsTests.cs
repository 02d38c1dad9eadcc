using SpotifyBuddies.Infrastructure.Artifacts;

namespace SpotifyBuddies.Infrastructure.Tests.Artifacts;

public sealed class MinioArtifactOptionsTests
{
    [Theory]
    [InlineData("minio:9000")]
    [InlineData("127.0.0.1:4568")]
    [InlineData("s3.example.com")]
    [InlineData("[::1]:9000")]
    public void Validate_WhenEverythingIsSet_Succeeds(string endpoint)
    {
        var result = Validate(Valid(o => o.Endpoint = endpoint));

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("http://minio:9000", "without a scheme")]
    [InlineData("minio:9000/path", "no path")]
    [InlineData("user@minio:9000", "no path, user or query")]
    [InlineData("minio:0", "invalid port")]
    [InlineData("minio:70000", "invalid port")]
    [InlineData("minio:abc", "Endpoint 'minio:abc'")]
    public void Validate_WhenTheEndpointIsNotHostAndPort_SaysWhy(string endpoint, string expected)
    {
        var result = Validate(Valid(o => o.Endpoint = endpoint));

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Artifacts")]
    [InlineData("-artifacts")]
    [InlineData("artifacts-")]
    [InlineData("my_bucket")]
    [InlineData("a..b")]
    [InlineData("a.-b")]
    [InlineData("192.168.1.10")]
    public void Validate_WhenTheBucketBreaksS3NamingRules_NamesTheBucket(string bucket)
    {
        var result = Validate(Valid(o => o.Bucket = bucket));

        Assert.True(result.Failed);
        Assert.Contains($"Bucket '{bucket}'", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/team")]
    [InlineData("team/")]
    [InlineData("team//prod")]
    [InlineData("../team")]
    public void Validate_WhenThePrefixIsNotAKeyPrefix_SaysSo(string prefix)
    {
        var result = Validate(Valid(o => o.Prefix = prefix));

        Assert.True(result.Failed);
        Assert.Contains("Prefix is not a valid artifact key prefix", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WhenRequiredValuesAreMissing_ListsEachOne()
    {
        var result = Validate(new MinioArtifactOptions());

        Assert.True(result.Failed);
        Assert.Contains("Endpoint", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("AccessKey", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("SecretKey", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Bucket", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WhenTheTimeoutIsNotPositive_SaysSo()
    {
        var result = Validate(Valid(o => o.RequestTimeout = TimeSpan.Zero));

        Assert.True(result.Failed);
        Assert.Contains("RequestTimeout must be more than 0", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Location_IsTheBucketUri_WithThePrefix()
    {
        Assert.Equal("s3://artifacts", Valid(_ => { }).Location);
        Assert.Equal("s3://artifacts/team/prod", Valid(o => o.Prefix = "team/prod").Location);
    }

    [Fact]
    public void MinioArtifactStore_WithInvalidOptions_RefusesToBeCreated()
    {
        var error = Assert.Throws<ArgumentException>(() => new MinioArtifactStore(Valid(o => o.Bucket = "No")));

        Assert.Contains("Bucket 'No'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MinioArtifactStore_IsCreatedWithoutContactingTheServer()
    {
        using var store = new MinioArtifactStore(Valid(o => o.Endpoint = "127.0.0.1:9"));

        Assert.Equal("s3://artifacts", store.Location);
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(MinioArtifactOptions options) =>
        new MinioArtifactOptionsValidator().Validate(null, options);

    private static MinioArtifactOptions Valid(Action<MinioArtifactOptions> change)
    {
        var options = new MinioArtifactOptions { Endpoint = "minio:9000", AccessKey = "key", SecretKey = "secret", Bucket = "artifacts" };
        change(options);
        return options;
    }
}

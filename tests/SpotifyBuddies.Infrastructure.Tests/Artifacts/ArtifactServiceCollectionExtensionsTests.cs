using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SpotifyBuddies.Core.Artifacts;
using SpotifyBuddies.Infrastructure.Artifacts;

namespace SpotifyBuddies.Infrastructure.Tests.Artifacts;

public sealed class ArtifactServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddLocalArtifacts_RegistersOneLocalStoreAsTheArtifactStore()
    {
        var root = Path.Combine(Path.GetTempPath(), $"sb-di-{Guid.NewGuid():N}");
        await using var provider = new ServiceCollection().AddLogging().AddLocalArtifacts(root).BuildServiceProvider();

        var store = provider.GetRequiredService<IArtifactStore>();

        var local = Assert.IsType<LocalDirectoryArtifactStore>(store);
        Assert.Same(local, provider.GetRequiredService<LocalDirectoryArtifactStore>());
        Assert.Equal(new Uri(root).AbsoluteUri, store.Location);
    }

    [Fact]
    public async Task AddMinioArtifacts_RegistersOneMinioStoreAsTheArtifactStore()
    {
        var options = new MinioArtifactOptions { Endpoint = "minio:9000", AccessKey = "k", SecretKey = "s", Bucket = "artifacts", Prefix = "prod" };
        await using var provider = new ServiceCollection().AddLogging().AddMinioArtifacts(options).BuildServiceProvider();

        var store = provider.GetRequiredService<IArtifactStore>();

        var minio = Assert.IsType<MinioArtifactStore>(store);
        Assert.Same(minio, provider.GetRequiredService<MinioArtifactStore>());
        Assert.Equal("s3://artifacts/prod", store.Location);
    }

    [Fact]
    public void AddMinioArtifacts_WithInvalidOptions_FailsAtRegistration_ListingEveryProblem()
    {
        var options = new MinioArtifactOptions { Endpoint = "https://minio", Bucket = "X" };

        var error = Assert.Throws<OptionsValidationException>(() => new ServiceCollection().AddMinioArtifacts(options));

        Assert.Contains("without a scheme", error.Message, StringComparison.Ordinal);
        Assert.Contains("Bucket 'X'", error.Message, StringComparison.Ordinal);
        Assert.Contains("AccessKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddLocalArtifacts_WithAnEmptyRoot_FailsAtRegistration()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new ServiceCollection().AddLocalArtifacts(string.Empty));

        Assert.Contains("Root", error.Message, StringComparison.Ordinal);
    }
}

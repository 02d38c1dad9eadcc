using SpotifyBuddies.Infrastructure.Artifacts;

namespace SpotifyBuddies.Infrastructure.Tests.Artifacts;

public sealed class LocalArtifactOptionsTests
{
    [Fact]
    public void Validate_WhenTheRootIsMissing_SaysRootIsRequired()
    {
        var result = new LocalArtifactOptionsValidator().Validate(null, new LocalArtifactOptions());

        Assert.True(result.Failed);
        Assert.Contains("Root", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WhenTheRootIsAFile_NamesIt()
    {
        var file = Path.GetTempFileName();
        try
        {
            var result = new LocalArtifactOptionsValidator().Validate(null, new LocalArtifactOptions { Root = file });

            Assert.True(result.Failed);
            Assert.Contains($"Root '{file}' is a file", result.FailureMessage, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Validate_WhenTheRootIsTheFileSystemRoot_Refuses()
    {
        var result = new LocalArtifactOptionsValidator().Validate(null, new LocalArtifactOptions { Root = Path.GetPathRoot(Path.GetTempPath())! });

        Assert.True(result.Failed);
        Assert.Contains("file-system root", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void LocalDirectoryArtifactStore_ResolvesARelativeRootAgainstTheCurrentDirectory()
    {
        var store = new LocalDirectoryArtifactStore("relative/artifacts");

        Assert.Equal(Path.GetFullPath("relative/artifacts"), store.RootDirectory);
        Assert.False(Directory.Exists(store.RootDirectory)); // created on first write, not on construction
    }

    [Fact]
    public void LocalDirectoryArtifactStore_WithAnEmptyRoot_RefusesToBeCreated()
    {
        var error = Assert.Throws<ArgumentException>(() => new LocalDirectoryArtifactStore(" "));

        Assert.Contains("Root", error.Message, StringComparison.Ordinal);
    }
}

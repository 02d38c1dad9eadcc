using SpotifyBuddies.Core.Artifacts;

namespace SpotifyBuddies.Core.Tests.Artifacts;

public sealed class ArtifactKeysTests
{
    [Fact]
    public void Layout_helpers_build_the_documented_keys()
    {
        Assert.Equal("datasets/medium/abc123/manifest.json", ArtifactKeys.Dataset("medium", "abc123", "manifest.json"));
        Assert.Equal("models/bpr/7", ArtifactKeys.Model("bpr", "7"));
        Assert.Equal("runs/r1/artifacts/model/model.json", ArtifactKeys.Run("r1", "artifacts/model/model.json"));
        Assert.Equal("checkpoints/0123456789abcdef/epoch-0001.safetensors", ArtifactKeys.Checkpoint("0123456789abcdef", "epoch-0001.safetensors"));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("/abs/key", "start or end")]
    [InlineData("a/../b", "'..'")]
    [InlineData("a//b", "empty")]
    [InlineData("a/./b", "'.'")]
    [InlineData("a\\b", "segment")]
    [InlineData("a/b c", "segment")]
    public void Invalid_keys_say_why(string key, string reason)
    {
        var problem = ArtifactKeys.Problem(key);
        Assert.NotNull(problem);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ArtifactKeys.Validate(key));
    }

    [Fact]
    public void Overlong_keys_and_bad_prefixes_are_rejected()
    {
        Assert.NotNull(ArtifactKeys.Problem(new string('a', ArtifactKeys.MaxLength + 1)));
        Assert.Equal("runs/", ArtifactKeys.ValidatePrefix("runs/"));
        Assert.Equal("", ArtifactKeys.ValidatePrefix(""));
        Assert.Throws<ArgumentException>(() => ArtifactKeys.ValidatePrefix("../"));
    }
}

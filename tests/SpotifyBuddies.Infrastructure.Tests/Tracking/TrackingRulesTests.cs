using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Infrastructure.Tracking;

namespace SpotifyBuddies.Infrastructure.Tests.Tracking;

public sealed class TrackingRulesTests
{
    [Theory]
    [InlineData("val_mrr")]
    [InlineData("eval/hit_10")]
    [InlineData("train loss-2.b")]
    public void ValidateKey_AcceptsMlflowKeys(string key) => TrackingRules.ValidateKey("metric", key);

    [Theory]
    [InlineData("")]
    [InlineData("val*mrr")]
    [InlineData("val:mrr")] // 2.17.2 accepts ':', 2.12.2 refuses it (R13b): refused for both
    [InlineData("a/../b")]
    [InlineData("/abs")]
    [InlineData("a//b")]
    [InlineData("tab\tkey")]
    public void ValidateKey_RefusesWhatAnMlflowServerWouldRefuse(string key)
    {
        var error = Assert.Throws<TrackingException>(() => TrackingRules.ValidateKey("param", key));

        Assert.Equal(TrackingRules.InvalidParameterValue, error.ErrorCode);
    }

    [Fact]
    public void ValidateKey_RefusesKeysOver250Characters()
    {
        TrackingRules.ValidateKey("tag", new string('k', 250));
        Assert.Throws<TrackingException>(() => TrackingRules.ValidateKey("tag", new string('k', 251)));
    }

    [Theory]
    [InlineData("champion", true)]
    [InlineData("canary", true)]
    [InlineData("staging", true)]
    [InlineData("v1a", true)]
    [InlineData("latest", false)]
    [InlineData("LATEST", false)]
    [InlineData("v3", false)]
    [InlineData("V12", false)]
    [InlineData("has space", false)]
    [InlineData("", false)]
    public void ValidateAlias_FollowsMlflowsAliasRule(string alias, bool valid)
    {
        var error = Record.Exception(() => TrackingRules.ValidateAlias(alias));

        Assert.Equal(valid, error is null);
    }

    [Fact]
    public void ValidateBatch_MergesIdenticalParamsAndRefusesConflictingOnes()
    {
        var merged = TrackingRules.ValidateBatch([], [new("a", "1"), new("b", "2"), new("a", "1")], []);
        var conflict = Assert.Throws<TrackingException>(() => TrackingRules.ValidateBatch([], [new("a", "1"), new("a", "2")], []));

        Assert.Equal(["a", "b"], merged.Select(p => p.Key));
        Assert.Contains("'a'", conflict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateBatch_HonoursTheGivenTagLimit()
    {
        TrackingRules.ValidateBatch([], [], [new("t", new string('x', 8000))]);
        Assert.Throws<TrackingException>(() => TrackingRules.ValidateBatch([], [], [new("t", new string('x', 5001))], maxTagValueLength: 5000));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("/model/", "model")]
    [InlineData("model\\weights.bin", "model/weights.bin")]
    public void ValidateArtifactPath_NormalisesSeparators(string path, string expected) =>
        Assert.Equal(expected, TrackingRules.ValidateArtifactPath(path));

    [Theory]
    [InlineData("model/../../escape")]
    [InlineData("a b/c")]
    public void ValidateArtifactPath_RefusesEscapesAndOddNames(string path) =>
        Assert.Throws<TrackingException>(() => TrackingRules.ValidateArtifactPath(path));
}

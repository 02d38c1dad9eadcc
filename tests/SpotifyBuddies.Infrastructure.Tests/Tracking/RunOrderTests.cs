using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Infrastructure.Tracking;

namespace SpotifyBuddies.Infrastructure.Tests.Tracking;

public sealed class RunOrderTests
{
    private static TrackedRun Run(string id, long start, double? mrr = null, string? factors = null) => new()
    {
        RunId = id,
        ExperimentId = "1",
        RunName = id,
        Status = RunStatus.Finished,
        StartTime = DateTimeOffset.FromUnixTimeMilliseconds(start),
        ArtifactUri = "x",
        Metrics = mrr is { } m ? new Dictionary<string, double> { ["val_mrr"] = m } : new Dictionary<string, double>(),
        Params = factors is { } f ? new Dictionary<string, string> { ["factors"] = f } : new Dictionary<string, string>(),
    };

    private static readonly TrackedRun[] Runs = [Run("a", 1, 0.28, "32"), Run("b", 2, 0.35, "64"), Run("c", 3, 0.15), Run("d", 4), Run("e", 5, 0.35)];

    [Theory]
    [InlineData("metrics.val_mrr DESC", "e,b,a,c,d")] // tie 0.35: later start first; no metric: last
    [InlineData("metrics.val_mrr", "c,a,e,b,d")]
    [InlineData("metrics.`val_mrr` asc", "c,a,e,b,d")]
    [InlineData("params.factors DESC", "b,a,e,d,c")]
    [InlineData("attributes.start_time", "a,b,c,d,e")]
    [InlineData("start_time DESC", "e,d,c,b,a")]
    [InlineData("run_name DESC", "e,d,c,b,a")]
    public void Sorting_FollowsMlflowsOrderBy(string clause, string expected)
    {
        var sorted = Runs.Order(RunOrder.Parse([clause])).Select(r => r.RunId);

        Assert.Equal(expected.Split(','), sorted);
    }

    [Fact]
    public void Default_IsStartTimeDescending() =>
        Assert.Equal(["e", "d", "c", "b", "a"], Runs.Order(RunOrder.Parse([])).Select(r => r.RunId));

    [Theory]
    [InlineData("metrics.val_mrr SIDEWAYS")]
    [InlineData("attributes.owner")]
    [InlineData("datasets.x")]
    public void Parse_RefusesUnknownClauses(string clause) =>
        Assert.Throws<TrackingException>(() => RunOrder.Parse([clause]));
}

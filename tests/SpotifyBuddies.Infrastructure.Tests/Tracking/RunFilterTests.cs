using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Infrastructure.Tracking;

namespace SpotifyBuddies.Infrastructure.Tests.Tracking;

public sealed class RunFilterTests
{
    private static readonly TrackedRun Run = new()
    {
        RunId = "r1",
        ExperimentId = "1",
        RunName = "trial-a",
        Status = RunStatus.Finished,
        StartTime = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_001_000),
        EndTime = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_006_000),
        ArtifactUri = "memory://runs/r1/artifacts",
        Metrics = new Dictionary<string, double> { ["val_mrr"] = 0.28, ["eval/hit 10"] = 0.5 },
        Params = new Dictionary<string, string> { ["factors"] = "32" },
        Tags = new Dictionary<string, string> { ["mlflow.parentRunId"] = "p1", ["phase"] = "done" },
    };

    [Theory]
    [InlineData("", true)]
    [InlineData("metrics.val_mrr > 0.2", true)]
    [InlineData("metrics.val_mrr >= 0.28", true)]
    [InlineData("metrics.val_mrr < 0.28", false)]
    [InlineData("metrics.val_mrr <= 0.28 and metrics.val_mrr != 0.3", true)]
    [InlineData("metric.val_mrr = 0.28", true)]
    [InlineData("metrics.`eval/hit 10` = 0.5", true)]
    [InlineData("metrics.missing > 0", false)]
    [InlineData("metrics.missing != 0", false)]
    [InlineData("params.factors = '32'", true)]
    [InlineData("params.factors != '32'", false)]
    [InlineData("params.factors = \"32\"", true)]
    [InlineData("tags.`mlflow.parentRunId` = 'p1'", true)]
    [InlineData("tags.\"mlflow.parentRunId\" = 'p1' AND attributes.status = 'FINISHED'", true)]
    [InlineData("tags.mlflow.parentRunId = 'p2'", false)]
    [InlineData("attributes.run_name = 'trial-a'", true)]
    [InlineData("status = 'RUNNING'", false)]
    [InlineData("attributes.start_time >= 1700000001000 and attributes.end_time < 1700000006001", true)]
    [InlineData("run.run_id = 'r1'", true)]
    public void Matches_EvaluatesTheSupportedSubset(string filter, bool expected) =>
        Assert.Equal(expected, RunFilter.Parse(filter).Matches(Run));

    [Theory]
    [InlineData("params.factors = '32' OR params.factors = '64'", "'OR'")]
    [InlineData("params.factors > '32'", "comparator '>'")]
    [InlineData("metrics.val_mrr > 'high'", "number")]
    [InlineData("params.factors = 32", "quoted string")]
    [InlineData("tags.phase = 'done", "not closed")]
    [InlineData("datasets.x = 'y'", "unknown entity")]
    [InlineData("attributes.user = 'x'", "unsupported attribute")]
    [InlineData("metrics.val_mrr", "comparator")]
    public void Parse_RefusesWhatItCannotEvaluate_SayingWhy(string filter, string expected)
    {
        var error = Assert.Throws<TrackingException>(() => RunFilter.Parse(filter));

        Assert.Equal(TrackingRules.InvalidParameterValue, error.ErrorCode);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}

using System.Runtime.CompilerServices;
using SpotifyBuddies.Core.Tracking;

namespace SpotifyBuddies.Infrastructure.Tests.Tracking;

/// <summary>A tracker under test, opened for one scenario.</summary>
public interface ITrackerHarness : IAsyncDisposable
{
    IExperimentTracker Tracker { get; }

    IModelRegistry Registry { get; }

    /// <summary>The id of experiment <c>fixture-runs</c> that the run scenarios log into.</summary>
    Task<string> RunsExperimentIdAsync();

    /// <summary>Soft-deletes an experiment (not on the port; both backends can).</summary>
    Task DeleteExperimentAsync(string experimentId);

    /// <summary>Creates a model version with a description where the backend keeps one (the MLflow recording has one).</summary>
    Task<ModelVersion> CreateVersionAsync(string name, string source, string? runId, IReadOnlyDictionary<string, string>? tags, string? description);

    /// <summary>Backend-specific checks at the end of a scenario (the MLflow replay: every recorded request was made).</summary>
    void Verify();
}

/// <summary>
/// The one behavioural suite of <see cref="IExperimentTracker"/> and <see cref="IModelRegistry"/>, run against the local
/// tracker and against the MLflow client replaying the 2.12.2 and 2.17.2 recordings. The scenarios use the recording's
/// names, times and values, so the replayed server and the local tracker are driven the same way and must give the
/// same answers. Scenarios the recordings cannot serve are skipped for MLflow with the reason; their MLflow side is
/// covered against recorded exchanges and request shapes in the Mlflow test folder.
/// </summary>
public abstract class TrackerBehaviourSuite
{
    protected const long T0 = 1_700_000_000_000;
    protected const string ZeroRunId = "00000000000000000000000000000000";

    private static readonly string[] TrialNames = ["trial-a", "trial-b", "trial-c"];

    protected static readonly string ModelJson = "{\n  \"format\": \"bpr\",\n  \"factors\": 32,\n  \"items\": 1000,\n  \"files\": [\n    \"weights.bin\"\n  ]\n}";

    /// <summary>Opens the tracker for the scenario named by the calling test.</summary>
    protected abstract Task<ITrackerHarness> OpenAsync([CallerMemberName] string scenario = "");

    protected static DateTimeOffset Ms(long offset) => DateTimeOffset.FromUnixTimeMilliseconds(T0 + offset);

    // ---------------------------------------------------------------- experiments

    [Fact]
    public virtual async Task GetOrCreateExperiment_CalledTwice_ReturnsOneActiveExperiment()
    {
        await using var h = await OpenAsync();

        var first = await h.Tracker.GetOrCreateExperimentAsync("fixture-experiment");
        var second = await h.Tracker.GetOrCreateExperimentAsync("fixture-experiment");

        Assert.Equal(first.Id, second.Id);
        Assert.Equal("fixture-experiment", second.Name);
        Assert.Equal("active", second.LifecycleStage);
        Assert.NotEmpty(second.ArtifactLocation);
        h.Verify();
    }

    [Fact]
    public virtual async Task GetOrCreateExperiment_WhenDeleted_RestoresTheSameExperiment()
    {
        await using var h = await OpenAsync();
        var created = await h.Tracker.GetOrCreateExperimentAsync("fixture-experiment");

        await h.DeleteExperimentAsync(created.Id);
        var restored = await h.Tracker.GetOrCreateExperimentAsync("fixture-experiment");

        Assert.Equal(created.Id, restored.Id);
        Assert.Equal("active", restored.LifecycleStage);
        h.Verify();
    }

    // ---------------------------------------------------------------- runs

    [Fact]
    public virtual async Task CreateRun_WithAParent_NestsTheChildUnderIt()
    {
        await using var h = await OpenAsync();

        var (parent, a, _, _) = await CreateSweepAsync(h);
        var fetched = await h.Tracker.GetRunAsync(a.RunId);

        Assert.Null(parent.ParentRunId);
        Assert.Equal("sweep-parent", parent.RunName);
        Assert.Equal(parent.RunId, fetched.ParentRunId);
        Assert.Equal("trial-a", fetched.RunName);
        Assert.Equal("trial-a", fetched.Tags[TrackingTags.RunName]);
        Assert.Equal("Buddies.Training", fetched.Tags[TrackingTags.Source]);
        Assert.Equal("fixture-user", fetched.Tags[TrackingTags.User]);
        Assert.Equal(RunStatus.Running, fetched.Status);
        Assert.Equal(Ms(1000), fetched.StartTime);
        Assert.Null(fetched.EndTime);
        Assert.Empty(fetched.Metrics);
        Assert.Empty(fetched.Params);
        Assert.Contains(a.RunId, fetched.ArtifactUri, StringComparison.Ordinal);
        h.Verify();
    }

    [Fact]
    public virtual async Task LogBatch_KeepsParamsImmutableOverwritesTagsAndShowsTheLatestMetric()
    {
        await using var h = await OpenAsync();
        var (_, a, _, _) = await CreateSweepAsync(h, children: 1);
        await LogTrialAAsync(h, a.RunId);

        await h.Tracker.LogBatchAsync(a.RunId, parameters: [new("learning_rate", "0.05")]); // same value: fine
        var changed = await Assert.ThrowsAnyAsync<TrackingException>(() => h.Tracker.LogBatchAsync(a.RunId, parameters: [new("learning_rate", "0.01")]));
        await h.Tracker.LogBatchAsync(a.RunId, tags: [new("phase", "done")]);
        await h.Tracker.UpdateRunAsync(a.RunId, RunStatus.Finished, Ms(6000));
        var run = await h.Tracker.GetRunAsync(a.RunId);

        Assert.Equal("INVALID_PARAMETER_VALUE", changed.ErrorCode);
        Assert.Contains("learning_rate", changed.Message, StringComparison.Ordinal);
        Assert.Contains("not allowed", changed.Message, StringComparison.Ordinal);
        Assert.Equal(new Dictionary<string, string> { ["factors"] = "32", ["learning_rate"] = "0.05", ["epochs"] = "5" }, run.Params);
        Assert.Equal("done", run.Tags["phase"]);
        Assert.Equal("trial-a", run.Tags["trial"]);
        Assert.Equal(0.28, run.Metrics["val_mrr"]); // the value at the highest step, not the best (0.30)
        Assert.Equal(0.5, run.Metrics["train_loss"]);
        Assert.Equal(RunStatus.Finished, run.Status);
        Assert.Equal(Ms(6000), run.EndTime);
        h.Verify();
    }

    [Fact]
    public virtual async Task GetMetricHistory_ReturnsEveryPointInStepOrder()
    {
        await using var h = await OpenAsync();
        var (_, a, _, _) = await CreateSweepAsync(h, children: 1);
        await LogTrialAAsync(h, a.RunId);

        var history = await h.Tracker.GetMetricHistoryAsync(a.RunId, "val_mrr");

        Assert.Equal([0.1, 0.2, 0.25, 0.3, 0.28], history.Select(p => p.Value));
        Assert.Equal([0L, 1, 2, 3, 4], history.Select(p => p.Step));
        Assert.Equal(Ms(1100), history[0].Timestamp);
        Assert.All(history, p => Assert.Equal("val_mrr", p.Key));
        h.Verify();
    }

    [Fact]
    public virtual async Task GetMetricHistory_OfAnUnknownKey_IsEmpty()
    {
        await using var h = await OpenAsync();
        var (_, a, _, _) = await CreateSweepAsync(h, children: 1);
        await LogTrialAAsync(h, a.RunId);

        Assert.Empty(await h.Tracker.GetMetricHistoryAsync(a.RunId, "nope"));
        h.Verify();
    }

    [Fact]
    public virtual async Task SearchRuns_FiltersByParentOrdersByMetricAndPages()
    {
        await using var h = await OpenAsync();
        var (parent, a, b, c) = await CreateSweepAsync(h);
        await LogTrialAAsync(h, a.RunId);
        await LogTrialBAsync(h, b.RunId);
        await LogTrialCAsync(h, c.RunId);
        await h.Tracker.LogBatchAsync(a.RunId, tags: [new("phase", "done")]);
        await h.Tracker.UpdateRunAsync(a.RunId, RunStatus.Finished, Ms(6000));
        await h.Tracker.UpdateRunAsync(b.RunId, RunStatus.Finished, Ms(7000));
        await h.Tracker.UpdateRunAsync(c.RunId, RunStatus.Finished, Ms(8000));

        var paged = new List<string>();
        var query = new RunQuery
        {
            ExperimentIds = [a.ExperimentId],
            Filter = $"tags.`mlflow.parentRunId` = '{parent.RunId}'",
            OrderBy = ["metrics.val_mrr DESC"],
            MaxResults = 1,
        };
        var pages = 0;
        do
        {
            var page = await h.Tracker.SearchRunsAsync(query);
            Assert.True(page.Runs.Count <= 1);
            paged.AddRange(page.Runs.Select(r => r.RunName!));
            query = query with { PageToken = page.NextPageToken };
            pages++;
        }
        while (query.PageToken is not null && pages < 10);

        var finished = await h.Tracker.SearchRunsAsync(new RunQuery
        {
            ExperimentIds = [a.ExperimentId],
            Filter = $"tags.\"mlflow.parentRunId\" = '{parent.RunId}' and attributes.status = 'FINISHED'",
            OrderBy = ["metrics.val_mrr DESC"],
            MaxResults = 10,
        });

        Assert.Equal(["trial-b", "trial-a", "trial-c"], paged);
        Assert.Equal(["trial-b", "trial-a", "trial-c"], finished.Runs.Select(r => r.RunName));
        Assert.Null(finished.NextPageToken);
        Assert.Equal(0.35, finished.Runs[0].Metrics["val_mrr"]);
        Assert.Equal("64", finished.Runs[0].Params["factors"]);
        Assert.All(finished.Runs, r => Assert.Equal(parent.RunId, r.ParentRunId));
        h.Verify();
    }

    [Fact]
    public virtual async Task SearchRuns_WithAGarbagePageToken_Throws()
    {
        await using var h = await OpenAsync();
        var (parent, _, _, _) = await CreateSweepAsync(h, children: 0);

        var error = await Assert.ThrowsAnyAsync<TrackingException>(() => h.Tracker.SearchRunsAsync(new RunQuery
        {
            ExperimentIds = [parent.ExperimentId],
            Filter = $"tags.`mlflow.parentRunId` = '{parent.RunId}'",
            OrderBy = ["metrics.val_mrr DESC"],
            MaxResults = 1,
            PageToken = "not-a-token",
        }));

        Assert.Equal("INVALID_PARAMETER_VALUE", error.ErrorCode);
        Assert.Contains("page token", error.Message, StringComparison.OrdinalIgnoreCase);
        h.Verify();
    }

    [Fact]
    public virtual async Task SearchRuns_WithOr_IsRefused()
    {
        await using var h = await OpenAsync();
        var (parent, _, _, _) = await CreateSweepAsync(h, children: 0);

        var error = await Assert.ThrowsAnyAsync<TrackingException>(() => h.Tracker.SearchRunsAsync(new RunQuery
        {
            ExperimentIds = [parent.ExperimentId],
            Filter = "params.factors = '32' OR params.factors = '64'",
        }));

        Assert.Equal("INVALID_PARAMETER_VALUE", error.ErrorCode);
        Assert.Contains("'OR'", error.Message, StringComparison.Ordinal);
        h.Verify();
    }

    [Fact]
    public virtual async Task UnknownRun_ThrowsNotFound_ForGetAndLog()
    {
        await using var h = await OpenAsync();

        await Assert.ThrowsAsync<TrackingNotFoundException>(() => h.Tracker.GetRunAsync(ZeroRunId));
        await Assert.ThrowsAsync<TrackingNotFoundException>(() => h.Tracker.LogBatchAsync(ZeroRunId, parameters: [new("a", "1")]));
        h.Verify();
    }

    [Theory]
    [InlineData("metric", "val*mrr")]
    [InlineData("metric", "val:mrr")]
    [InlineData("param", "bad*key")]
    [InlineData("tag", "../escape")]
    [InlineData("tag", "/absolute")]
    public virtual async Task LogBatch_WithAnInvalidKey_IsRefusedBeforeAnythingIsSent(string kind, string key)
    {
        await using var h = await OpenAsync();
        var (_, a, _, _) = await CreateSweepAsync(h, children: 1);

        var error = await Assert.ThrowsAnyAsync<TrackingException>(() => kind switch
        {
            "metric" => h.Tracker.LogBatchAsync(a.RunId, metrics: [new(key, 0.1, Ms(0), 0)]),
            "param" => h.Tracker.LogBatchAsync(a.RunId, parameters: [new(key, "1")]),
            _ => h.Tracker.LogBatchAsync(a.RunId, tags: [new(key, "1")]),
        });

        Assert.Equal("INVALID_PARAMETER_VALUE", error.ErrorCode);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        h.Verify();
    }

    [Fact]
    public virtual async Task LogBatch_WithOverlongValuesOrConflictingDuplicates_IsRefusedAndWritesNothing()
    {
        await using var h = await OpenAsync();
        var (_, a, _, _) = await CreateSweepAsync(h, children: 1);

        var longParam = await Assert.ThrowsAnyAsync<TrackingException>(() =>
            h.Tracker.LogBatchAsync(a.RunId, metrics: [new("ok", 1, Ms(0), 0)], parameters: [new("long", new string('x', 6001))]));
        var longTag = await Assert.ThrowsAnyAsync<TrackingException>(() =>
            h.Tracker.LogBatchAsync(a.RunId, tags: [new("long_tag", new string('y', 8001))]));
        var duplicate = await Assert.ThrowsAnyAsync<TrackingException>(() =>
            h.Tracker.LogBatchAsync(a.RunId, parameters: [new("dup", "1"), new("dup", "2")]));
        var run = await h.Tracker.GetRunAsync(a.RunId);

        Assert.Contains("6001", longParam.Message, StringComparison.Ordinal);
        Assert.Contains("8001", longTag.Message, StringComparison.Ordinal);
        Assert.Contains("dup", duplicate.Message, StringComparison.Ordinal);
        Assert.Empty(run.Metrics);
        Assert.Empty(run.Params);
        h.Verify();
    }

    [Fact]
    public virtual async Task LogBatch_LargerThanOneRequest_KeepsEveryItem()
    {
        await using var h = await OpenAsync();
        var (_, a, _, _) = await CreateSweepAsync(h, children: 1);
        var metrics = Enumerable.Range(0, 2500).Select(i => new MetricPoint("bulk", i / 10.0, Ms(10_000 + i), i)).ToList();
        var parameters = Enumerable.Range(0, 250).Select(i => new KeyValuePair<string, string>($"p{i:000}", $"v{i}")).ToList();
        var tags = Enumerable.Range(0, 150).Select(i => new KeyValuePair<string, string>($"t{i:000}", new string('t', 5000))).ToList();

        await h.Tracker.LogBatchAsync(a.RunId, metrics, parameters, tags);
        var history = await h.Tracker.GetMetricHistoryAsync(a.RunId, "bulk");
        var run = await h.Tracker.GetRunAsync(a.RunId);

        Assert.Equal(metrics.Select(m => m.Value), history.Select(p => p.Value));
        Assert.Equal(249.9, run.Metrics["bulk"]);
        Assert.Equal(250, run.Params.Count);
        Assert.Equal("v249", run.Params["p249"]);
        Assert.Equal(150, run.Tags.Count(t => t.Key.StartsWith('t')));
        h.Verify();
    }

    // ---------------------------------------------------------------- artifacts

    [Fact]
    public virtual async Task Artifacts_UploadedDirectory_IsListedAndDownloadedByteForByte()
    {
        await using var h = await OpenAsync();
        var (_, a, _, _) = await CreateSweepAsync(h, children: 1);
        using var temp = new TempDirectory();
        var source = temp.Create("upload/model");
        await File.WriteAllTextAsync(Path.Combine(source, "model.json"), ModelJson);
        var weights = Mlflow.RecordedExchange.ThreeMebibytes();
        await File.WriteAllBytesAsync(Path.Combine(source, "weights.bin"), weights);

        await h.Tracker.LogArtifactsAsync(a.RunId, Path.Combine(temp.Path, "upload"));
        var root = await h.Tracker.ListArtifactsAsync(a.RunId);
        var model = await h.Tracker.ListArtifactsAsync(a.RunId, "model");
        var missing = await h.Tracker.ListArtifactsAsync(a.RunId, "does-not-exist");
        await h.Tracker.DownloadArtifactsAsync(a.RunId, "model", Path.Combine(temp.Path, "down"));
        await h.Tracker.DownloadArtifactsAsync(a.RunId, "model/model.json", Path.Combine(temp.Path, "single.json"));
        await Assert.ThrowsAsync<TrackingNotFoundException>(() => h.Tracker.DownloadArtifactsAsync(a.RunId, "model/nope.bin", Path.Combine(temp.Path, "nope.bin")));

        Assert.Equal([new RunArtifact("model", true, null)], root);
        Assert.Equal([new RunArtifact("model/model.json", false, 91), new RunArtifact("model/weights.bin", false, weights.Length)], model);
        Assert.Empty(missing);
        Assert.Equal(ModelJson, await File.ReadAllTextAsync(Path.Combine(temp.Path, "down", "model.json")));
        Assert.Equal(weights, await File.ReadAllBytesAsync(Path.Combine(temp.Path, "down", "weights.bin")));
        Assert.Equal(ModelJson, await File.ReadAllTextAsync(Path.Combine(temp.Path, "single.json")));
        Assert.False(File.Exists(Path.Combine(temp.Path, "nope.bin")));
        h.Verify();
    }

    [Fact]
    public virtual async Task Artifacts_SingleFile_GoesUnderTheArtifactPath()
    {
        await using var h = await OpenAsync();
        var (_, a, _, _) = await CreateSweepAsync(h, children: 1);
        using var temp = new TempDirectory();
        var file = Path.Combine(temp.Create("src"), "tmp.txt");
        await File.WriteAllTextAsync(file, "scratch\n");

        await h.Tracker.LogArtifactsAsync(a.RunId, file, "scratch");
        await Assert.ThrowsAnyAsync<TrackingException>(() => h.Tracker.LogArtifactsAsync(a.RunId, file, "model/../../escape"));
        h.Verify();
    }

    // ---------------------------------------------------------------- registry

    [Fact]
    public virtual async Task Registry_VersionsAndAliases_FollowMlflowSemantics()
    {
        await using var h = await OpenAsync();
        var (_, a, b, _) = await CreateSweepAsync(h, children: 2);
        const string Name = "fixture-bpr";

        var model = await h.Registry.GetOrCreateModelAsync(Name);
        var v1 = await h.CreateVersionAsync(Name, $"{a.ArtifactUri}/model", a.RunId, new Dictionary<string, string> { ["val_mrr"] = "0.28" }, "trial-a");
        var v1Again = await h.Registry.GetVersionAsync(Name, "1");
        var v2 = await h.Registry.CreateVersionAsync(Name, $"{b.ArtifactUri}/model", b.RunId);
        var v3 = await h.Registry.CreateVersionAsync(Name, $"runs:/{b.RunId}/model", b.RunId);
        await h.Registry.SetAliasAsync(Name, ModelAliases.Staging, "1");
        await h.Registry.SetAliasAsync(Name, ModelAliases.Champion, "2");
        var staging = await h.Registry.GetVersionByAliasAsync(Name, ModelAliases.Staging);
        await h.Registry.SetAliasAsync(Name, ModelAliases.Staging, "2"); // moves it
        var v2Aliased = await h.Registry.GetVersionAsync(Name, "2");
        var v1Bare = await h.Registry.GetVersionAsync(Name, "1");
        var reserved = await Assert.ThrowsAnyAsync<TrackingException>(() => h.Registry.SetAliasAsync(Name, "latest", "1"));
        await Assert.ThrowsAsync<TrackingNotFoundException>(() => h.Registry.SetAliasAsync(Name, ModelAliases.Canary, "99"));
        await h.Registry.DeleteAliasAsync(Name, ModelAliases.Staging);
        var removed = await h.Registry.GetVersionByAliasAsync(Name, ModelAliases.Staging);
        await h.Registry.DeleteAliasAsync(Name, ModelAliases.Staging); // not set: no error
        var versions = await h.Registry.ListVersionsAsync(Name);
        await Assert.ThrowsAsync<TrackingNotFoundException>(() => h.Registry.GetVersionAsync(Name, "99"));
        var after = await h.Registry.GetOrCreateModelAsync(Name);

        Assert.Equal(Name, model.Name);
        Assert.Equal(["1", "2", "3"], new[] { v1.Version, v2.Version, v3.Version });
        Assert.Equal("READY", v1.Status);
        Assert.Equal(a.RunId, v1Again.RunId);
        Assert.Equal($"{a.ArtifactUri}/model", v1Again.Source);
        Assert.Equal("0.28", v1Again.Tags["val_mrr"]);
        Assert.Equal($"runs:/{b.RunId}/model", v3.Source);
        Assert.Equal("1", staging?.Version);
        Assert.Equal([ModelAliases.Staging], staging?.Aliases);
        Assert.Equal([ModelAliases.Champion, ModelAliases.Staging], v2Aliased.Aliases);
        Assert.Empty(v1Bare.Aliases);
        Assert.Equal("INVALID_PARAMETER_VALUE", reserved.ErrorCode);
        Assert.Null(removed);
        Assert.Equal(["3", "2", "1"], versions.Select(v => v.Version));
        Assert.Equal(new Dictionary<string, string> { [ModelAliases.Champion] = "2" }, after.Aliases);
        h.Verify();
    }

    [Fact]
    public virtual async Task Registry_PromotingACanary_MovesChampionAndDropsCanary()
    {
        await using var h = await OpenAsync();
        const string Name = "promotion";
        await h.Registry.GetOrCreateModelAsync(Name, "BPR recommender");
        await h.Registry.CreateVersionAsync(Name, "runs:/r1/model", null);
        await h.Registry.CreateVersionAsync(Name, "runs:/r2/model", null);
        await h.Registry.SetAliasAsync(Name, ModelAliases.Champion, "1");
        await h.Registry.SetAliasAsync(Name, ModelAliases.Canary, "2");

        var canary = await h.Registry.GetVersionByAliasAsync(Name, ModelAliases.Canary);
        await h.Registry.SetAliasAsync(Name, ModelAliases.Champion, canary!.Version);
        await h.Registry.DeleteAliasAsync(Name, ModelAliases.Canary);
        var champion = await h.Registry.GetVersionByAliasAsync(Name, ModelAliases.Champion);
        var models = await h.Registry.ListModelsAsync();

        Assert.Equal("2", champion?.Version);
        Assert.Equal([ModelAliases.Champion], champion?.Aliases);
        Assert.Null(await h.Registry.GetVersionByAliasAsync(Name, ModelAliases.Canary));
        var listed = Assert.Single(models, m => m.Name == Name);
        Assert.Equal("BPR recommender", listed.Description);
        Assert.Equal(new Dictionary<string, string> { [ModelAliases.Champion] = "2" }, listed.Aliases);
        h.Verify();
    }

    [Fact]
    public virtual async Task Registry_CreateVersionOfAnUnknownModel_ThrowsNotFound()
    {
        await using var h = await OpenAsync();
        var (_, a, _, _) = await CreateSweepAsync(h, children: 1);

        await Assert.ThrowsAsync<TrackingNotFoundException>(() => h.Registry.CreateVersionAsync("fixture-missing-model", $"{a.ArtifactUri}/model", a.RunId));
        h.Verify();
    }

    // ---------------------------------------------------------------- the recorded sweep

    /// <summary>Parent sweep-parent and up to three children trial-a/b/c, as R01–R04.</summary>
    protected static async Task<(TrackedRun Parent, TrackedRun A, TrackedRun B, TrackedRun C)> CreateSweepAsync(ITrackerHarness h, int children = 3)
    {
        var experimentId = await h.RunsExperimentIdAsync();
        var parent = await h.Tracker.CreateRunAsync(new NewRun
        {
            ExperimentId = experimentId,
            RunName = "sweep-parent",
            StartTime = Ms(0),
            Tags = new Dictionary<string, string> { [TrackingTags.Source] = "Buddies.Training", [TrackingTags.SourceType] = "LOCAL" },
        });
        var runs = new List<TrackedRun>();
        foreach (var (name, i) in TrialNames.Take(children).Select((n, i) => (n, i)))
        {
            runs.Add(await h.Tracker.CreateRunAsync(new NewRun
            {
                ExperimentId = experimentId,
                RunName = name,
                ParentRunId = parent.RunId,
                StartTime = Ms(1000 * (i + 1)),
                Tags = new Dictionary<string, string> { [TrackingTags.Source] = "Buddies.Training" },
            }));
        }

        return (parent, runs.ElementAtOrDefault(0)!, runs.ElementAtOrDefault(1)!, runs.ElementAtOrDefault(2)!);
    }

    /// <summary>R06.</summary>
    protected static Task LogTrialAAsync(ITrackerHarness h, string runId) => h.Tracker.LogBatchAsync(
        runId,
        [
            new("val_mrr", 0.1, Ms(1100), 0), new("val_mrr", 0.2, Ms(1200), 1), new("val_mrr", 0.25, Ms(1300), 2),
            new("val_mrr", 0.3, Ms(1400), 3), new("val_mrr", 0.28, Ms(1500), 4), new("train_loss", 0.5, Ms(1999), 4),
        ],
        [new("factors", "32"), new("learning_rate", "0.05"), new("epochs", "5")],
        [new("phase", "train"), new("trial", "trial-a")]);

    /// <summary>R07.</summary>
    protected static Task LogTrialBAsync(ITrackerHarness h, string runId) => h.Tracker.LogBatchAsync(
        runId,
        [new("val_mrr", 0.22, Ms(2100), 0), new("val_mrr", 0.35, Ms(2200), 1), new("train_loss", 0.25, Ms(2999), 1)],
        [new("factors", "64"), new("learning_rate", "0.05"), new("epochs", "2")],
        [new("phase", "train"), new("trial", "trial-b")]);

    /// <summary>R08.</summary>
    protected static Task LogTrialCAsync(ITrackerHarness h, string runId) => h.Tracker.LogBatchAsync(
        runId,
        [new("val_mrr", 0.15, Ms(3100), 0), new("train_loss", 1.0 / 6.0, Ms(3999), 0)],
        [new("factors", "96"), new("learning_rate", "0.05"), new("epochs", "1")],
        [new("phase", "train"), new("trial", "trial-c")]);
}

/// <summary>A directory under the system temp directory, deleted with its content on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "buddies-tracking-" + Guid.NewGuid().ToString("N"));

    public string Create(string relative)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(full);
        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}

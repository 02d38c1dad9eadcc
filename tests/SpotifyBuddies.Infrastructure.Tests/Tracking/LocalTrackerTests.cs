using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SpotifyBuddies.Core.Artifacts;
using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Infrastructure.Tracking;

namespace SpotifyBuddies.Infrastructure.Tests.Tracking;

/// <summary>What only the local tracker has: its files, several writers on one root, search details, registration.</summary>
public sealed class LocalTrackerTests : IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly InMemoryArtifactStore _artifacts = new();

    public void Dispose() => _root.Dispose();

    private LocalTracker NewTracker() => new(new LocalTrackerOptions { Root = _root.Path, UserId = "tester" }, _artifacts);

    [Fact]
    public async Task Files_FollowTheDocumentedLayout()
    {
        var tracker = NewTracker();
        var experiment = await tracker.GetOrCreateExperimentAsync("layout");
        var run = await tracker.CreateRunAsync(new NewRun { ExperimentId = experiment.Id, RunName = "r" });
        await tracker.LogBatchAsync(run.RunId, [new("eval/mrr", 0.5, DateTimeOffset.UnixEpoch, 0)], [new("k", "v")]);
        var file = Path.Combine(_root.Create("src"), "model.json");
        await File.WriteAllTextAsync(file, "{}");
        await tracker.LogArtifactsAsync(run.RunId, file, "model");
        await tracker.GetOrCreateModelAsync("bpr");
        await tracker.CreateVersionAsync("bpr", run.ArtifactUri + "/model", run.RunId);

        Assert.True(File.Exists(Path.Combine(_root.Path, "experiments", experiment.Id, "meta.json")));
        Assert.True(File.Exists(Path.Combine(_root.Path, "runs", run.RunId, "meta.json")));
        Assert.Equal("{\"k\":\"v\"}", await File.ReadAllTextAsync(Path.Combine(_root.Path, "runs", run.RunId, "params.json")));
        Assert.Single(await File.ReadAllLinesAsync(Path.Combine(_root.Path, "runs", run.RunId, "metrics", "eval%2Fmrr.jsonl")));
        Assert.True(File.Exists(Path.Combine(_root.Path, "registry", "bpr", "versions", "1.json")));
        Assert.Contains($"runs/{run.RunId}/artifacts/model/model.json", _artifacts.Keys);
        Assert.Equal($"memory://artifacts/runs/{run.RunId}/artifacts", run.ArtifactUri);
        Assert.Equal("tester", run.Tags[TrackingTags.User]);
        Assert.Empty(Directory.EnumerateFiles(_root.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task TwoTrackersOnOneRoot_LoggingConcurrently_LoseNothing()
    {
        var first = NewTracker();
        var second = NewTracker();
        var experiments = await Task.WhenAll(
            Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? first : second).GetOrCreateExperimentAsync("shared")));
        var run = await first.CreateRunAsync(new NewRun { ExperimentId = experiments[0].Id });

        await Task.WhenAll(Enumerable.Range(0, 8).Select(writer => Task.Run(async () =>
        {
            var tracker = writer % 2 == 0 ? first : second;
            for (var batch = 0; batch < 10; batch++)
            {
                await tracker.LogBatchAsync(
                    run.RunId,
                    [.. Enumerable.Range(0, 5).Select(i => new MetricPoint("loss", writer, DateTimeOffset.UnixEpoch, (batch * 5) + i))],
                    [new($"w{writer}b{batch}", "x")],
                    [new($"last{writer}", batch.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
            }
        })));
        var stored = await second.GetRunAsync(run.RunId);

        Assert.Single(experiments.Select(e => e.Id).Distinct());
        Assert.Equal(8 * 10 * 5, (await first.GetMetricHistoryAsync(run.RunId, "loss")).Count);
        Assert.Equal(80, stored.Params.Count);
        Assert.All(Enumerable.Range(0, 8), w => Assert.Equal("9", stored.Tags[$"last{w}"]));
    }

    [Fact]
    public async Task MetricHistory_IgnoresALineStillBeingWritten()
    {
        var tracker = NewTracker();
        var run = await NewRunAsync(tracker);
        await tracker.LogBatchAsync(run.RunId, [new("loss", 1, DateTimeOffset.UnixEpoch, 0)]);
        await File.AppendAllTextAsync(Path.Combine(_root.Path, "runs", run.RunId, "metrics", "loss.jsonl"), "{\"value\":2,\"timest");

        var history = await tracker.GetMetricHistoryAsync(run.RunId, "loss");

        Assert.Equal([1.0], history.Select(p => p.Value));
    }

    [Fact]
    public async Task Metrics_KeepNaNAndShowTheHighestStepsValue()
    {
        var tracker = NewTracker();
        var run = await NewRunAsync(tracker);

        await tracker.LogBatchAsync(run.RunId, [new("m", 5, DateTimeOffset.UnixEpoch, 2), new("m", double.NaN, DateTimeOffset.UnixEpoch, 1), new("m", 1, DateTimeOffset.UnixEpoch.AddSeconds(1), 2)]);
        var history = await tracker.GetMetricHistoryAsync(run.RunId, "m");

        Assert.True(double.IsNaN(history[0].Value));
        Assert.Equal(1, (await tracker.GetRunAsync(run.RunId)).Metrics["m"]); // step 2, later timestamp
    }

    [Fact]
    public async Task SearchRuns_AppliesNumericAndAttributeFilters_AndSkipsOtherExperiments()
    {
        var tracker = NewTracker();
        var experiment = await tracker.GetOrCreateExperimentAsync("search");
        var other = await tracker.GetOrCreateExperimentAsync("other");
        foreach (var (name, mrr, factors) in new[] { ("a", 0.28, "32"), ("b", 0.35, "64"), ("c", 0.15, "96") })
        {
            var run = await tracker.CreateRunAsync(new NewRun { ExperimentId = experiment.Id, RunName = name });
            await tracker.LogBatchAsync(run.RunId, [new("val_mrr", mrr, DateTimeOffset.UnixEpoch, 0)], [new("factors", factors)]);
        }

        await tracker.CreateRunAsync(new NewRun { ExperimentId = other.Id, RunName = "elsewhere" });
        async Task<string> Names(string filter, params string[] order) =>
            string.Join(",", (await tracker.SearchRunsAsync(new RunQuery { ExperimentIds = [experiment.Id], Filter = filter, OrderBy = order })).Runs.Select(r => r.RunName));

        Assert.Equal("b,a", await Names("metrics.val_mrr > 0.2", "metrics.val_mrr DESC"));
        Assert.Equal("c,b", await Names("params.factors != '32'", "attributes.run_name DESC"));
        Assert.Equal("b", await Names("attributes.run_name = 'b' and attributes.status = 'RUNNING'"));
        Assert.Equal("c,b,a", await Names(string.Empty)); // newest first
        Assert.Equal("a,b,c", await Names(string.Empty, "attributes.start_time"));
    }

    [Fact]
    public async Task SearchRuns_LeavesOutRunsOfADeletedExperiment()
    {
        var tracker = NewTracker();
        var run = await NewRunAsync(tracker);

        await tracker.DeleteExperimentAsync(run.ExperimentId);

        Assert.Empty((await tracker.SearchRunsAsync(new RunQuery { ExperimentIds = [run.ExperimentId] })).Runs);
        await Assert.ThrowsAsync<TrackingNotFoundException>(() => tracker.CreateRunAsync(new NewRun { ExperimentId = run.ExperimentId }));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    public async Task GetRun_WithAnIdThatIsNotAnId_IsNotFound(string runId)
    {
        var tracker = NewTracker();

        await Assert.ThrowsAsync<TrackingNotFoundException>(() => tracker.GetRunAsync(runId));
        await Assert.ThrowsAsync<TrackingNotFoundException>(() => tracker.UpdateRunAsync(runId, RunStatus.Killed));
    }

    [Fact]
    public async Task CreateRun_UnderAMissingParent_IsNotFound()
    {
        var tracker = NewTracker();
        var experiment = await tracker.GetOrCreateExperimentAsync("e");

        await Assert.ThrowsAsync<TrackingNotFoundException>(() => tracker.CreateRunAsync(new NewRun { ExperimentId = experiment.Id, ParentRunId = "nope" }));
    }

    [Fact]
    public async Task UpdateRun_ToRunningAgain_KeepsTheEndTime_AndFailedSetsOne()
    {
        var tracker = NewTracker();
        var run = await NewRunAsync(tracker);

        await tracker.UpdateRunAsync(run.RunId, RunStatus.Failed, DateTimeOffset.FromUnixTimeMilliseconds(5));
        await tracker.UpdateRunAsync(run.RunId, RunStatus.Running);
        var reopened = await tracker.GetRunAsync(run.RunId);

        Assert.Equal(RunStatus.Running, reopened.Status);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(5), reopened.EndTime);
    }

    [Fact]
    public async Task CreateVersion_FromAPlainPath_IsRefusedAsMlflowDoes()
    {
        var tracker = NewTracker();
        await tracker.GetOrCreateModelAsync("bpr");

        var error = await Assert.ThrowsAsync<TrackingException>(() => tracker.CreateVersionAsync("bpr", "/srv/models/bpr", null));

        Assert.Contains("/srv/models/bpr", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registry_UnknownModel_HasNoVersionsNoAliasesAndCannotBeAliased()
    {
        var tracker = NewTracker();

        Assert.Empty(await tracker.ListVersionsAsync("ghost"));
        Assert.Null(await tracker.GetVersionByAliasAsync("ghost", ModelAliases.Champion));
        await Assert.ThrowsAsync<TrackingNotFoundException>(() => tracker.SetAliasAsync("ghost", ModelAliases.Champion, "1"));
        await Assert.ThrowsAsync<TrackingNotFoundException>(() => tracker.GetVersionAsync("ghost", "1"));
    }

    [Fact]
    public async Task Registry_ModelNamesWithOddCharacters_AreKeptApart()
    {
        var tracker = NewTracker();

        await tracker.GetOrCreateModelAsync("team/bpr");
        await tracker.GetOrCreateModelAsync("team bpr");
        await tracker.GetOrCreateModelAsync(".lock");

        Assert.Equal([".lock", "team bpr", "team/bpr"], (await tracker.ListModelsAsync()).Select(m => m.Name));
    }

    [Fact]
    public async Task AddLocalTracking_ResolvesOneTrackerForBothPorts()
    {
        var services = Services(new() { ["Tracking:Local:Root"] = _root.Path });
        services.AddSingleton<IArtifactStore>(_artifacts);
        services.AddLocalTracking();
        await using var provider = services.BuildServiceProvider();

        var tracker = provider.GetRequiredService<IExperimentTracker>();

        Assert.Same(tracker, provider.GetRequiredService<IModelRegistry>());
        Assert.Equal("local", tracker.Backend);
        Assert.Equal(_root.Path, tracker.Location);
    }

    [Fact]
    public async Task AddLocalTracking_WithoutAnArtifactStore_SaysWhatIsMissing()
    {
        var services = Services([]);
        services.AddLocalTracking(_root.Path);
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IExperimentTracker>());

        Assert.Contains("IArtifactStore", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "Tracking:Local:Root is required")]
    [InlineData("relative/dir", "absolute path")]
    public async Task AddLocalTracking_WithABadRoot_FailsValidationNamingTheSetting(string? root, string expected)
    {
        var services = Services(root is null ? [] : new() { ["Tracking:Local:Root"] = root });
        services.AddLocalTracking();
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<LocalTrackerOptions>>().Value);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static ServiceCollection Services(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services;
    }

    private static async Task<TrackedRun> NewRunAsync(LocalTracker tracker)
    {
        var experiment = await tracker.GetOrCreateExperimentAsync("e");
        return await tracker.CreateRunAsync(new NewRun { ExperimentId = experiment.Id, RunName = "r" });
    }
}

using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Infrastructure.Artifacts;
using SpotifyBuddies.Infrastructure.Tracking;
using SpotifyBuddies.Models.Ranking;
using SpotifyBuddies.Models.Tests.Pairing;

namespace SpotifyBuddies.Models.Tests.Ranking;

/// <summary>Training recorded in the real local tracker: params, per-epoch metrics, the model directory, a registered version.</summary>
public sealed class BprTrackingTests(TinyPreparedDataset tiny) : IClassFixture<TinyPreparedDataset>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_tracked_run_logs_params_metric_history_artifacts_and_registers_a_staging_version()
    {
        var artifacts = new LocalDirectoryArtifactStore(_temp.Sub("artifacts"));
        var tracker = new LocalTracker(new LocalTrackerOptions { Root = _temp.Sub("tracking") }, artifacts);
        var result = await BprTraining.RunAsync(
            new BprTrainingRequest
            {
                DatasetDir = tiny.DatasetDir,
                OutputDir = _temp.Sub("model"),
                Backend = BprBackends.Native,
                Threads = 1,
                RunName = "tracked",
                Hyperparameters = new() { Dimensions = 8, Epochs = 3, BatchSize = 256, LearningRate = 0.05 },
            },
            new BprTrainingServices { Checkpoints = artifacts, Tracker = tracker, Registry = tracker });

        var run = await tracker.GetRunAsync(result.RunId!);
        Assert.Equal(RunStatus.Finished, run.Status);
        Assert.Equal("tracked", run.RunName);
        Assert.Equal("8", run.Params["embedding_dim"]);
        Assert.Equal("lazy-adam", run.Params["optimizer"]);
        Assert.Equal("native", run.Tags[TrackingTags.Backend]);
        Assert.Equal(tiny.Manifest.ContentHash, run.Tags[TrackingTags.DatasetHash]);
        Assert.Equal(result.BestVal.Mrr, run.Metrics["best_val_mrr"]);
        Assert.Equal(result.Test.Mrr, run.Metrics["test_mrr"]);

        var history = await tracker.GetMetricHistoryAsync(result.RunId!, "val_mrr");
        Assert.Equal([1L, 2L, 3L], history.Select(p => p.Step));
        Assert.Equal(result.History.Select(h => h.Val.Mrr), history.Select(p => p.Value));
        Assert.Equal(3, (await tracker.GetMetricHistoryAsync(result.RunId!, "train_loss")).Count);

        var files = await tracker.ListArtifactsAsync(result.RunId!, "model");
        Assert.Contains(files, f => f.Path.EndsWith("model.json", StringComparison.Ordinal));
        Assert.Contains(files, f => f.Path.EndsWith("embeddings.safetensors", StringComparison.Ordinal));

        var staging = await tracker.GetVersionByAliasAsync("spotify-buddies-bpr", ModelAliases.Staging);
        Assert.NotNull(staging);
        Assert.Equal(result.ModelVersion!.Version, staging.Version);
        Assert.Equal(result.RunId, staging.RunId);
        Assert.Null(await tracker.GetVersionByAliasAsync("spotify-buddies-bpr", ModelAliases.Champion));
    }
}

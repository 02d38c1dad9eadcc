using SpotifyBuddies.Core.Artifacts;
using SpotifyBuddies.Core.ModelArtifacts;
using SpotifyBuddies.Data.Datasets;
using SpotifyBuddies.Models.Ranking;
using SpotifyBuddies.Models.Tests.Pairing;

namespace SpotifyBuddies.Models.Tests.Ranking;

/// <summary>The training loop end to end on the tiny preset with the native backend (one thread: deterministic).</summary>
public sealed class BprTrainingTests(TinyPreparedDataset tiny) : IClassFixture<TinyPreparedDataset>, IDisposable
{
    private static readonly BprHyperparameters Small = new()
    {
        Dimensions = 16,
        BatchSize = 512,
        Epochs = 3,
        LearningRate = 0.05,
    };

    /// <summary>Settings that learn the tiny preset well (3.6k triplets, 98 validation rows: popularity is a strong
    /// baseline there; lazy Adam needs far more data to beat it, as on the small preset).</summary>
    private static readonly BprHyperparameters Learner = new()
    {
        Dimensions = 32,
        BatchSize = 128,
        Epochs = 40,
        Patience = 100,
        Optimizer = BprOptimizer.Sgd,
        LearningRate = 5,
    };

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Trained_model_beats_the_popularity_baseline_and_is_written_as_an_artifact()
    {
        var store = new MemoryArtifactStore();
        var result = await BprTraining.RunAsync(Request("model") with { Hyperparameters = Learner }, new BprTrainingServices { Checkpoints = store });

        Assert.Equal("native", result.Backend);
        Assert.Equal(40, result.History.Count);
        Assert.True(result.BestVal.Mrr > result.PopularityVal.Mrr + 0.03, $"val MRR {result.BestVal.Mrr} vs popularity {result.PopularityVal.Mrr}");
        Assert.True(result.Test.Mrr > result.PopularityTest.Mrr, $"test MRR {result.Test.Mrr} vs popularity {result.PopularityTest.Mrr}");
        Assert.True(result.History[^1].TrainLoss < result.History[0].TrainLoss);
        Assert.Equal(tiny.Manifest.Counts["validation_rows"], result.BestVal.Count);

        var artifact = await ModelArtifact.LoadAsync(result.ModelDir);
        Assert.Equal("bpr", artifact.Manifest.Kind);
        Assert.Equal(tiny.Manifest.ContentHash, artifact.Manifest.DatasetHash);
        Assert.Equal(32, artifact.Manifest.Dimensions);
        Assert.Equal(result.BestVal.Mrr, artifact.Manifest.Metrics["best_val_mrr"]);
        Assert.True(File.Exists(Path.Combine(result.ModelDir, PreparedDatasetLayout.Users)));
        Assert.True(File.Exists(Path.Combine(result.ModelDir, PreparedDatasetLayout.Playlists)));

        // The saved embeddings are the best model: re-scoring them gives the recorded val MRR.
        using var dataset = await BprDataset.OpenAsync(tiny.DatasetDir);
        var reloaded = new BprEmbeddings(artifact.Manifest.Users, artifact.Manifest.Playlists, 32, artifact.UserEmbeddings, artifact.PlaylistEmbeddings);
        Assert.Equal(result.BestVal.Mrr, BprEvaluator.Evaluate(reloaded, dataset.Validation, 2).Mrr, 12);

        // Only the last epoch's checkpoint and the best model are kept.
        var prefix = ArtifactKeys.Checkpoint(result.Fingerprint) + "/";
        Assert.Equal([prefix + BprCheckpoint.BestFileName, prefix + BprCheckpoint.FileName(40)], store.Keys);
    }

    [Fact]
    public async Task Same_seed_and_one_thread_give_identical_models()
    {
        var first = await BprTraining.RunAsync(Request("a"), new BprTrainingServices { Checkpoints = new MemoryArtifactStore() });
        var second = await BprTraining.RunAsync(Request("b"), new BprTrainingServices { Checkpoints = new MemoryArtifactStore() });

        Assert.Equal(
            File.ReadAllBytes(Path.Combine(first.ModelDir, "embeddings.safetensors")),
            File.ReadAllBytes(Path.Combine(second.ModelDir, "embeddings.safetensors")));
        Assert.Equal(first.History.Select(h => h.Val), second.History.Select(h => h.Val));
    }

    [Fact]
    public async Task Resume_after_an_interruption_equals_an_uninterrupted_run()
    {
        var uninterrupted = await BprTraining.RunAsync(Request("whole"), new BprTrainingServices { Checkpoints = new MemoryArtifactStore() });

        var store = new MemoryArtifactStore();
        using var kill = new CancellationTokenSource();
        var killer = new Progress(p =>
        {
            if (p.Phase.StartsWith(BprTraining.TrainPhasePrefix + "2/", StringComparison.Ordinal))
            {
                kill.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => BprTraining.RunAsync(Request("resumed"), new BprTrainingServices { Checkpoints = store }, killer, kill.Token));
        Assert.False(Directory.Exists(_temp.Sub("resumed")));

        var resumed = await BprTraining.RunAsync(Request("resumed") with { Resume = true }, new BprTrainingServices { Checkpoints = store });

        Assert.Equal(1, resumed.ResumedFromEpoch);
        Assert.Equal(uninterrupted.History.Select(h => (h.Epoch, h.Val, h.TrainLoss)), resumed.History.Select(h => (h.Epoch, h.Val, h.TrainLoss)));
        Assert.Equal(
            File.ReadAllBytes(Path.Combine(uninterrupted.ModelDir, "embeddings.safetensors")),
            File.ReadAllBytes(Path.Combine(resumed.ModelDir, "embeddings.safetensors")));
        Assert.Equal(uninterrupted.Test, resumed.Test);
    }

    [Fact]
    public async Task Resuming_a_finished_training_only_writes_the_model_again()
    {
        var store = new MemoryArtifactStore();
        var first = await BprTraining.RunAsync(Request("first"), new BprTrainingServices { Checkpoints = store });
        var again = await BprTraining.RunAsync(Request("again") with { Resume = true }, new BprTrainingServices { Checkpoints = store });

        Assert.Equal(3, again.ResumedFromEpoch);
        Assert.Equal(first.History, again.History);
        Assert.Equal(first.Test, again.Test);
    }

    [Fact]
    public async Task Other_hyperparameters_do_not_resume_from_foreign_checkpoints()
    {
        var store = new MemoryArtifactStore();
        var first = await BprTraining.RunAsync(Request("first"), new BprTrainingServices { Checkpoints = store });
        var other = await BprTraining.RunAsync(
            Request("other") with { Resume = true, Hyperparameters = Small with { Epochs = 2, LearningRate = 0.04 } },
            new BprTrainingServices { Checkpoints = store });

        Assert.NotEqual(first.Fingerprint, other.Fingerprint);
        Assert.Equal(0, other.ResumedFromEpoch);
        Assert.Equal(2, other.History.Count);
    }

    [Fact]
    public async Task Early_stopping_ends_training_when_val_mrr_stops_improving()
    {
        // A learning rate this small leaves the scores unchanged, so no evaluation after the first improves.
        var result = await BprTraining.RunAsync(
            Request("stuck") with { Hyperparameters = Small with { Epochs = 6, Patience = 2, LearningRate = 1e-12 } },
            new BprTrainingServices { Checkpoints = new MemoryArtifactStore() });

        Assert.Equal(3, result.History.Count);
        Assert.Equal(1, result.BestStep);
        Assert.Contains("early stopping", result.StopReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Target_mrr_stops_at_the_first_evaluation_that_reaches_it()
    {
        var result = await BprTraining.RunAsync(
            Request("target") with { TargetMrr = 0.01, EvaluationsPerEpoch = 4 },
            new BprTrainingServices { Checkpoints = new MemoryArtifactStore() });

        Assert.Single(result.History);
        Assert.Equal(0.25, result.History[0].EpochFraction, 1);
        Assert.Contains("target", result.StopReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_requests_and_existing_outputs_are_refused()
    {
        var services = new BprTrainingServices { Checkpoints = new MemoryArtifactStore() };
        var error = await Assert.ThrowsAsync<ArgumentException>(() => BprTraining.RunAsync(
            Request("bad") with { Backend = "tpu", Hyperparameters = Small with { Dimensions = 0 } }, services));
        Assert.Contains("Dimensions", error.Message, StringComparison.Ordinal);
        Assert.Contains("Backend", error.Message, StringComparison.Ordinal);

        Directory.CreateDirectory(_temp.Sub("exists"));
        File.WriteAllText(Path.Combine(_temp.Sub("exists"), "keep.txt"), "x");
        await Assert.ThrowsAsync<DatasetExistsException>(() => BprTraining.RunAsync(Request("exists"), services));
        Assert.True(File.Exists(Path.Combine(_temp.Sub("exists"), "keep.txt")));
    }

    [Fact]
    public async Task A_triplet_index_out_of_range_is_reported_with_its_row()
    {
        var copy = _temp.Sub("corrupt");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.EnumerateFiles(tiny.DatasetDir))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        var raw = Path.Combine(copy, PreparedDatasetLayout.TripletsRaw);
        var bytes = File.ReadAllBytes(raw);
        BitConverter.GetBytes(int.MaxValue).CopyTo(bytes, (5 * 12) + 4);
        File.WriteAllBytes(raw, bytes);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => BprTraining.RunAsync(
            Request("never") with { DatasetDir = copy }, new BprTrainingServices { Checkpoints = new MemoryArtifactStore() }));
        Assert.Contains("triplet 5, column 1", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Sub("never")));
    }

    private BprTrainingRequest Request(string output) => new()
    {
        DatasetDir = tiny.DatasetDir,
        OutputDir = _temp.Sub(output),
        Backend = BprBackends.Native,
        Threads = 1,
        Hyperparameters = Small,
    };

    private sealed class Progress(Action<BprProgress> action) : IProgress<BprProgress>
    {
        public void Report(BprProgress value) => action(value);
    }
}

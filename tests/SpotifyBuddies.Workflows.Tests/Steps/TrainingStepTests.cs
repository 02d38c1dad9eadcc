using System.Text.Json.Nodes;
using SpotifyBuddies.Core.Artifacts;
using SpotifyBuddies.Core.ModelArtifacts;
using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Steps;

namespace SpotifyBuddies.Workflows.Tests.Steps;

/// <summary>training.bpr for real (native backend, tiny data): a tracked model, checkpoints cleared, reuse and resume.</summary>
[Collection(TinyPipelineGroup.Name)]
public sealed class TrainingStepTests(TinyPipelineFixture tiny)
{
    [Fact]
    public async Task Training_writes_a_model_tracks_a_finished_run_and_reports_its_metrics()
    {
        var manifest = await ModelManifest.ReadAsync(Path.Combine(tiny.ModelDir, ModelManifest.FileName));
        Assert.Equal(tiny.Prepare["content_hash"]!.GetValue<string>(), manifest.DatasetHash);
        Assert.Equal(tiny.TrainRunId, manifest.RunId);
        Assert.Equal(8, manifest.Dimensions);
        Assert.True(File.Exists(Path.Combine(tiny.ModelDir, manifest.EmbeddingsFile)));

        var run = await tiny.Tracker.GetRunAsync(tiny.TrainRunId);
        Assert.Equal(RunStatus.Finished, run.Status);
        Assert.Equal("steps-tests-train", run.RunName);
        Assert.Equal(tiny.RunId.ToString(), run.Tags["buddies.workflow_run"]);
        Assert.Equal("train", run.Tags["buddies.workflow_step"]);
        Assert.Equal(run.Metrics["test_mrr"], tiny.Train["test_mrr"]!.GetValue<double>());
        Assert.Equal(manifest.Metrics["best_val_mrr"], tiny.Train["val_mrr"]!.GetValue<double>());

        foreach (var metric in new[] { "val_mrr", "popularity_val_mrr", "test_mrr", "popularity_test_mrr", "test_hit_at_10" })
        {
            var value = tiny.Train[metric]!.GetValue<double>();
            Assert.InRange(value, 1e-6, 1.0);
        }

        Assert.Equal(2, tiny.Train["epochs_run"]!.GetValue<int>());
        Assert.Equal(0, tiny.Train["resumed_from_epoch"]!.GetValue<int>());
        Assert.Equal("native", tiny.Train["backend"]!.GetValue<string>());
    }

    [Fact]
    public async Task Training_registers_nothing_and_leaves_no_checkpoints_behind()
    {
        Assert.Empty(await tiny.Tracker.ListVersionsAsync("spotify-buddies-bpr"));
        var keys = new List<string>();
        await foreach (var info in tiny.Artifacts.ListAsync(ArtifactKeys.WorkflowStep(tiny.RunId, "train") + "/"))
        {
            keys.Add(info.Key);
        }

        Assert.Empty(keys);
        Assert.Contains(await tiny.Tracker.ListArtifactsAsync(tiny.TrainRunId, "model"), a => a.Path == "model/model.json");
    }

    [Fact]
    public async Task A_rerun_after_the_model_is_finished_reuses_it_without_training()
    {
        var harness = new StepHarness(tiny.Root);
        var again = await StepHarness.RunAsync(
            new TrainingBprStep(tiny.Artifacts, tiny.Tracker),
            harness.Context(tiny.RunId, "train", StepHarness.Inputs(TinyPipelineFixture.TrainingInputs(tiny.Dataset))));
        Assert.Contains(harness.Log, l => l.StartsWith("reusing the finished model", StringComparison.Ordinal));
        Assert.DoesNotContain(harness.Log, l => l.StartsWith("epoch ", StringComparison.Ordinal));
        foreach (var name in new[] { "model_dir", "run_id", "fingerprint", "dataset_hash", "val_mrr", "test_mrr", "popularity_test_mrr", "epochs_run" })
        {
            Assert.True(JsonNode.DeepEquals(tiny.Train[name], again[name]), name);
        }
    }

    [Fact]
    public async Task An_attempt_killed_mid_training_is_resumed_from_its_checkpoint_by_the_next_attempt()
    {
        var harness = new StepHarness(tiny.Root);
        var step = new TrainingBprStep(tiny.Artifacts, tiny.Tracker);
        var runId = Guid.NewGuid();
        using var kill = new CancellationTokenSource();
        var first = harness.Context(runId, "train", StepHarness.Inputs(TinyPipelineFixture.TrainingInputs(tiny.Dataset, epochs: 3)));
        var context = new StepContext
        {
            RunId = first.RunId,
            Workflow = first.Workflow,
            StepId = first.StepId,
            Inputs = first.Inputs,
            WorkDirectory = first.WorkDirectory,
            Log = line =>
            {
                first.Log(line);
                if (line.StartsWith("epoch 2/3: started", StringComparison.Ordinal))
                {
                    kill.Cancel();
                }
            },
        };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => step.ExecuteAsync(context, kill.Token));
        Assert.False(File.Exists(Path.Combine(first.WorkDirectory, "model", ModelManifest.FileName)));
        var checkpoints = new List<string>();
        await foreach (var info in tiny.Artifacts.ListAsync(ArtifactKeys.WorkflowStep(runId, "train") + "/"))
        {
            checkpoints.Add(info.Key);
        }

        Assert.NotEmpty(checkpoints);

        harness.Log.Clear();
        var second = await StepHarness.RunAsync(step, harness.Context(runId, "train", StepHarness.Inputs(TinyPipelineFixture.TrainingInputs(tiny.Dataset, epochs: 3))));
        Assert.InRange(second["resumed_from_epoch"]!.GetValue<int>(), 1, 2);
        Assert.Equal(3, second["epochs_run"]!.GetValue<int>());
        Assert.Contains(harness.Log, l => l.StartsWith("resumed after epoch", StringComparison.Ordinal));
        Assert.DoesNotContain(harness.Log, l => l.StartsWith("epoch 1/3: started", StringComparison.Ordinal));

        // The resumed attempt continued the same tracked run: one run for this step execution, finished, with every epoch's val MRR once.
        var run = await tiny.Tracker.GetRunAsync(second["run_id"]!.GetValue<string>());
        Assert.Equal(RunStatus.Finished, run.Status);
        Assert.Equal(runId.ToString(), run.Tags["buddies.workflow_run"]);
        Assert.Equal("true", run.Tags["buddies.resumed"]);
        var history = await tiny.Tracker.GetMetricHistoryAsync(run.RunId, "val_mrr");
        Assert.Equal([1L, 2L, 3L], history.Select(p => p.Step).Distinct());
    }

    [Fact]
    public async Task A_dataset_that_is_not_prepared_fails_naming_the_input()
    {
        var harness = new StepHarness(tiny.Root);
        var error = await Assert.ThrowsAsync<StepInputException>(() => new TrainingBprStep(tiny.Artifacts, tiny.Tracker).ExecuteAsync(
            harness.Context(Guid.NewGuid(), "train", StepHarness.Inputs(("dataset", tiny.Synth["raw"]!.DeepClone()))),
            CancellationToken.None));
        Assert.Equal("dataset", error.Input);
        Assert.Contains("manifest.json", error.Message, StringComparison.Ordinal);
    }
}

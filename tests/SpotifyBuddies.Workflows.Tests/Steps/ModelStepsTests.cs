using System.Text.Json.Nodes;
using SpotifyBuddies.Core.ModelArtifacts;
using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Steps;

namespace SpotifyBuddies.Workflows.Tests.Steps;

/// <summary>model.evaluate and model.register on the tiny pipeline's trained model, with the real local registry.</summary>
/// <remarks>Each test registers under its own model name, so the tests do not see each other's versions.</remarks>
[Collection(TinyPipelineGroup.Name)]
public sealed class ModelStepsTests(TinyPipelineFixture tiny)
{
    private ModelEvaluateStep Evaluate => new(tiny.Tracker, tiny.Tracker);

    private ModelRegisterStep Register => new(tiny.Tracker, tiny.Tracker);

    [Fact]
    public async Task Evaluation_uses_the_training_evaluator_on_the_test_rows_and_passes_without_a_champion()
    {
        var harness = new StepHarness(tiny.Root);
        var outputs = await StepHarness.RunAsync(Evaluate, harness.Context(Guid.NewGuid(), "evaluate", StepHarness.Inputs(
            ("model_dir", tiny.ModelDir), ("dataset", tiny.Dataset), ("model_name", UniqueName()), ("min_lift_over_popularity", 0.0))));

        // The same evaluator on the same rows as training's final test evaluation: the same numbers.
        Assert.Equal(tiny.Train["test_mrr"]!.GetValue<double>(), outputs["test_mrr"]!.GetValue<double>());
        Assert.Equal(tiny.Train["test_hit_at_10"]!.GetValue<double>(), outputs["test_hit_at_10"]!.GetValue<double>());
        Assert.Equal(tiny.Train["popularity_test_mrr"]!.GetValue<double>(), outputs["popularity_mrr"]!.GetValue<double>());
        Assert.Equal(tiny.Prepare["test_rows"]!.GetValue<long>(), outputs["test_rows"]!.GetValue<long>());
        Assert.True(outputs["test_hit_at_1"]!.GetValue<double>() <= outputs["test_hit_at_5"]!.GetValue<double>());
        Assert.True(outputs["test_hit_at_5"]!.GetValue<double>() <= outputs["test_hit_at_10"]!.GetValue<double>());

        Assert.True(outputs["passed"]!.GetValue<bool>());
        Assert.Null(outputs["champion_version"]);
        Assert.Null(outputs["champion_mrr"]);
        var reasons = Reasons(outputs);
        Assert.Equal(3, reasons.Count);
        Assert.All(reasons, r => Assert.StartsWith("passed: ", r, StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("no champion", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_gate_that_cannot_pass_fails_the_model_with_its_reason()
    {
        var harness = new StepHarness(tiny.Root);

        // Popularity MRR is at least 1/51 (one positive among 50 negatives), so 1000× it is above any MRR.
        var outputs = await StepHarness.RunAsync(Evaluate, harness.Context(Guid.NewGuid(), "evaluate", StepHarness.Inputs(
            ("model_dir", tiny.ModelDir), ("dataset", tiny.Dataset), ("model_name", UniqueName()), ("min_lift_over_popularity", 1000.0))));
        Assert.False(outputs["passed"]!.GetValue<bool>());
        var failed = Assert.Single(Reasons(outputs), r => r.StartsWith("failed: ", StringComparison.Ordinal));
        Assert.Contains("popularity MRR", failed, StringComparison.Ordinal);
        Assert.Contains("× 1000", failed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_champion_is_fetched_from_the_registry_and_compared_on_the_same_rows()
    {
        var name = UniqueName();
        var harness = new StepHarness(tiny.Root);
        await StepHarness.RunAsync(Register, harness.Context(Guid.NewGuid(), "register", StepHarness.Inputs(("run_id", tiny.TrainRunId), ("model_dir", tiny.ModelDir), ("model_name", name))));

        // The champion is the same model: equal scores, and the regression gate passes at 0 tolerance.
        var same = await StepHarness.RunAsync(Evaluate, harness.Context(Guid.NewGuid(), "evaluate", StepHarness.Inputs(
            ("model_dir", tiny.ModelDir), ("dataset", tiny.Dataset), ("model_name", name), ("min_lift_over_popularity", 0.0),
            ("max_regression_vs_champion", 0.0))));
        Assert.Equal("1", same["champion_version"]!.GetValue<string>());
        Assert.Equal(same["test_mrr"]!.GetValue<double>(), same["champion_mrr"]!.GetValue<double>());
        Assert.True(same["passed"]!.GetValue<bool>());
        Assert.Contains(Reasons(same), r => r.StartsWith("passed: ", StringComparison.Ordinal) && r.Contains("champion version 1", StringComparison.Ordinal));

        // A model that knows nothing (all-zero embeddings) against the trained champion: the regression gate fails.
        var blank = await BlankCopyOfModelAsync();
        var worse = await StepHarness.RunAsync(Evaluate, harness.Context(Guid.NewGuid(), "evaluate", StepHarness.Inputs(
            ("model_dir", blank), ("dataset", tiny.Dataset), ("model_name", name), ("min_lift_over_popularity", 0.0))));
        Assert.True(worse["champion_mrr"]!.GetValue<double>() > worse["test_mrr"]!.GetValue<double>());
        Assert.False(worse["passed"]!.GetValue<bool>());
        var failed = Assert.Single(Reasons(worse), r => r.StartsWith("failed: ", StringComparison.Ordinal));
        Assert.Contains("champion version 1", failed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_champion_whose_files_cannot_be_fetched_fails_the_step_clearly()
    {
        var name = UniqueName();
        var experiment = await tiny.Tracker.GetOrCreateExperimentAsync("steps-tests");
        var empty = await tiny.Tracker.CreateRunAsync(new NewRun { ExperimentId = experiment.Id, RunName = "logged-nothing" });
        await tiny.Tracker.GetOrCreateModelAsync(name);
        var version = await tiny.Tracker.CreateVersionAsync(name, empty.ArtifactUri.TrimEnd('/') + "/model", empty.RunId);
        await tiny.Tracker.SetAliasAsync(name, ModelAliases.Champion, version.Version);

        var harness = new StepHarness(tiny.Root);
        var error = await Assert.ThrowsAsync<StepFailedException>(() => Evaluate.ExecuteAsync(
            harness.Context(Guid.NewGuid(), "evaluate", StepHarness.Inputs(("model_dir", tiny.ModelDir), ("dataset", tiny.Dataset), ("model_name", name))),
            CancellationToken.None));
        Assert.Contains($"version {version.Version} of '{name}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot download", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_from_another_dataset_is_matched_by_ids_and_evaluated()
    {
        var harness = new StepHarness(tiny.Root);
        var half = await StepHarness.RunAsync(new DataPrepareStep(), harness.Context(Guid.NewGuid(), "prepare", StepHarness.Inputs(
            ("raw", tiny.Synth["raw"]!.DeepClone()), ("sample_users", 0.5), ("threads", 2L))));
        Assert.NotEqual(tiny.Prepare["content_hash"]!.GetValue<string>(), half["content_hash"]!.GetValue<string>());

        harness.Log.Clear();
        var outputs = await StepHarness.RunAsync(Evaluate, harness.Context(Guid.NewGuid(), "evaluate", StepHarness.Inputs(
            ("model_dir", tiny.ModelDir), ("dataset", half["dataset"]!.DeepClone()), ("model_name", UniqueName()), ("min_lift_over_popularity", 0.0))));
        var users = half["users"]!.GetValue<long>();
        Assert.Contains(harness.Log, l => l.Contains($"matched by id: {users:N0}/{users:N0} users", StringComparison.Ordinal));
        Assert.Equal(half["test_rows"]!.GetValue<long>(), outputs["test_rows"]!.GetValue<long>());
        Assert.InRange(outputs["test_mrr"]!.GetValue<double>(), 1e-6, 1.0);
    }

    [Fact]
    public async Task Registering_creates_a_version_from_the_run_with_staging_and_the_first_champion()
    {
        var name = UniqueName();
        var harness = new StepHarness(tiny.Root);
        var outputs = await StepHarness.RunAsync(Register, harness.Context(Guid.NewGuid(), "register", StepHarness.Inputs(
            ("run_id", tiny.TrainRunId), ("model_dir", tiny.ModelDir), ("model_name", name))));

        Assert.Equal(name, outputs["model_name"]!.GetValue<string>());
        Assert.Equal("1", outputs["version"]!.GetValue<string>());
        Assert.Equal([ModelAliases.Champion, ModelAliases.Staging], Aliases(outputs));
        var run = await tiny.Tracker.GetRunAsync(tiny.TrainRunId);
        var version = await tiny.Tracker.GetVersionByAliasAsync(name, ModelAliases.Staging);
        Assert.NotNull(version);
        Assert.Equal("1", version.Version);
        Assert.Equal(tiny.TrainRunId, version.RunId);
        Assert.Equal(run.ArtifactUri.TrimEnd('/') + "/model", version.Source);
        Assert.Equal(tiny.Prepare["content_hash"]!.GetValue<string>(), version.Tags[TrackingTags.DatasetHash]);
    }

    [Fact]
    public async Task Registering_again_in_the_same_step_execution_finds_its_version_instead_of_creating_another()
    {
        var name = UniqueName();
        var harness = new StepHarness(tiny.Root);
        var runId = Guid.NewGuid();
        var inputs = StepHarness.Inputs(("run_id", tiny.TrainRunId), ("model_name", name), ("model_dir", tiny.ModelDir));
        var first = await StepHarness.RunAsync(Register, harness.Context(runId, "register", inputs));
        var second = await StepHarness.RunAsync(Register, harness.Context(runId, "register", (JsonObject)inputs.DeepClone()));

        Assert.True(JsonNode.DeepEquals(first, second));
        Assert.Single(await tiny.Tracker.ListVersionsAsync(name));
        Assert.Contains(harness.Log, l => l.Contains("registered by an earlier attempt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_later_workflow_run_adds_a_version_moves_staging_and_leaves_the_champion()
    {
        var name = UniqueName();
        var harness = new StepHarness(tiny.Root);
        StepContext Context() => harness.Context(Guid.NewGuid(), "register", StepHarness.Inputs(("run_id", tiny.TrainRunId), ("model_dir", tiny.ModelDir), ("model_name", name)));
        await StepHarness.RunAsync(Register, Context());
        var later = await StepHarness.RunAsync(Register, Context());

        Assert.Equal("2", later["version"]!.GetValue<string>());
        Assert.Equal([ModelAliases.Staging], Aliases(later));
        Assert.Equal("1", (await tiny.Tracker.GetVersionByAliasAsync(name, ModelAliases.Champion))!.Version);
        Assert.Equal("2", (await tiny.Tracker.GetVersionByAliasAsync(name, ModelAliases.Staging))!.Version);
    }

    [Fact]
    public async Task Registering_a_model_under_a_run_that_did_not_train_it_is_refused()
    {
        var experiment = await tiny.Tracker.GetOrCreateExperimentAsync("steps-tests");
        var other = await tiny.Tracker.CreateRunAsync(new NewRun { ExperimentId = experiment.Id, RunName = "someone-else" });
        var name = UniqueName();
        var harness = new StepHarness(tiny.Root);
        var error = await Assert.ThrowsAsync<StepFailedException>(() => Register.ExecuteAsync(
            harness.Context(Guid.NewGuid(), "register", StepHarness.Inputs(("run_id", other.RunId), ("model_dir", tiny.ModelDir), ("model_name", name))),
            CancellationToken.None));
        Assert.Contains($"trained by run {tiny.TrainRunId}", error.Message, StringComparison.Ordinal);
        Assert.Empty(await tiny.Tracker.ListVersionsAsync(name));
    }

    private static string UniqueName() => $"steps-tests-{Guid.NewGuid():N}"[..24];

    private static List<string> Reasons(JsonObject outputs) => [.. outputs["reasons"]!.AsArray().Select(r => r!.GetValue<string>())];

    private static List<string> Aliases(JsonObject outputs) => [.. outputs["aliases"]!.AsArray().Select(a => a!.GetValue<string>())];

    /// <summary>A copy of the trained model with every embedding zero (every score ties; ties count against the model).</summary>
    private async Task<string> BlankCopyOfModelAsync()
    {
        var copy = Path.Combine(tiny.Root, $"blank-model-{Guid.NewGuid():N}");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.EnumerateFiles(tiny.ModelDir))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        var manifest = await ModelManifest.ReadAsync(Path.Combine(copy, ModelManifest.FileName));
        SafeTensors.Write(
            Path.Combine(copy, manifest.EmbeddingsFile),
            [
                TensorData.FromFloats(ModelManifest.UserTensor, new float[manifest.Users * manifest.Dimensions], manifest.Users, manifest.Dimensions),
                TensorData.FromFloats(ModelManifest.PlaylistTensor, new float[manifest.Playlists * manifest.Dimensions], manifest.Playlists, manifest.Dimensions),
            ]);
        return copy;
    }
}

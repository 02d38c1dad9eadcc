using System.Text.Json;
using System.Text.Json.Nodes;
using SpotifyBuddies.Core.Artifacts;
using SpotifyBuddies.Data.Datasets;
using SpotifyBuddies.Data.Synthetic;
using SpotifyBuddies.Models.Pairing;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Steps;

namespace SpotifyBuddies.Workflows.Tests.Steps;

/// <summary>data.synth, data.prepare and pairing.knn on real tiny data: real outputs, reuse on a re-run, publishing.</summary>
[Collection(TinyPipelineGroup.Name)]
public sealed class DataStepsTests(TinyPipelineFixture tiny)
{
    [Fact]
    public void Synth_writes_the_tiny_preset_into_its_work_directory()
    {
        var raw = tiny.Synth["raw"]!.GetValue<string>();
        Assert.StartsWith(Path.Combine(tiny.Root, "runs", tiny.RunId.ToString("N"), "synth"), raw, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(raw, SyntheticDataGenerator.ManifestFileName)));
        Assert.True(File.Exists(Path.Combine(raw, SyntheticDataGenerator.TasteTripletsPath)));
        Assert.Equal(300, tiny.Synth["users"]!.GetValue<long>());
        Assert.Equal(600, tiny.Synth["playlists"]!.GetValue<long>());
        Assert.True(tiny.Synth["triplet_rows"]!.GetValue<long>() > 0);
    }

    [Fact]
    public async Task Synth_rerun_reuses_the_complete_output_and_another_seed_does_not()
    {
        var harness = new StepHarness(tiny.Root);
        var step = new DataSynthStep();
        var again = await StepHarness.RunAsync(step, harness.Context(tiny.RunId, "synth", StepHarness.Inputs(("preset", "tiny"), ("seed", 42L))));
        Assert.True(JsonNode.DeepEquals(tiny.Synth, again));
        Assert.Contains(harness.Log, l => l.StartsWith("reusing", StringComparison.Ordinal));

        var other = Guid.NewGuid();
        var reseeded = await StepHarness.RunAsync(step, harness.Context(other, "synth", StepHarness.Inputs(("preset", "tiny"), ("seed", 7L))));
        Assert.NotEqual(tiny.Synth["raw"]!.GetValue<string>(), reseeded["raw"]!.GetValue<string>());
        Assert.NotEqual(
            FileHashing.Sha256OfFile(Path.Combine(tiny.Synth["raw"]!.GetValue<string>(), SyntheticDataGenerator.TasteTripletsPath)),
            FileHashing.Sha256OfFile(Path.Combine(reseeded["raw"]!.GetValue<string>(), SyntheticDataGenerator.TasteTripletsPath)));
    }

    [Fact]
    public async Task Prepare_outputs_match_the_written_manifest()
    {
        var manifest = await DatasetManifest.ReadAsync(Path.Combine(tiny.Dataset, DatasetManifest.FileName));
        Assert.Equal(PreparedDatasetLayout.Kind, manifest.Kind);
        Assert.Equal(manifest.ContentHash, tiny.Prepare["content_hash"]!.GetValue<string>());
        Assert.Equal(DatasetManifest.ComputeContentHash(manifest.Files), manifest.ContentHash);
        foreach (var name in new[] { "users", "playlists", "triplets", "validation_rows", "test_rows" })
        {
            Assert.Equal(manifest.Counts[name], tiny.Prepare[name]!.GetValue<long>());
            Assert.True(manifest.Counts[name] > 0, name);
        }

        Assert.Equal(manifest.Counts.Count, tiny.Prepare["counts"]!.AsObject().Count);
        var tripletsFile = manifest.FileNamed(PreparedDatasetLayout.TripletsRaw);
        Assert.Equal(tripletsFile.Sha256, FileHashing.Sha256OfFile(Path.Combine(tiny.Dataset, tripletsFile.Name)));
    }

    [Fact]
    public async Task Prepare_rerun_reuses_the_dataset_but_changed_parameters_prepare_again()
    {
        var harness = new StepHarness(tiny.Root);
        var step = new DataPrepareStep();
        var raw = tiny.Synth["raw"]!.DeepClone();
        var again = await StepHarness.RunAsync(step, harness.Context(tiny.RunId, "prepare", StepHarness.Inputs(("raw", raw), ("threads", 2L))));
        Assert.True(JsonNode.DeepEquals(tiny.Prepare, again));
        Assert.Contains(harness.Log, l => l.StartsWith("reusing", StringComparison.Ordinal));

        harness.Log.Clear();
        var fewerNegatives = await StepHarness.RunAsync(step, harness.Context(Guid.NewGuid(), "prepare", StepHarness.Inputs(("raw", raw.DeepClone()), ("negatives", 2L), ("hard_negatives", 1L), ("threads", 2L))));
        Assert.DoesNotContain(harness.Log, l => l.StartsWith("reusing", StringComparison.Ordinal));
        Assert.Contains(harness.Log, l => l.Contains(": started", StringComparison.Ordinal));
        Assert.NotEqual(tiny.Prepare["content_hash"]!.GetValue<string>(), fewerNegatives["content_hash"]!.GetValue<string>());
        Assert.True(fewerNegatives["triplets"]!.GetValue<long>() < tiny.Prepare["triplets"]!.GetValue<long>());
    }

    [Fact]
    public async Task Prepare_with_a_raw_root_that_holds_no_inputs_names_the_input()
    {
        var harness = new StepHarness(tiny.Root);
        var empty = Directory.CreateDirectory(Path.Combine(tiny.Root, "empty-raw")).FullName;
        var error = await Assert.ThrowsAsync<StepInputException>(() =>
            new DataPrepareStep().ExecuteAsync(harness.Context(Guid.NewGuid(), "prepare", StepHarness.Inputs(("raw", empty))), CancellationToken.None));
        Assert.Equal("raw", error.Input);
        Assert.Contains("MPD input", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pairing_outputs_match_the_manifest_and_derive_from_the_dataset()
    {
        var pairing = tiny.Pair["pairing"]!.GetValue<string>();
        var manifest = await DatasetManifest.ReadAsync(Path.Combine(pairing, DatasetManifest.FileName));
        Assert.Equal(PairingLayout.Kind, manifest.Kind);
        Assert.Equal(manifest.ContentHash, tiny.Pair["content_hash"]!.GetValue<string>());
        Assert.Equal(tiny.Prepare["content_hash"]!.GetValue<string>(), tiny.Pair["parent"]!.GetValue<string>());
        Assert.Equal(tiny.Prepare["users"]!.GetValue<long>(), tiny.Pair["users"]!.GetValue<long>());
        Assert.Equal(
            tiny.Pair["users"]!.GetValue<long>(),
            tiny.Pair["users_with_pool"]!.GetValue<long>() + tiny.Pair["no_pool_users"]!.GetValue<long>());
        Assert.True(tiny.Pair["pool_rows"]!.GetValue<long>() > 0);
        Assert.Equal(manifest.FileNamed(PairingLayout.Pools).Rows, tiny.Pair["pool_rows"]!.GetValue<long>());
    }

    [Fact]
    public async Task Publishing_stores_every_file_and_points_the_pointer_at_the_version()
    {
        Assert.Equal(ArtifactKeys.Current("pairing"), tiny.Pair["pointer_key"]!.GetValue<string>());
        var prefix = tiny.Pair["published_key"]!.GetValue<string>();
        var hash = tiny.Pair["content_hash"]!.GetValue<string>();
        Assert.Equal($"datasets/pairing/{hash[..16]}/", prefix);

        await using var stream = await tiny.Artifacts.OpenReadAsync(ArtifactKeys.Current("pairing"));
        var pointer = (await JsonNode.ParseAsync(stream))!.AsObject();
        Assert.Equal(hash, pointer["content_hash"]!.GetValue<string>());
        Assert.Equal(prefix, pointer["prefix"]!.GetValue<string>());
        Assert.Equal(tiny.RunId.ToString(), pointer["run_id"]!.GetValue<string>());

        var manifest = await DatasetManifest.ReadAsync(Path.Combine(tiny.Pair["pairing"]!.GetValue<string>(), DatasetManifest.FileName));
        foreach (var file in manifest.Files)
        {
            var stored = await tiny.Artifacts.StatAsync(prefix + file.Name);
            Assert.NotNull(stored);
            Assert.Equal(file.Sha256, stored.Sha256);
        }

        Assert.Equal(prefix + PairingLayout.Pools, pointer["pools"]!.GetValue<string>());
        Assert.NotNull(await tiny.Artifacts.StatAsync(prefix + DatasetManifest.FileName));
    }

    [Fact]
    public async Task Pairing_rerun_with_publish_reuses_the_output_and_uploads_nothing_new()
    {
        var harness = new StepHarness(tiny.Root);
        var again = await StepHarness.RunAsync(
            new PairingKnnStep(tiny.Artifacts),
            harness.Context(tiny.RunId, "pair", StepHarness.Inputs(("dataset", tiny.Dataset), ("publish", true), ("threads", 2L))));
        Assert.True(JsonNode.DeepEquals(tiny.Pair, again));
        Assert.Contains(harness.Log, l => l.StartsWith("reusing", StringComparison.Ordinal));
        Assert.Contains(harness.Log, l => l.StartsWith("published 0 file(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pairing_without_publish_returns_no_published_key()
    {
        var harness = new StepHarness(tiny.Root);
        var outputs = await StepHarness.RunAsync(
            new PairingKnnStep(tiny.Artifacts),
            harness.Context(Guid.NewGuid(), "pair", StepHarness.Inputs(("dataset", tiny.Dataset), ("pool_size", 10L), ("threads", 2L))));
        Assert.Null(outputs["published_key"]);
        Assert.NotEqual(tiny.Pair["content_hash"]!.GetValue<string>(), outputs["content_hash"]!.GetValue<string>());
        Assert.Equal(JsonValueKind.String, outputs["pairing"]!.GetValueKind());
    }
}

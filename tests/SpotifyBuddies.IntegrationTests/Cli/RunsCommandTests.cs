using System.Text.Json;

namespace SpotifyBuddies.IntegrationTests.Cli;

/// <summary>
/// Two real <c>buddies train</c> runs (tiny dataset, 3 and 2 epochs) tracked in one local tracker, read back by
/// <c>buddies runs list|show</c>. Shared by the tests of <see cref="RunsCommandTests"/>, which only read it.
/// </summary>
public sealed class TrackedRunsFixture : IAsyncLifetime, IDisposable
{
    public const int Epochs = 3;

    private readonly TempDir _dir = new();

    public string Tracking => _dir.Sub("tracking");

    public string Artifacts => _dir.Sub("artifacts");

    /// <summary>The <c>train --json</c> output of the 3-epoch run and of the 2-epoch run.</summary>
    public JsonElement ThreeEpochs { get; private set; }

    public JsonElement TwoEpochs { get; private set; }

    public string[] Store => ["--tracking", Tracking, "--artifacts", Artifacts];

    public async Task InitializeAsync()
    {
        var synth = await BuddiesProcess.RunAsync("data", "synth", "--preset", "tiny", "--out", _dir.Sub("raw"));
        Assert.True(synth.ExitCode == 0, synth.ToString());
        var prepare = await BuddiesProcess.RunAsync("data", "prepare", _dir.Sub("raw"), "--out", _dir.Sub("dataset"));
        Assert.True(prepare.ExitCode == 0, prepare.ToString());

        ThreeEpochs = await TrainAsync("three-epochs", Epochs);
        TwoEpochs = await TrainAsync("two-epochs", 2);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _dir.Dispose();

    private async Task<JsonElement> TrainAsync(string name, int epochs)
    {
        var train = await BuddiesProcess.RunAsync(
            ["train", _dir.Sub("dataset"), "--out", _dir.Sub(name), "--epochs", $"{epochs}", "--patience", "50",
             "--backend", "native", "--threads", "1", "--dim", "16", .. Store, "--json"]);
        Assert.True(train.ExitCode == 0, train.ToString());
        return train.Json();
    }
}

/// <summary><c>buddies runs list|show</c> as a process, on runs recorded by <c>buddies train</c>.</summary>
public sealed class RunsCommandTests(TrackedRunsFixture runs) : IClassFixture<TrackedRunsFixture>
{
    [Fact]
    public async Task List_AfterTraining_ShowsEachRunWithItsMetricsAndBackend()
    {
        var result = await BuddiesProcess.RunAsync(["runs", "list", .. runs.Store, "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json();
        Assert.Equal("spotify-buddies", json.GetProperty("experiment").GetProperty("name").GetString());
        Assert.False(json.GetProperty("more").GetBoolean());
        var listed = json.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(2, listed.Count);

        var run = Assert.Single(listed, r => r.GetProperty("run_id").GetString() == runs.ThreeEpochs.GetProperty("run_id").GetString());
        Assert.Equal("finished", run.GetProperty("status").GetString());
        var metrics = run.GetProperty("metrics");
        Assert.Equal(runs.ThreeEpochs.GetProperty("best_val").GetProperty("mrr").GetDouble(), metrics.GetProperty("best_val_mrr").GetDouble());
        var lastEvaluation = runs.ThreeEpochs.GetProperty("history")[TrackedRunsFixture.Epochs - 1];
        Assert.Equal(lastEvaluation.GetProperty("val").GetProperty("mrr").GetDouble(), metrics.GetProperty("val_mrr").GetDouble());
        Assert.Equal(runs.ThreeEpochs.GetProperty("test").GetProperty("mrr").GetDouble(), metrics.GetProperty("test_mrr").GetDouble());
        Assert.Equal("native", run.GetProperty("tags").GetProperty("buddies.backend").GetString());
    }

    [Fact]
    public async Task List_AsATable_ShowsTheRunIdsAndKeyMetricColumns()
    {
        var result = await BuddiesProcess.RunAsync(["runs", "list", .. runs.Store]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(runs.ThreeEpochs.GetProperty("run_id").GetString()!, result.Stdout, StringComparison.Ordinal);
        Assert.Contains(runs.TwoEpochs.GetProperty("run_id").GetString()!, result.Stdout, StringComparison.Ordinal);
        Assert.Contains("best_val_mrr", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("FINISHED", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_WithFilterOrderAndMax_SelectsSortsAndPages()
    {
        var threeId = runs.ThreeEpochs.GetProperty("run_id").GetString();
        var twoId = runs.TwoEpochs.GetProperty("run_id").GetString();

        var filtered = await BuddiesProcess.RunAsync(["runs", "list", .. runs.Store, "--filter", "metrics.epochs_run >= 3", "--json"]);
        Assert.True(filtered.ExitCode == 0, filtered.ToString());
        Assert.Equal(new[] { threeId }, Ids(filtered));

        var ascending = await BuddiesProcess.RunAsync(["runs", "list", .. runs.Store, "--order-by", "metrics.epochs_run ASC", "--json"]);
        var descending = await BuddiesProcess.RunAsync(["runs", "list", .. runs.Store, "--order-by", "metrics.epochs_run DESC", "--json"]);
        Assert.Equal(new[] { twoId, threeId }, Ids(ascending));
        Assert.Equal(new[] { threeId, twoId }, Ids(descending));

        var first = await BuddiesProcess.RunAsync(["runs", "list", .. runs.Store, "--order-by", "metrics.epochs_run DESC", "--max", "1", "--json"]);
        Assert.Equal(new[] { threeId }, Ids(first));
        Assert.True(first.Json().GetProperty("more").GetBoolean());
    }

    [Fact]
    public async Task List_WithAnInvalidFilter_ExitsOneWithTheTrackersMessage()
    {
        var result = await BuddiesProcess.RunAsync(["runs", "list", .. runs.Store, "--filter", "metrics.val_mrr > 0.1 OR metrics.val_mrr < 0.1"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("OR", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_OfAnUnknownExperiment_SaysSoAndCreatesNothing()
    {
        var experiments = Directory.GetDirectories(Path.Combine(runs.Tracking, "experiments")).Length;

        var result = await BuddiesProcess.RunAsync(["runs", "list", .. runs.Store, "--experiment", "no-such-experiment"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no experiment 'no-such-experiment'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("spotify-buddies", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(experiments, Directory.GetDirectories(Path.Combine(runs.Tracking, "experiments")).Length);
    }

    [Fact]
    public async Task List_WhereNothingWasTracked_ExitsOneWithoutCreatingATracker()
    {
        using var dir = new TempDir();

        var result = await BuddiesProcess.RunAsync("runs", "list", "--tracking", dir.Sub("tracking"), "--artifacts", dir.Sub("artifacts"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no local tracker", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Sub("tracking")));
    }

    [Fact]
    public async Task Show_GivesOneHistoryPointPerEpochAndTheModelArtifacts()
    {
        var runId = runs.ThreeEpochs.GetProperty("run_id").GetString()!;

        var result = await BuddiesProcess.RunAsync(["runs", "show", runId, .. runs.Store, "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json();
        Assert.Equal(runId, json.GetProperty("run").GetProperty("run_id").GetString());
        Assert.Equal("16", json.GetProperty("run").GetProperty("params").GetProperty("embedding_dim").GetString());

        var expectedSteps = Enumerable.Range(1, TrackedRunsFixture.Epochs).Select(s => (long)s).ToList();
        var loss = json.GetProperty("history").GetProperty("train_loss").EnumerateArray().ToList();
        Assert.Equal(expectedSteps, loss.Select(p => p.GetProperty("step").GetInt64()).ToList());
        var lossPerEpoch = runs.ThreeEpochs.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("train_loss").GetDouble()).ToList();
        Assert.Equal(lossPerEpoch, loss.Select(p => p.GetProperty("value").GetDouble()).ToList());
        var valMrr = json.GetProperty("history").GetProperty("val_mrr").EnumerateArray().ToList();
        Assert.Equal(expectedSteps, valMrr.Select(p => p.GetProperty("step").GetInt64()).ToList());
        var valPerEpoch = runs.ThreeEpochs.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("val").GetProperty("mrr").GetDouble()).ToList();
        Assert.Equal(valPerEpoch, valMrr.Select(p => p.GetProperty("value").GetDouble()).ToList());

        var artifacts = json.GetProperty("artifacts").EnumerateArray()
            .ToDictionary(a => a.GetProperty("path").GetString()!, a => a.GetProperty("is_directory").GetBoolean());
        Assert.True(artifacts["model"]);
        Assert.False(artifacts["model/model.json"]);
        Assert.False(artifacts["model/embeddings.safetensors"]);
    }

    [Fact]
    public async Task Show_AsTables_PrintsTheHistoryRowsAndTheArtifactTree()
    {
        var runId = runs.ThreeEpochs.GetProperty("run_id").GetString()!;

        var result = await BuddiesProcess.RunAsync(["runs", "show", runId, .. runs.Store, "--metric", "train_loss"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Metric history", result.Stdout, StringComparison.Ordinal);
        var loss = runs.ThreeEpochs.GetProperty("history")[TrackedRunsFixture.Epochs - 1].GetProperty("train_loss").GetDouble();
        Assert.Contains(loss.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture), result.Stdout, StringComparison.Ordinal);
        Assert.Contains("model/", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("embeddings.safetensors", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_OfAnUnknownRun_ExitsOneNamingIt()
    {
        var result = await BuddiesProcess.RunAsync(["runs", "show", "0123456789abcdef", .. runs.Store]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no run '0123456789abcdef'", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    private static List<string?> Ids(CliResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return [.. result.Json().GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("run_id").GetString())];
    }
}

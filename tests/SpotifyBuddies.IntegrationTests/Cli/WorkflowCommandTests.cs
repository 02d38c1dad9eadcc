namespace SpotifyBuddies.IntegrationTests.Cli;

/// <summary><c>buddies workflow …</c> as a process (Local profile: SQLite run store, steps run in the command).</summary>
public sealed class WorkflowCommandTests
{
    [Fact]
    public async Task Validate_PrintsEveryProblemWithItsPosition_AndExitsOne()
    {
        using var dir = new TempDir();
        var bad = dir.Sub("bad.yaml");
        await File.WriteAllTextAsync(bad, """
            apiVersion: spotifybuddies/v1
            kind: Workflow
            metadata: { name: bad }
            schedule: { cron: "61 * * * *" }
            steps:
              - id: a
                uses: data.prepair
              - id: b
                uses: training.bpr
                needs: [a, ghost]
                with: { epochs: five, dataset: "${{ steps.a.outputs.dataset }}" }
            """);

        var result = await BuddiesProcess.RunAsync("workflow", "validate", bad, Path.Combine(AppContext.BaseDirectory, "workflows", "weekly-retrain.yaml"));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"{bad}:4:19: invalid-cron", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{bad}:7:11: unknown-step: steps[0].uses: no step named 'data.prepair'", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("did you mean 'data.prepare'", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{bad}:10:16: unknown-needs", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{bad}:11:21: type-mismatch: steps[1].with.epochs", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"ok\s+\S*weekly-retrain\.yaml", result.Stdout);

        var json = await BuddiesProcess.RunAsync("workflow", "validate", bad, "--json");
        Assert.Equal(1, json.ExitCode);
        var problems = json.Json()[0].GetProperty("problems");
        Assert.Equal(4, problems.GetArrayLength());
        Assert.Equal("unknown-step", problems.EnumerateArray().Single(p => p.GetProperty("position").GetProperty("line").GetInt32() == 7).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Run_InTheLocalProfile_RunsTheWorkflowAndTheRunCanBeListedAndShown()
    {
        using var dir = new TempDir();
        var environment = new Dictionary<string, string>
        {
            ["BUDDIES_WORKFLOWS__SQLITEPATH"] = dir.Sub("buddies.db"),
            ["BUDDIES_WORKFLOWS__WORKROOT"] = dir.Sub("work"),
        };

        var run = await BuddiesProcess.RunAsync(environment, ["workflow", "run", "sample-data", "--param", "preset=tiny", "--param", "seed=3", "--json"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var details = run.Json();
        Assert.Equal("succeeded", details.GetProperty("status").GetString());
        Assert.Equal(3, details.GetProperty("parameters").GetProperty("seed").GetInt32());
        var synth = details.GetProperty("steps").EnumerateArray().Single();
        Assert.True(Directory.Exists(Path.Combine(synth.GetProperty("outputs").GetProperty("raw").GetString()!, "mpd")));
        Assert.StartsWith(dir.Sub("work"), synth.GetProperty("outputs").GetProperty("raw").GetString(), StringComparison.Ordinal);
        var id = details.GetProperty("id").GetString()!;

        var runs = await BuddiesProcess.RunAsync(environment, ["workflow", "runs", "--json"]);
        Assert.Equal(id, Assert.Single(runs.Json().EnumerateArray()).GetProperty("id").GetString());

        var show = await BuddiesProcess.RunAsync(environment, ["workflow", "show", id, "--logs"]);
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains("data.synth · attempt 1", show.Stdout, StringComparison.Ordinal);

        var cancel = await BuddiesProcess.RunAsync(environment, ["workflow", "cancel", id]);
        Assert.Equal(1, cancel.ExitCode);
        Assert.Contains("has already ended (succeeded)", cancel.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RefusesUnknownWorkflowsAndBadParameters_WithoutStartingAnything()
    {
        using var dir = new TempDir();
        var environment = new Dictionary<string, string> { ["BUDDIES_WORKFLOWS__SQLITEPATH"] = dir.Sub("buddies.db"), ["BUDDIES_WORKFLOWS__WORKROOT"] = dir.Sub("work") };

        var unknown = await BuddiesProcess.RunAsync(environment, ["workflow", "run", "no-such-workflow"]);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no workflow named 'no-such-workflow'", unknown.Stderr, StringComparison.Ordinal);

        var bad = await BuddiesProcess.RunAsync(environment, ["workflow", "run", "sample-data", "--param", "seed=abc", "--param", "colour=red", "--param", "oops"]);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("--param 'oops' must be name=value", bad.Stderr, StringComparison.Ordinal);

        var typed = await BuddiesProcess.RunAsync(environment, ["workflow", "run", "sample-data", "--param", "seed=abc", "--param", "colour=red"]);
        Assert.Equal(1, typed.ExitCode);
        Assert.Contains("'seed' must be an integer, got 'abc'", typed.Stderr, StringComparison.Ordinal);
        Assert.Contains("'colour' is not a parameter of workflow 'sample-data'", typed.Stderr, StringComparison.Ordinal);

        var runs = await BuddiesProcess.RunAsync(environment, ["workflow", "runs", "--json"]);
        Assert.Equal(0, runs.Json().GetArrayLength());
    }

    [Fact]
    public async Task Run_WhoseStepFails_ExitsTwoAndShowsTheStepsError()
    {
        using var dir = new TempDir();
        var environment = new Dictionary<string, string> { ["BUDDIES_WORKFLOWS__SQLITEPATH"] = dir.Sub("buddies.db"), ["BUDDIES_WORKFLOWS__WORKROOT"] = dir.Sub("work") };

        var result = await BuddiesProcess.RunAsync(environment, ["workflow", "run", "sample-data", "--param", "preset=enormous"]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("failed", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("enormous", result.Stdout, StringComparison.Ordinal);
    }
}

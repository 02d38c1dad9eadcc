using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Infrastructure.Postgres;
using SpotifyBuddies.Infrastructure.Tests.Testing;
using SpotifyBuddies.Infrastructure.Workflows;
using SpotifyBuddies.IntegrationTests.Cli;

namespace SpotifyBuddies.IntegrationTests.Workflows;

/// <summary>
/// Crash and resume with real processes, SIGKILL while the training step runs: (1) a <c>buddies worker</c> on
/// PostgreSQL (run store and Hangfire storage) — a second worker picks the job up once Hangfire's invisibility timeout
/// has passed; (2) a Local <c>buddies workflow run</c> (SQLite, in-memory Hangfire) — the next Local host dispatches the
/// step again. Either way training resumes from its checkpoint and the steps that had finished are not run again.
/// </summary>
[Collection(HangfireGroup.Name)]
public sealed class CrashResumeTests
{
    private const string Definition = """
        apiVersion: spotifybuddies/v1
        kind: Workflow
        metadata: { name: crash }
        steps:
          - id: synth
            uses: data.synth
            with: { preset: small, seed: 7 }
          - id: prepare
            uses: data.prepare
            needs: [synth]
            with: { raw: "${{ steps.synth.outputs.raw }}" }
          - id: train
            uses: training.bpr
            needs: [prepare]
            with: { dataset: "${{ steps.prepare.outputs.dataset }}", epochs: 15, patience: 15, threads: 1 }
        """;

    [PostgresFact]
    public async Task Worker_KilledMidStep_ASecondWorkerFinishesTheRun_WithoutRunningFinishedStepsAgain()
    {
        using var dir = new TempDir();
        var schema = $"t{Guid.NewGuid():N}"[..13];
        var connection = TestPostgres.RequireConnectionString();
        var environment = Environment(dir);
        environment["BUDDIES_WORKFLOWS__STORE"] = "postgres";
        environment["BUDDIES_POSTGRES__CONNECTIONSTRING"] = connection;
        environment["BUDDIES_POSTGRES__SCHEMANAME"] = schema + "_store";
        environment["BUDDIES_HANGFIRE__SCHEMANAME"] = schema + "_hangfire";
        environment["BUDDIES_HANGFIRE__INVISIBILITYTIMEOUT"] = "00:00:05";
        environment["BUDDIES_HANGFIRE__QUEUEPOLLINTERVAL"] = "00:00:00.500";
        try
        {
            await using var store = await OpenPostgresStoreAsync(connection, schema + "_store");

            // A worker runs the steps; the run is queued by a separate 'workflow run' process.
            await KillMidTrainingThenResumeAsync(dir, store.Store, environment, startsTheRun: false);
        }
        finally
        {
            await using var dataSource = NpgsqlDataSource.Create(connection);
            foreach (var suffix in new[] { "_store", "_hangfire" })
            {
                await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}{suffix}\" CASCADE");
                await drop.ExecuteNonQueryAsync();
            }
        }
    }

    [Fact]
    public async Task LocalRun_KilledMidStep_TheNextLocalHostFinishesIt_WithoutRunningFinishedStepsAgain()
    {
        using var dir = new TempDir();
        var environment = Environment(dir);
        environment["BUDDIES_WORKFLOWS__SQLITEPATH"] = dir.Sub("buddies.db");
        var store = new SqliteWorkflowRunStore(dir.Sub("buddies.db"));
        await store.InitializeAsync();

        // Local profile: 'workflow run' runs the steps in its own process (in-memory Hangfire); after it is killed,
        // a Local worker finds the run active in SQLite and dispatches the interrupted step again.
        await KillMidTrainingThenResumeAsync(dir, store, environment, startsTheRun: true);
    }

    private static Dictionary<string, string> Environment(TempDir dir)
    {
        Directory.CreateDirectory(dir.Sub("workflows"));
        File.WriteAllText(dir.Sub("workflows", "crash.yaml"), Definition);
        return new Dictionary<string, string>
        {
            ["BUDDIES_PROFILE"] = "Local",
            ["BUDDIES_WORKFLOWS__DEFINITIONSDIRECTORY"] = dir.Sub("workflows"),
            ["BUDDIES_WORKFLOWS__WORKROOT"] = dir.Sub("work"),
        };
    }

    /// <param name="startsTheRun">Whether the process that starts the run also runs its steps (Local); else a worker does.</param>
    private static async Task KillMidTrainingThenResumeAsync(TempDir dir, IWorkflowRunStore store, Dictionary<string, string> environment, bool startsTheRun)
    {
        string[] locations = ["--artifacts", dir.Sub("artifacts"), "--tracking", dir.Sub("tracking")];
        Guid runId;
        using (var first = startsTheRun
            ? Start(environment, ["workflow", "run", "crash", .. locations])
            : Start(environment, ["worker", .. locations]))
        {
            if (startsTheRun)
            {
                await WaitUntilAsync(async () => (await store.ListRunsAsync(new RunQuery())).Count > 0, first);
                runId = (await store.ListRunsAsync(new RunQuery()))[0].Id;
            }
            else
            {
                // Hangfire.PostgreSql installs its schema at start; let the worker finish that before a second process starts.
                await WaitUntilAsync(() => Task.FromResult(Output(first).Contains("worker: ", StringComparison.Ordinal)), first);
                var started = await BuddiesProcess.RunAsync(environment, ["workflow", "run", "crash", .. locations]);
                Assert.True(started.ExitCode == 0, started.ToString());
                Assert.True(Guid.TryParse(started.Stdout.Trim(), out runId), started.ToString());
            }

            // SIGKILL the process running the steps once training has written its second epoch checkpoint.
            await WaitUntilAsync(() => Task.FromResult(Directory.Exists(dir.Sub("artifacts")) &&
                Directory.EnumerateFiles(dir.Sub("artifacts"), "epoch-0002.safetensors", SearchOption.AllDirectories).Any()), first);
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }

        var before = await store.GetStepsAsync(runId);
        Assert.Equal(StepStatus.Running, before.Single(s => s.StepId == "train").Status);
        Assert.All(before.Where(s => s.StepId != "train"), s => Assert.Equal(StepStatus.Succeeded, s.Status));

        using (var second = Start(environment, ["worker", .. locations]))
        {
            await WaitUntilAsync(async () => (await store.GetRunAsync(runId))!.Status.IsTerminal(), second);
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync();
        }

        var run = (await store.GetRunAsync(runId))!;
        var after = await store.GetStepsAsync(runId);
        Assert.True(run.Status == RunStatus.Succeeded, $"{run.Status}: {run.Error}\n{string.Join("\n", after.Select(s => s.Logs))}");
        foreach (var finished in before.Where(s => s.StepId != "train"))
        {
            var now = after.Single(s => s.StepId == finished.StepId);
            Assert.Equal(finished.StartedAt, now.StartedAt);
            Assert.Equal(finished.FinishedAt, now.FinishedAt);
            Assert.Equal(1, now.Attempt);
            Assert.DoesNotContain("again", now.Logs, StringComparison.Ordinal);
        }

        var train = after.Single(s => s.StepId == "train");
        Assert.Equal(1, train.Attempt);
        Assert.Contains(startsTheRun ? "dispatched again" : "delivered again after an interruption", train.Logs, StringComparison.Ordinal);
        var resumedFrom = System.Text.Json.Nodes.JsonNode.Parse(train.OutputsJson!)!["resumed_from_epoch"]!.GetValue<long>();
        Assert.InRange(resumedFrom, 2, 14);
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Process, System.Text.StringBuilder> Outputs = [];

    private static string Output(Process process)
    {
        var output = Outputs.GetValue(process, _ => new System.Text.StringBuilder());
        lock (output)
        {
            return output.ToString();
        }
    }

    private static Process Start(Dictionary<string, string> environment, string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "buddies.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        start.Environment["NO_COLOR"] = "1";
        var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        Outputs.Add(process, output);
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Process worker)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.False(worker.HasExited, $"the process exited with {(worker.HasExited ? worker.ExitCode : 0)}:\n{Output(worker)}");
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(4), "timed out waiting for the run");
            await Task.Delay(100);
        }
    }

    private static async Task<StoreHandle> OpenPostgresStoreAsync(string connection, string schema)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [PostgresOptions.SectionName + ":" + nameof(PostgresOptions.ConnectionString)] = connection,
            [PostgresOptions.SectionName + ":" + nameof(PostgresOptions.SchemaName)] = schema,
        }).Build());
        services.AddPostgres();
        services.AddPostgresWorkflowStore();
        var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IWorkflowRunStore>();
        await store.InitializeAsync();
        return new StoreHandle(provider, store);
    }

    private sealed record StoreHandle(ServiceProvider Provider, IWorkflowRunStore Store) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Provider.DisposeAsync();
    }
}

using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Infrastructure.Workflows;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Definitions;
using SpotifyBuddies.Workflows.Execution;

namespace SpotifyBuddies.IntegrationTests.Workflows;

/// <summary>
/// While a step runs, the engine polls the run store to notice a cancelled run, and sends the step's log lines to it in
/// batches. When the store is briefly unreachable (a database fail-over, a dropped connection) both fail: the step
/// must carry on, the process must live (an exception escaping the poll's timer callback would end the whole worker
/// process, this test host included), and the log lines must arrive once the store is back.
/// </summary>
[Collection(HangfireGroup.Name)]
public sealed class StoreOutageTests : IAsyncLifetime
{
    private const string Workflow = """
        apiVersion: spotifybuddies/v1
        kind: Workflow
        metadata: { name: outage }
        parameters:
          polls: { type: integer, default: 4 }
        steps:
          - id: work
            uses: test.outage
            with: { polls: "${{ params.polls }}" }
          - id: after
            uses: test.outage
            needs: [work]
            with: { polls: 0 }
        """;

    private readonly string _root = Directory.CreateTempSubdirectory("buddies-outage-").FullName;
    private readonly OutageStore.Switch _outage = new();
    private EngineHost _host = null!;

    public async Task InitializeAsync()
    {
        var definitions = Directory.CreateDirectory(Path.Combine(_root, "workflows")).FullName;
        await File.WriteAllTextAsync(Path.Combine(definitions, "outage.yaml"), Workflow);
        _host = await EngineHost.StartLocalAsync(_root, services =>
        {
            services.AddSingleton<IWorkflowRunStore>(provider => new OutageStore(provider.GetRequiredService<SqliteWorkflowRunStore>(), _outage));
            services.AddSingleton<IWorkflowStep>(new OutageStep(_outage));
        });
        Assert.True(_host.Engine.DefinitionProblems.Count == 0, string.Join("\n", _host.Engine.DefinitionProblems));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task ARunStoreOutageDuringAStep_DelaysOnlyCancellationChecksAndLogs_AndTheRunSucceedsWithItsWholeLog()
    {
        var details = await RunAsync(polls: 4);

        Assert.True(_outage.FailedReads > 0, "the outage never hit a cancellation check, so the test proved nothing");
        Assert.True(_outage.FailedAppends > 0, "the outage never hit a log batch, so the test proved nothing");
        Assert.Equal(RunStatus.Succeeded, details.Run.Status);
        Assert.All(details.Steps, s => Assert.Equal(StepStatus.Succeeded, s.Status));
        Assert.All(details.Steps, s => Assert.Equal(1, s.Attempt));
        var log = details.Steps.Single(s => s.StepId == "work").Logs;
        Assert.Contains("test.outage · attempt 1", log, StringComparison.Ordinal);
        Assert.Contains("written during the outage", log, StringComparison.Ordinal);
        Assert.Contains("succeeded", log, StringComparison.Ordinal);
        Assert.Equal(1, _outage.Executions("work"));
    }

    [Fact]
    public async Task AStoreOutageWhileRecordingAStepsOutcome_FailsItsJob_AndHangfireDeliversItAgain_SoTheRunFinishes()
    {
        _outage.FailNextSuccessOf = "work";

        var details = await RunAsync(polls: 0);

        Assert.Null(_outage.FailNextSuccessOf); // the outage happened
        Assert.Equal(RunStatus.Succeeded, details.Run.Status);
        Assert.All(details.Steps, s => Assert.Equal(StepStatus.Succeeded, s.Status));
        var work = details.Steps.Single(s => s.StepId == "work");
        Assert.Equal(1, work.Attempt); // an interruption, not a failed attempt
        Assert.Contains("delivered again after an interruption", work.Logs, StringComparison.Ordinal);
        Assert.Equal(2, _outage.Executions("work")); // the step resumed (ran again), as after a crash
        Assert.Equal(1, _outage.Executions("after"));
    }

    private async Task<RunDetails> RunAsync(int polls)
    {
        var started = await _host.Engine.StartRunAsync(new StartRunRequest
        {
            Workflow = "outage",
            Parameters = new Dictionary<string, JsonNode?> { ["polls"] = polls },
            Trigger = new RunTrigger(TriggerKinds.Manual, "test"),
        });

        RunDetails? details = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (details?.Run.Status.IsTerminal() != true)
        {
            Assert.True(DateTime.UtcNow < deadline, "the run did not end within 60 s");
            await Task.Delay(100);
            try
            {
                details = await _host.Engine.GetRunAsync(started.Run.Id);
            }
            catch (IOException)
            {
                // the simulated outage: this read fails like the engine's own
            }
        }

        return details;
    }

    /// <summary>
    /// <c>test.outage</c>: turns the store's run reads and log appends off, writes a log line, waits until <c>polls</c>
    /// cancellation checks and a log batch have failed (or 10 s), and turns the store on again. The step itself touches
    /// no run, so only the engine's checks and log batches fail.
    /// </summary>
    private sealed class OutageStep(OutageStore.Switch outage) : IWorkflowStep
    {
        public StepDescriptor Descriptor { get; } = new()
        {
            Name = "test.outage",
            Title = "test.outage",
            Category = "test",
            Inputs = [new("polls", DataType.Integer, "failed cancellation checks to wait for", Required: true)],
            Outputs = [new("failed_reads", DataType.Integer, "the store's failed run reads so far")],
        };

        public async Task<JsonObject> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            outage.CountExecution(context.StepId);
            var polls = context.GetInteger("polls");
            var target = outage.FailedReads + polls;
            var appends = outage.FailedAppends + (polls > 0 ? 1 : 0);
            outage.On = polls > 0;
            try
            {
                context.Log("written during the outage");
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
                while ((outage.FailedReads < target || outage.FailedAppends < appends) && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(50, cancellationToken);
                }
            }
            finally
            {
                outage.On = false;
            }

            return new JsonObject { ["failed_reads"] = outage.FailedReads };
        }
    }

    /// <summary>The real SQLite store, except that run reads and log appends throw while the switch is on.</summary>
    private sealed class OutageStore(IWorkflowRunStore inner, OutageStore.Switch outage) : IWorkflowRunStore
    {
        public sealed class Switch
        {
            private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _executions = new();
            private int _failedReads;
            private int _failedAppends;
            private volatile bool _on;

            public bool On { get => _on; set => _on = value; }

            public int FailedReads => Volatile.Read(ref _failedReads);

            public int FailedAppends => Volatile.Read(ref _failedAppends);

            public void CountFailedRead() => Interlocked.Increment(ref _failedReads);

            public void CountFailedAppend() => Interlocked.Increment(ref _failedAppends);

            /// <summary>The step whose next move to succeeded the store refuses once (then null).</summary>
            public string? FailNextSuccessOf { get; set; }

            public int Executions(string stepId) => _executions.GetValueOrDefault(stepId);

            public void CountExecution(string stepId) => _executions.AddOrUpdate(stepId, 1, (_, n) => n + 1);
        }

        public Task<WorkflowRun?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default)
        {
            if (outage.On)
            {
                outage.CountFailedRead();
                throw new IOException("the run store is unreachable (simulated outage)");
            }

            return inner.GetRunAsync(runId, cancellationToken);
        }

        public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

        public Task CreateRunAsync(WorkflowRun run, CancellationToken cancellationToken = default) => inner.CreateRunAsync(run, cancellationToken);

        public Task<IReadOnlyList<WorkflowRun>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default) =>
            inner.ListRunsAsync(query, cancellationToken);

        public Task<bool> TryUpdateRunStatusAsync(
            Guid runId, IReadOnlyCollection<RunStatus> expected, RunStatus status, DateTimeOffset at, string? failure = null, CancellationToken cancellationToken = default) =>
            inner.TryUpdateRunStatusAsync(runId, expected, status, at, failure, cancellationToken);

        public Task<IReadOnlyList<StepExecution>> GetStepsAsync(Guid runId, CancellationToken cancellationToken = default) =>
            inner.GetStepsAsync(runId, cancellationToken);

        public Task<StepExecution?> GetStepAsync(Guid runId, string stepId, int item, CancellationToken cancellationToken = default) =>
            inner.GetStepAsync(runId, stepId, item, cancellationToken);

        public Task<bool> TryInsertStepAsync(StepExecution execution, CancellationToken cancellationToken = default) =>
            inner.TryInsertStepAsync(execution, cancellationToken);

        public Task<bool> TryUpdateStepAsync(StepExecution replacement, StepStatus expectedStatus, Guid? expectedDispatch, CancellationToken cancellationToken = default)
        {
            if (replacement.Status == StepStatus.Succeeded && outage.FailNextSuccessOf == replacement.StepId)
            {
                outage.FailNextSuccessOf = null;
                throw new IOException("the run store is unreachable (simulated outage)");
            }

            return inner.TryUpdateStepAsync(replacement, expectedStatus, expectedDispatch, cancellationToken);
        }

        public Task AppendStepLogAsync(Guid runId, string stepId, int item, string text, CancellationToken cancellationToken = default)
        {
            if (outage.On)
            {
                outage.CountFailedAppend();
                throw new IOException("the run store is unreachable (simulated outage)");
            }

            return inner.AppendStepLogAsync(runId, stepId, item, text, cancellationToken);
        }

        public Task<Guid?> TryClaimTriggerAsync(string dedupKey, Guid runId, DateTimeOffset at, CancellationToken cancellationToken = default) =>
            inner.TryClaimTriggerAsync(dedupKey, runId, at, cancellationToken);

        public Task<IAsyncDisposable> AcquireLockAsync(string key, CancellationToken cancellationToken = default) =>
            inner.AcquireLockAsync(key, cancellationToken);
    }
}

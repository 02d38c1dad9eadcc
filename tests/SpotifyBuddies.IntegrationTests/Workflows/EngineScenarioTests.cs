using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Infrastructure.Hangfire;
using SpotifyBuddies.Workflows.Execution;

namespace SpotifyBuddies.IntegrationTests.Workflows;

/// <summary>
/// The engine's behaviour end to end — real run store, real Hangfire storage and server, real step executions:
/// fan-out/fan-in with max_parallel, retries with back-off, a time-out, skip propagation, cancellation,
/// retry-from-failed, the concurrency policy and webhook de-duplication. Runs once per profile (subclasses).
/// </summary>
public abstract class EngineScenarioTests : IAsyncLifetime
{
    private const string Header = "apiVersion: spotifybuddies/v1\nkind: Workflow\n";

    private static readonly Dictionary<string, string> Workflows = new()
    {
        ["fan.yaml"] = Header + """
            metadata: { name: fan }
            parameters:
              numbers: { type: array, default: [1, 2, 3, 4] }
            steps:
              - id: double
                uses: test.echo
                foreach: ${{ params.numbers }}
                max_parallel: 2
                with: { number: "${{ item }}", hold_ms: 300 }
              - id: total
                uses: test.sum
                needs: [double]
                with: { values: "${{ steps.double.outputs.doubled }}" }
            """,
        ["flaky.yaml"] = Header + """
            metadata: { name: flaky }
            parameters:
              fail_times: { type: integer, default: 2 }
              attempts: { type: integer, default: 3 }
            steps:
              - id: first
                uses: test.echo
                with: { number: 1 }
              - id: flaky
                uses: test.flaky
                needs: [first]
                with: { fail_times: "${{ params.fail_times }}" }
                retry: { attempts: 3, backoff: 200ms, strategy: exponential }
              - id: after
                uses: test.echo
                needs: [flaky]
                with: { number: "${{ steps.flaky.outputs.attempts }}" }
            """,
        ["once.yaml"] = Header + """
            metadata: { name: once }
            parameters:
              fail_times: { type: integer, default: 1 }
            steps:
              - id: first
                uses: test.echo
                with: { number: 21 }
              - id: flaky
                uses: test.flaky
                needs: [first]
                with: { fail_times: "${{ params.fail_times }}" }
              - id: after
                uses: test.echo
                needs: [flaky]
                with: { number: "${{ steps.first.outputs.doubled }}" }
            """,
        ["slow.yaml"] = Header + """
            metadata: { name: slow }
            concurrency: forbid
            parameters:
              seconds: { type: number, default: 30 }
            steps:
              - id: nap
                uses: test.sleep
                with: { seconds: "${{ params.seconds }}" }
                timeout: 1s
            """,
        ["sleepy.yaml"] = Header + """
            metadata: { name: sleepy }
            concurrency: replace
            steps:
              - id: nap
                uses: test.sleep
                with: { seconds: 60 }
            """,
        ["cron.yaml"] = Header + """
            metadata: { name: cron }
            schedule: { cron: "30 2 * * 1", timezone: Europe/Stockholm }
            steps:
              - id: tick
                uses: test.echo
                with: { number: 7 }
            """,
        ["skip.yaml"] = Header + """
            metadata: { name: skip }
            parameters:
              enabled: { type: boolean, default: false }
            steps:
              - id: guarded
                uses: test.echo
                if: ${{ params.enabled }}
                with: { number: 1 }
              - id: downstream
                uses: test.echo
                needs: [guarded]
                with: { number: 2 }
              - id: independent
                uses: test.echo
                with: { number: 3 }
            """,
    };

    private readonly string _root = Directory.CreateTempSubdirectory("buddies-engine-").FullName;
    private EngineHost _host = null!;

    protected WorkflowEngine Engine => _host.Engine;

    public async Task InitializeAsync()
    {
        var definitions = Directory.CreateDirectory(Path.Combine(_root, "workflows")).FullName;
        foreach (var (file, text) in Workflows)
        {
            await File.WriteAllTextAsync(Path.Combine(definitions, file), text);
        }

        _host = await StartHostAsync(_root);
        Assert.True(Engine.DefinitionProblems.Count == 0, string.Join("\n", Engine.DefinitionProblems));
    }

    public virtual async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    /// <summary>Starts the engine host for this profile over <paramref name="root"/> (definitions in root/workflows).</summary>
    protected abstract Task<EngineHost> StartHostAsync(string root);

    [Fact]
    public async Task FanOut_RunsEveryItemAtMostMaxParallelAtOnce_AndFanInSeesTheOutputsInItemOrder()
    {
        var run = await StartAsync("fan", new() { ["numbers"] = new JsonArray(1, 2, 3, 4, 5) });
        var details = await WaitAsync(run.Id);

        Assert.Equal(RunStatus.Succeeded, details.Run.Status);
        var parent = Step(details, "double");
        Assert.Equal(5, parent.ItemCount);
        Assert.Equal("[2,4,6,8,10]", Outputs(parent)["doubled"]!.ToJsonString());
        Assert.Equal(5, details.Steps.Count(s => s.StepId == "double" && s.Item >= 0 && s.Status == StepStatus.Succeeded));
        Assert.Equal(30, Outputs(Step(details, "total"))["sum"]!.GetValue<long>());
        Assert.InRange(TestSteps.Concurrency[run.Id].Max, 1, 2);
        Assert.True(Step(details, "total").StartedAt >= details.Steps.Where(s => s.StepId == "double").Max(s => s.FinishedAt));
    }

    [Fact]
    public async Task Retry_RunsAgainAfterBackoff_UntilAnAttemptSucceeds()
    {
        var run = await StartAsync("flaky", new() { ["fail_times"] = 2 });
        var details = await WaitAsync(run.Id);

        Assert.Equal(RunStatus.Succeeded, details.Run.Status);
        var flaky = Step(details, "flaky");
        Assert.Equal(3, flaky.Attempt);
        Assert.Equal(3, Outputs(flaky)["attempts"]!.GetValue<long>());
        Assert.Contains("attempt 1 of 3 failed", flaky.Logs, StringComparison.Ordinal);
        Assert.Contains("attempt 2 of 3 failed", flaky.Logs, StringComparison.Ordinal);
        Assert.Equal(6, Outputs(Step(details, "after"))["doubled"]!.GetValue<long>());
    }

    [Fact]
    public async Task Retry_FailsTheRunWhenTheLastAttemptFails_AndStartsNothingAfterIt()
    {
        var run = await StartAsync("flaky", new() { ["fail_times"] = 5 });
        var details = await WaitAsync(run.Id);

        Assert.Equal(RunStatus.Failed, details.Run.Status);
        var flaky = Step(details, "flaky");
        Assert.Equal(StepStatus.Failed, flaky.Status);
        Assert.Equal(3, flaky.Attempt);
        Assert.Contains("planned failure on attempt 3", flaky.Error, StringComparison.Ordinal);
        Assert.Contains("step 'flaky' failed", details.Run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(details.Steps, s => s.StepId == "after");
    }

    [Fact]
    public async Task Timeout_CancelsTheStepsToken_AndFailsTheRun()
    {
        var run = await StartAsync("slow", new() { ["seconds"] = 30 });
        var details = await WaitAsync(run.Id);

        Assert.Equal(RunStatus.Failed, details.Run.Status);
        var nap = Step(details, "nap");
        Assert.Equal(StepStatus.TimedOut, nap.Status);
        Assert.Contains("timed out after", nap.Error, StringComparison.Ordinal);
        Assert.True(nap.FinishedAt - nap.StartedAt < TimeSpan.FromSeconds(25), "the step was cancelled, not run to its end");
    }

    [Fact]
    public async Task If_False_SkipsTheStep_AndTheSkipPropagatesToWhatNeedsIt()
    {
        var details = await WaitAsync((await StartAsync("skip", [])).Id);

        Assert.Equal(RunStatus.Succeeded, details.Run.Status);
        Assert.Equal(StepStatus.Skipped, Step(details, "guarded").Status);
        Assert.Contains("condition", Step(details, "guarded").Error, StringComparison.Ordinal);
        Assert.Equal(StepStatus.Skipped, Step(details, "downstream").Status);
        Assert.Contains("'guarded', was skipped", Step(details, "downstream").Error, StringComparison.Ordinal);
        Assert.Equal(StepStatus.Succeeded, Step(details, "independent").Status);

        var enabled = await WaitAsync((await StartAsync("skip", new() { ["enabled"] = true })).Id);
        Assert.All(enabled.Steps, s => Assert.Equal(StepStatus.Succeeded, s.Status));
    }

    [Fact]
    public async Task RetryRun_ResumesFromTheFailedStep_WithoutRunningFinishedStepsAgain()
    {
        var run = await StartAsync("once", []);
        var failed = await WaitAsync(run.Id);
        Assert.Equal(RunStatus.Failed, failed.Run.Status);
        var firstBefore = Step(failed, "first");

        await Engine.RetryRunAsync(run.Id);
        var retried = await WaitAsync(run.Id);

        Assert.Equal(RunStatus.Succeeded, retried.Run.Status);
        Assert.Equal(firstBefore.StartedAt, Step(retried, "first").StartedAt);
        Assert.Equal(firstBefore.Attempt, Step(retried, "first").Attempt);
        Assert.Equal(2, Step(retried, "flaky").Attempt);
        Assert.Contains("run retried", Step(retried, "flaky").Logs, StringComparison.Ordinal);
        Assert.Equal(84, Outputs(Step(retried, "after"))["doubled"]!.GetValue<long>());
        await Assert.ThrowsAsync<WorkflowConflictException>(() => Engine.RetryRunAsync(run.Id));
    }

    [Fact]
    public async Task Cancel_StopsTheRunningStep_AndEndsTheRun()
    {
        var run = await StartAsync("sleepy", []);
        await WaitForStepAsync(run.Id, "nap", StepStatus.Running);

        var cancelled = await Engine.CancelRunAsync(run.Id, "test says stop");
        Assert.Equal(RunStatus.Cancelled, cancelled.Status);
        Assert.Equal("test says stop", cancelled.Error);

        var details = await Engine.GetRunAsync(run.Id);
        Assert.Equal(StepStatus.Cancelled, Step(details, "nap").Status);
        await WaitUntilAsync(async () => (await Engine.GetRunAsync(run.Id)).Steps.Single().Logs.Contains("cancelled with its run", StringComparison.Ordinal));
        await Assert.ThrowsAsync<WorkflowConflictException>(() => Engine.CancelRunAsync(run.Id));
    }

    [Fact]
    public async Task Concurrency_ForbidRefusesASecondRun_ReplaceCancelsTheFirst()
    {
        var slow = await StartAsync("slow", new() { ["seconds"] = 30 });
        var refused = await Assert.ThrowsAsync<WorkflowConflictException>(() => StartAsync("slow", []));
        Assert.Contains(slow.Id.ToString(), refused.Message, StringComparison.Ordinal);

        var first = await StartAsync("sleepy", []);
        var second = await StartAsync("sleepy", []);
        var firstNow = await Engine.GetRunAsync(first.Id);
        Assert.Equal(RunStatus.Cancelled, firstNow.Run.Status);
        Assert.Contains(second.Id.ToString(), firstNow.Run.Error, StringComparison.Ordinal);
        await Engine.CancelRunAsync(second.Id);
    }

    [Fact]
    public async Task Schedule_BecomesARecurringJobInItsTimeZone_WhichStartsARunWhenItFires()
    {
        Engine.SyncSchedules();

        var stockholm = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");
        var expected = Cronos.CronExpression.Parse("30 2 * * 1").GetNextOccurrence(DateTimeOffset.UtcNow, stockholm);
        Assert.Equal(expected, Engine.NextScheduledRun("cron"));
        Assert.Null(Engine.NextScheduledRun("skip"));

        // Fire it now, as Hangfire's scheduler does at the time: the recurring job starts a run.
        _host.Services.GetRequiredService<Hangfire.IRecurringJobManager>().Trigger(HangfireWorkflowScheduler.JobId("cron"));
        await WaitUntilAsync(async () => (await Engine.ListRunsAsync(new RunQuery { Workflow = "cron" })).Any(r => r.Status == RunStatus.Succeeded));
        var run = Assert.Single(await Engine.ListRunsAsync(new RunQuery { Workflow = "cron" }));
        Assert.Equal(TriggerKinds.Schedule, run.Trigger.Kind);
        Assert.Contains("30 2 * * 1", run.Trigger.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DedupKey_SeenBefore_StartsNoSecondRun()
    {
        var trigger = new RunTrigger(TriggerKinds.Webhook, "alertmanager", "QualityDrop", DedupKey: "skip/abc/2026-11-25T03:00:00Z");
        var first = await Engine.StartRunAsync(new StartRunRequest { Workflow = "skip", Trigger = trigger });
        var second = await Engine.StartRunAsync(new StartRunRequest { Workflow = "skip", Trigger = trigger });

        Assert.False(first.Duplicate);
        Assert.True(second.Duplicate);
        Assert.Equal(first.Run.Id, second.Run.Id);
        Assert.Single(await Engine.ListRunsAsync(new RunQuery { Workflow = "skip" }));
    }

    [Fact]
    public async Task DedupKey_RefusedByTheConcurrencyPolicy_StartsOneRunWhenSentAgain_AndNoMoreAfterThat()
    {
        // Alertmanager re-sends a firing alert (repeat_interval): the first notification meets an active run and is
        // refused; the next one must start the run; every later one is a duplicate of that run.
        var blocker = await StartAsync("slow", new() { ["seconds"] = 30 });
        var trigger = new RunTrigger(TriggerKinds.Webhook, "alertmanager", "QualityDrop", DedupKey: "slow/abc/2026-11-25T03:00:00Z");
        await Assert.ThrowsAsync<WorkflowConflictException>(() => Engine.StartRunAsync(new StartRunRequest { Workflow = "slow", Trigger = trigger }));
        await WaitAsync(blocker.Id); // the 1 s time-out ends it

        var resent = await Engine.StartRunAsync(new StartRunRequest { Workflow = "slow", Parameters = new Dictionary<string, JsonNode?> { ["seconds"] = 0 }, Trigger = trigger });
        await WaitAsync(resent.Run.Id);
        var again = await Engine.StartRunAsync(new StartRunRequest { Workflow = "slow", Parameters = new Dictionary<string, JsonNode?> { ["seconds"] = 0 }, Trigger = trigger });

        Assert.False(resent.Duplicate);
        Assert.True(again.Duplicate);
        Assert.Equal(resent.Run.Id, again.Run.Id);
        Assert.Equal(2, (await Engine.ListRunsAsync(new RunQuery { Workflow = "slow" })).Count);
    }

    [Fact]
    public async Task Parameters_AreCheckedBeforeAnythingIsStored()
    {
        var error = await Assert.ThrowsAsync<WorkflowParameterException>(() => StartAsync("flaky", new() { ["fail_times"] = "two", ["nope"] = 1 }));

        Assert.Equal(2, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.Contains("'nope' is not a parameter", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("'fail_times' must be an integer", StringComparison.Ordinal));
        Assert.Empty(await Engine.ListRunsAsync(new RunQuery { Workflow = "flaky" }));
        await Assert.ThrowsAsync<WorkflowNotFoundException>(() => StartAsync("no-such-workflow", []));
    }

    private async Task<WorkflowRun> StartAsync(string workflow, Dictionary<string, JsonNode?> parameters) =>
        (await Engine.StartRunAsync(new StartRunRequest
        {
            Workflow = workflow,
            Parameters = parameters,
            Trigger = new RunTrigger(TriggerKinds.Manual, "test"),
        })).Run;

    private async Task<RunDetails> WaitAsync(Guid runId)
    {
        RunDetails? details = null;
        await WaitUntilAsync(async () => (details = await Engine.GetRunAsync(runId)).Run.Status.IsTerminal());
        return details!;
    }

    private Task WaitForStepAsync(Guid runId, string stepId, StepStatus status) =>
        WaitUntilAsync(async () => (await Engine.GetRunAsync(runId)).Steps.Any(s => s.StepId == stepId && s.Status == status));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the run did not get there within 90 s");
            await Task.Delay(100);
        }
    }

    private static StepExecution Step(RunDetails details, string stepId) =>
        details.Steps.Single(s => s.StepId == stepId && s.Item == StepExecution.StepRow);

    private static JsonObject Outputs(StepExecution step) => JsonNode.Parse(step.OutputsJson!)!.AsObject();
}

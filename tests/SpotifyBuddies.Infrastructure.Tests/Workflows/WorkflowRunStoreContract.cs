using System.Text.Json.Nodes;
using SpotifyBuddies.Core.Workflows;

namespace SpotifyBuddies.Infrastructure.Tests.Workflows;

/// <summary>
/// What every <see cref="IWorkflowRunStore"/> must do, run against each store by a concrete subclass. Each test
/// gets a fresh, initialized, empty store. Instants are compared after truncation to microseconds (both stores
/// keep that precision) and JSON is compared parsed (PostgreSQL's jsonb may reorder keys and whitespace).
/// </summary>
public abstract class WorkflowRunStoreContract : IAsyncLifetime
{
    /// <summary>How long any test may wait for the store (a lock test that deadlocks fails instead of hanging).</summary>
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>How long a lock test gives a waiter that must not get the lock the chance to (wrongly) get it.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(300);

    private static readonly DateTimeOffset T0 = new(2025, 3, 14, 9, 26, 53, TimeSpan.Zero);

    private IWorkflowRunStore? _store;

    protected IWorkflowRunStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>A store on a new, empty database, initialized.</summary>
    protected abstract Task<IWorkflowRunStore> CreateStoreAsync();

    /// <summary>A second store on the database of <see cref="Store"/>, as another process (or host) would open it; initialized.</summary>
    protected abstract Task<IWorkflowRunStore> OpenAnotherStoreAsync();

    /// <summary>Releases what the two methods above made.</summary>
    protected abstract Task DisposeStoresAsync();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public Task DisposeAsync() => DisposeStoresAsync();

    // ------------------------------------------------------------------------------------------ initialize, runs

    [WorkflowStoreFact]
    public async Task InitializeAsync_Again_KeepsTheData()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = NewRun();
        await Store.CreateRunAsync(run, cts.Token);

        await Store.InitializeAsync(cts.Token);
        await Store.InitializeAsync(cts.Token);

        AssertSameRun(run, await Store.GetRunAsync(run.Id, cts.Token));
    }

    [WorkflowStoreFact]
    public async Task CreateRunAsync_ThenGetRunAsync_ReturnsEveryField()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = NewRun() with
        {
            DefinitionSource = "apiVersion: spotifybuddies/v1\nkind: Workflow\nmetadata:\n  name: \"weekly-retrain\" # é ✓\n",
            Trigger = new RunTrigger(TriggerKinds.Webhook, "alertmanager", "HighLatency", "alert:fp-123"),
            Status = RunStatus.Failed,
            // Sub-microsecond ticks and a non-UTC offset: the stores keep the instant, to the microsecond.
            CreatedAt = new DateTimeOffset(2025, 1, 31, 23, 59, 59, TimeSpan.FromHours(2)).AddTicks(1_234_567),
            StartedAt = T0.AddTicks(9),
            FinishedAt = T0.AddMinutes(5).AddTicks(123),
            Error = "step 'train' failed: out of memory",
        };

        await Store.CreateRunAsync(run, cts.Token);

        var stored = await Store.GetRunAsync(run.Id, cts.Token);
        AssertSameRun(run, stored);
        Assert.Equal(run.CreatedAt.AddTicks(-7), stored!.CreatedAt); // truncated, not rounded
    }

    [WorkflowStoreFact]
    public async Task CreateRunAsync_WithOnlyRequiredFields_KeepsTheNulls()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = NewRun() with { Trigger = new RunTrigger(TriggerKinds.Manual) };

        await Store.CreateRunAsync(run, cts.Token);

        var stored = await Store.GetRunAsync(run.Id, cts.Token);
        AssertSameRun(run, stored);
        Assert.Null(stored!.Trigger.Actor);
        Assert.Null(stored.StartedAt);
        Assert.Null(stored.Error);
    }

    [WorkflowStoreFact]
    public async Task GetRunAsync_WhenUnknown_ReturnsNull()
    {
        using var cts = new CancellationTokenSource(Timeout);

        Assert.Null(await Store.GetRunAsync(Guid.NewGuid(), cts.Token));
    }

    [WorkflowStoreFact]
    public async Task CreateRunAsync_WhenTheIdExists_ThrowsAndKeepsTheFirstRun()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var first = NewRun();
        await Store.CreateRunAsync(first, cts.Token);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Store.CreateRunAsync(NewRun() with { Id = first.Id, Workflow = "other" }, cts.Token));

        Assert.Contains(first.Id.ToString(), error.Message, StringComparison.Ordinal);
        AssertSameRun(first, await Store.GetRunAsync(first.Id, cts.Token));
    }

    [WorkflowStoreFact]
    public async Task CreateRunAsync_WhenParametersAreNotJson_ThrowsNamingTheField()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = NewRun() with { ParametersJson = "{\"epochs\": " };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateRunAsync(run, cts.Token));

        Assert.Contains("ParametersJson", error.Message, StringComparison.Ordinal);
        Assert.Null(await Store.GetRunAsync(run.Id, cts.Token));
    }

    [WorkflowStoreFact]
    public async Task Json_RoundTripsAsTheSameValues()
    {
        using var cts = new CancellationTokenSource(Timeout);
        const string json = """
            {"z": 1, "a": {"nested": [1, 2.5, -3e-7, 12345678901234567890, true, false, null, "x"]},
             "text": "quote \" backslash \\ newline \n tab \t unicode é ✓ 𝄞", "empty": {}, "list": [], "decimal": 0.1}
            """;
        var run = NewRun() with { ParametersJson = json };
        await Store.CreateRunAsync(run, cts.Token);
        var step = NewStep(run.Id, "train") with { InputsJson = json, OutputsJson = "{\"ids\": [[1, 2], [3]]}" };
        await Store.TryInsertStepAsync(step, cts.Token);

        var storedRun = await Store.GetRunAsync(run.Id, cts.Token);
        var storedStep = await Store.GetStepAsync(run.Id, "train", StepExecution.StepRow, cts.Token);

        AssertSameJson(json, storedRun!.ParametersJson);
        AssertSameJson(json, storedStep!.InputsJson);
        AssertSameJson("{\"ids\": [[1, 2], [3]]}", storedStep.OutputsJson);
    }

    [WorkflowStoreFact]
    public async Task ListRunsAsync_ReturnsNewestFirst_ThenByIdDescending_UpToTheLimit()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var old = NewRun() with { CreatedAt = T0 };
        var newest = NewRun() with { CreatedAt = T0.AddHours(2) };
        // Two runs created at the same instant: ordered by id, descending (as text: lower-case hex, like uuid order).
        var tiedA = NewRun() with { Id = Guid.Parse("10000000-0000-0000-0000-000000000001"), CreatedAt = T0.AddHours(1) };
        var tiedB = NewRun() with { Id = Guid.Parse("f0000000-0000-0000-0000-000000000000"), CreatedAt = T0.AddHours(1) };
        // A microsecond apart: the order must not be lost to precision.
        var justAfterOld = NewRun() with { CreatedAt = T0.AddTicks(10) };
        foreach (var run in new[] { tiedA, old, newest, justAfterOld, tiedB })
        {
            await Store.CreateRunAsync(run, cts.Token);
        }

        var all = await Store.ListRunsAsync(new RunQuery(), cts.Token);
        var two = await Store.ListRunsAsync(new RunQuery { Limit = 2 }, cts.Token);

        Assert.Equal([newest.Id, tiedB.Id, tiedA.Id, justAfterOld.Id, old.Id], all.Select(r => r.Id));
        Assert.Equal([newest.Id, tiedB.Id], two.Select(r => r.Id));
        AssertSameRun(newest, all[0]);
    }

    [WorkflowStoreFact]
    public async Task ListRunsAsync_FiltersByWorkflowAndByAnyOfTheStatuses()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var weeklyRunning = NewRun() with { Workflow = "weekly-retrain", Status = RunStatus.Running, CreatedAt = T0.AddMinutes(1) };
        var weeklyFailed = NewRun() with { Workflow = "weekly-retrain", Status = RunStatus.Failed, CreatedAt = T0.AddMinutes(2) };
        var weeklyDone = NewRun() with { Workflow = "weekly-retrain", Status = RunStatus.Succeeded, CreatedAt = T0.AddMinutes(3) };
        var knnPending = NewRun() with { Workflow = "knn-refresh", Status = RunStatus.Pending, CreatedAt = T0.AddMinutes(4) };
        foreach (var run in new[] { weeklyRunning, weeklyFailed, weeklyDone, knnPending })
        {
            await Store.CreateRunAsync(run, cts.Token);
        }

        var weekly = await Store.ListRunsAsync(new RunQuery { Workflow = "weekly-retrain" }, cts.Token);
        var unfinished = await Store.ListRunsAsync(new RunQuery { Statuses = [RunStatus.Pending, RunStatus.Running] }, cts.Token);
        var weeklyUnfinished = await Store.ListRunsAsync(
            new RunQuery { Workflow = "weekly-retrain", Statuses = [RunStatus.Pending, RunStatus.Running, RunStatus.Running] }, cts.Token);
        var emptyStatuses = await Store.ListRunsAsync(new RunQuery { Statuses = [] }, cts.Token);
        var unknownWorkflow = await Store.ListRunsAsync(new RunQuery { Workflow = "nope" }, cts.Token);

        Assert.Equal([weeklyDone.Id, weeklyFailed.Id, weeklyRunning.Id], weekly.Select(r => r.Id));
        Assert.Equal([knnPending.Id, weeklyRunning.Id], unfinished.Select(r => r.Id));
        Assert.Equal([weeklyRunning.Id], weeklyUnfinished.Select(r => r.Id));
        Assert.Equal(4, emptyStatuses.Count);
        Assert.Empty(unknownWorkflow);
    }

    [WorkflowStoreFact]
    public async Task ListRunsAsync_WhenTheLimitIsOutOfRange_Throws()
    {
        using var cts = new CancellationTokenSource(Timeout);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ListRunsAsync(new RunQuery { Limit = 0 }, cts.Token));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ListRunsAsync(new RunQuery { Limit = 1001 }, cts.Token));
        Assert.Empty(await Store.ListRunsAsync(new RunQuery { Limit = 1000 }, cts.Token));
    }

    // ------------------------------------------------------------------------------------------ run status CAS

    [WorkflowStoreFact]
    public async Task TryUpdateRunStatusAsync_FollowsTheTimestampRules_ThroughARetry()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = NewRun();
        await Store.CreateRunAsync(run, cts.Token);
        var t1 = T0.AddMinutes(1).AddTicks(15);
        var t2 = T0.AddMinutes(2);
        var t3 = T0.AddMinutes(3);
        var t4 = T0.AddMinutes(4);

        // Pending → Running: StartedAt set.
        Assert.True(await Store.TryUpdateRunStatusAsync(run.Id, [RunStatus.Pending], RunStatus.Running, t1, cancellationToken: cts.Token));
        var running = await Store.GetRunAsync(run.Id, cts.Token);
        Assert.Equal((RunStatus.Running, Us(t1), (DateTimeOffset?)null, (string?)null), (running!.Status, running.StartedAt, running.FinishedAt, running.Error));

        // Running → Failed with a failure: FinishedAt and Error set, StartedAt kept.
        Assert.True(await Store.TryUpdateRunStatusAsync(run.Id, [RunStatus.Running], RunStatus.Failed, t2, "step 'train' failed", cts.Token));
        var failed = await Store.GetRunAsync(run.Id, cts.Token);
        Assert.Equal((RunStatus.Failed, Us(t1), Us(t2), "step 'train' failed"), (failed!.Status, failed.StartedAt, failed.FinishedAt, failed.Error));

        // Failed → Running (retry from the failed step): FinishedAt and Error cleared, the first StartedAt kept.
        Assert.True(await Store.TryUpdateRunStatusAsync(run.Id, [RunStatus.Failed], RunStatus.Running, t3, cancellationToken: cts.Token));
        var retried = await Store.GetRunAsync(run.Id, cts.Token);
        Assert.Equal((RunStatus.Running, Us(t1), (DateTimeOffset?)null, (string?)null), (retried!.Status, retried.StartedAt, retried.FinishedAt, retried.Error));

        // Running → Succeeded without a failure: FinishedAt set, no error.
        Assert.True(await Store.TryUpdateRunStatusAsync(run.Id, [RunStatus.Pending, RunStatus.Running], RunStatus.Succeeded, t4, cancellationToken: cts.Token));
        var succeeded = await Store.GetRunAsync(run.Id, cts.Token);
        Assert.Equal((RunStatus.Succeeded, Us(t1), Us(t4), (string?)null), (succeeded!.Status, succeeded.StartedAt, succeeded.FinishedAt, succeeded.Error));
        AssertSameRun(run with { Status = RunStatus.Succeeded, StartedAt = t1, FinishedAt = t4 }, succeeded);
    }

    [WorkflowStoreFact]
    public async Task TryUpdateRunStatusAsync_ToCancelledFromPending_SetsFinishedAtAndTheReasonButNoStartedAt()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = NewRun();
        await Store.CreateRunAsync(run, cts.Token);

        Assert.True(await Store.TryUpdateRunStatusAsync(run.Id, [RunStatus.Pending, RunStatus.Running], RunStatus.Cancelled, T0.AddHours(1), "cancelled by alice", cts.Token));

        var stored = await Store.GetRunAsync(run.Id, cts.Token);
        Assert.Equal((RunStatus.Cancelled, (DateTimeOffset?)null, (DateTimeOffset?)T0.AddHours(1), "cancelled by alice"),
            (stored!.Status, stored.StartedAt, stored.FinishedAt, stored.Error));
    }

    [WorkflowStoreFact]
    public async Task TryUpdateRunStatusAsync_WhenTheStatusIsNotExpected_ReturnsFalseAndChangesNothing()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = NewRun() with { Status = RunStatus.Succeeded, StartedAt = T0, FinishedAt = T0.AddMinutes(1) };
        await Store.CreateRunAsync(run, cts.Token);

        Assert.False(await Store.TryUpdateRunStatusAsync(run.Id, [RunStatus.Pending, RunStatus.Running], RunStatus.Failed, T0.AddHours(1), "late", cts.Token));
        Assert.False(await Store.TryUpdateRunStatusAsync(run.Id, [], RunStatus.Running, T0.AddHours(1), cancellationToken: cts.Token));
        Assert.False(await Store.TryUpdateRunStatusAsync(Guid.NewGuid(), [RunStatus.Pending], RunStatus.Running, T0, cancellationToken: cts.Token));

        AssertSameRun(run, await Store.GetRunAsync(run.Id, cts.Token));
    }

    [WorkflowStoreFact]
    public async Task TryUpdateRunStatusAsync_WhenEightRaceFromTheSameStatus_ExactlyOneWins()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = NewRun();
        await Store.CreateRunAsync(run, cts.Token);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            Store.TryUpdateRunStatusAsync(run.Id, [RunStatus.Pending], RunStatus.Running, T0.AddSeconds(i), cancellationToken: cts.Token))));

        var winner = Assert.Single(Enumerable.Range(0, 8), i => results[i]);
        Assert.Equal<DateTimeOffset?>(T0.AddSeconds(winner), (await Store.GetRunAsync(run.Id, cts.Token))!.StartedAt);
    }

    // ------------------------------------------------------------------------------------------ steps

    [WorkflowStoreFact]
    public async Task TryInsertStepAsync_InsertsOnce_AndASecondInsertKeepsTheFirstRow()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = await CreateRunAsync(cts.Token);
        var first = FullStep(run.Id, "train", StepExecution.StepRow);

        Assert.True(await Store.TryInsertStepAsync(first, cts.Token));
        Assert.False(await Store.TryInsertStepAsync(first with { Status = StepStatus.Failed, Attempt = 9, Logs = "other\n" }, cts.Token));

        AssertSameStep(first, await Store.GetStepAsync(run.Id, "train", StepExecution.StepRow, cts.Token));
    }

    [WorkflowStoreFact]
    public async Task GetStepAsync_ReturnsEveryField_OrNullWhenAbsent()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = await CreateRunAsync(cts.Token);
        var full = FullStep(run.Id, "pair", 3);
        var bare = NewStep(run.Id, "pair", StepExecution.StepRow);
        await Store.TryInsertStepAsync(full, cts.Token);
        await Store.TryInsertStepAsync(bare, cts.Token);

        AssertSameStep(full, await Store.GetStepAsync(run.Id, "pair", 3, cts.Token));
        AssertSameStep(bare, await Store.GetStepAsync(run.Id, "pair", StepExecution.StepRow, cts.Token));
        Assert.Null(await Store.GetStepAsync(run.Id, "pair", 4, cts.Token));
        Assert.Null(await Store.GetStepAsync(run.Id, "Pair", 3, cts.Token));
        Assert.Null(await Store.GetStepAsync(Guid.NewGuid(), "pair", 3, cts.Token));
    }

    [WorkflowStoreFact]
    public async Task GetStepsAsync_ReturnsTheRunsRows_OrderedByStepIdOrdinalThenItem()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = await CreateRunAsync(cts.Token);
        var other = await CreateRunAsync(cts.Token);
        (string StepId, int Item)[] keys = [("b", 0), ("a", 10), ("a-b", -1), ("B", -1), ("a", -1), ("a", 2), ("a_b", -1), ("b", -1)];
        foreach (var (stepId, item) in keys)
        {
            await Store.TryInsertStepAsync(NewStep(run.Id, stepId, item), cts.Token);
        }

        await Store.TryInsertStepAsync(NewStep(other.Id, "a", -1), cts.Token);

        var steps = await Store.GetStepsAsync(run.Id, cts.Token);

        // Ordinal (byte) order of the ids: 'B' < 'a' < 'a-b' < 'a_b' < 'b'; then items numerically.
        Assert.Equal(
            [("B", -1), ("a", -1), ("a", 2), ("a", 10), ("a-b", -1), ("a_b", -1), ("b", -1), ("b", 0)],
            steps.Select(s => (s.StepId, s.Item)));
        Assert.All(steps, s => Assert.Equal(run.Id, s.RunId));
        Assert.Empty(await Store.GetStepsAsync(Guid.NewGuid(), cts.Token));
    }

    [WorkflowStoreFact]
    public async Task TryUpdateStepAsync_WhenStatusAndDispatchMatch_ReplacesEveryColumnButTheLogs()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = await CreateRunAsync(cts.Token);
        var dispatch = Guid.NewGuid();
        var stored = NewStep(run.Id, "train") with { DispatchId = dispatch, Logs = "queued\n", QueuedAt = T0 };
        await Store.TryInsertStepAsync(stored, cts.Token);
        var replacement = FullStep(run.Id, "train", StepExecution.StepRow) with { Logs = "must not be written\n" };

        Assert.True(await Store.TryUpdateStepAsync(replacement, StepStatus.Pending, dispatch, cts.Token));

        AssertSameStep(replacement with { Logs = "queued\n" }, await Store.GetStepAsync(run.Id, "train", StepExecution.StepRow, cts.Token));
    }

    [WorkflowStoreFact]
    public async Task TryUpdateStepAsync_ToNullColumns_ClearsThem()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = await CreateRunAsync(cts.Token);
        var full = FullStep(run.Id, "train", StepExecution.StepRow);
        await Store.TryInsertStepAsync(full, cts.Token);
        var cleared = NewStep(run.Id, "train") with { Attempt = 2 };

        Assert.True(await Store.TryUpdateStepAsync(cleared, full.Status, full.DispatchId, cts.Token));

        AssertSameStep(cleared with { Logs = full.Logs }, await Store.GetStepAsync(run.Id, "train", StepExecution.StepRow, cts.Token));
    }

    [WorkflowStoreFact]
    public async Task TryUpdateStepAsync_WhenTheStatusDiffers_ReturnsFalseAndChangesNothing()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = await CreateRunAsync(cts.Token);
        var dispatch = Guid.NewGuid();
        var stored = NewStep(run.Id, "train") with { Status = StepStatus.Running, DispatchId = dispatch, StartedAt = T0 };
        await Store.TryInsertStepAsync(stored, cts.Token);

        Assert.False(await Store.TryUpdateStepAsync(stored with { Status = StepStatus.Succeeded }, StepStatus.Pending, dispatch, cts.Token));

        AssertSameStep(stored, await Store.GetStepAsync(run.Id, "train", StepExecution.StepRow, cts.Token));
    }

    [WorkflowStoreFact]
    public async Task TryUpdateStepAsync_WhenTheDispatchDiffers_ReturnsFalseAndChangesNothing()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = await CreateRunAsync(cts.Token);
        var dispatched = NewStep(run.Id, "train") with { DispatchId = Guid.NewGuid() };
        var undispatched = NewStep(run.Id, "evaluate");
        await Store.TryInsertStepAsync(dispatched, cts.Token);
        await Store.TryInsertStepAsync(undispatched, cts.Token);

        // Another dispatch's token, no token for a dispatched row, and a token for a row without one.
        Assert.False(await Store.TryUpdateStepAsync(dispatched with { Status = StepStatus.Running }, StepStatus.Pending, Guid.NewGuid(), cts.Token));
        Assert.False(await Store.TryUpdateStepAsync(dispatched with { Status = StepStatus.Running }, StepStatus.Pending, null, cts.Token));
        Assert.False(await Store.TryUpdateStepAsync(undispatched with { Status = StepStatus.Running }, StepStatus.Pending, Guid.NewGuid(), cts.Token));

        AssertSameStep(dispatched, await Store.GetStepAsync(run.Id, "train", StepExecution.StepRow, cts.Token));
        AssertSameStep(undispatched, await Store.GetStepAsync(run.Id, "evaluate", StepExecution.StepRow, cts.Token));
    }

    [WorkflowStoreFact]
    public async Task TryUpdateStepAsync_WhenBothDispatchesAreNull_Matches()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = await CreateRunAsync(cts.Token);
        var step = NewStep(run.Id, "evaluate");
        await Store.TryInsertStepAsync(step, cts.Token);
        var skipped = step with { Status = StepStatus.Skipped, FinishedAt = T0 };

        Assert.True(await Store.TryUpdateStepAsync(skipped, StepStatus.Pending, null, cts.Token));

        AssertSameStep(skipped, await Store.GetStepAsync(run.Id, "evaluate", StepExecution.StepRow, cts.Token));
    }

    [WorkflowStoreFact]
    public async Task TryUpdateStepAsync_WhenTheRowIsAbsent_ReturnsFalseAndInsertsNothing()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = await CreateRunAsync(cts.Token);

        Assert.False(await Store.TryUpdateStepAsync(NewStep(run.Id, "train"), StepStatus.Pending, null, cts.Token));

        Assert.Empty(await Store.GetStepsAsync(run.Id, cts.Token));
    }

    [WorkflowStoreFact]
    public async Task TryUpdateStepAsync_WhenEightWorkersRaceWithTheSameToken_ExactlyOneWins()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = await CreateRunAsync(cts.Token);
        var dispatch = Guid.NewGuid();
        var step = NewStep(run.Id, "train") with { DispatchId = dispatch };
        await Store.TryInsertStepAsync(step, cts.Token);
        var attempts = Enumerable.Range(0, 8)
            .Select(i => step with { Status = StepStatus.Running, DispatchId = Guid.NewGuid(), JobId = $"job-{i}" })
            .ToArray();

        var results = await Task.WhenAll(attempts.Select(attempt => Task.Run(() =>
            Store.TryUpdateStepAsync(attempt, StepStatus.Pending, dispatch, cts.Token))));

        var winner = Assert.Single(Enumerable.Range(0, 8), i => results[i]);
        AssertSameStep(attempts[winner], await Store.GetStepAsync(run.Id, "train", StepExecution.StepRow, cts.Token));
    }

    [WorkflowStoreFact]
    public async Task StepJson_WhenNotJson_ThrowsNamingTheField()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = await CreateRunAsync(cts.Token);
        var step = NewStep(run.Id, "train");
        await Store.TryInsertStepAsync(step, cts.Token);

        var insert = await Assert.ThrowsAsync<ArgumentException>(
            () => Store.TryInsertStepAsync(NewStep(run.Id, "pair") with { InputsJson = "{'single': 'quotes'}" }, cts.Token));
        var update = await Assert.ThrowsAsync<ArgumentException>(
            () => Store.TryUpdateStepAsync(step with { OutputsJson = "[1, 2" }, StepStatus.Pending, null, cts.Token));

        Assert.Contains("InputsJson", insert.Message, StringComparison.Ordinal);
        Assert.Contains("OutputsJson", update.Message, StringComparison.Ordinal);
        Assert.Equal(["train"], (await Store.GetStepsAsync(run.Id, cts.Token)).Select(s => s.StepId));
        AssertSameStep(step, await Store.GetStepAsync(run.Id, "train", StepExecution.StepRow, cts.Token));
    }

    // ------------------------------------------------------------------------------------------ logs

    [WorkflowStoreFact]
    public async Task AppendStepLogAsync_AppendsInOrder_AndUpdatesNeverOverwriteTheLogs()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = await CreateRunAsync(cts.Token);
        var step = NewStep(run.Id, "train", 0) with { Logs = "dispatched\n" };
        await Store.TryInsertStepAsync(step, cts.Token);

        await Store.AppendStepLogAsync(run.Id, "train", 0, "epoch 1: loss 0.7\n", cts.Token);
        Assert.True(await Store.TryUpdateStepAsync(step with { Status = StepStatus.Running, Logs = "" }, StepStatus.Pending, null, cts.Token));
        await Store.AppendStepLogAsync(run.Id, "train", 0, "epoch 2: loss 0.5\nepoch 3: loss 0.4 ✓\n", cts.Token);

        var stored = await Store.GetStepAsync(run.Id, "train", 0, cts.Token);
        Assert.Equal(StepStatus.Running, stored!.Status);
        Assert.Equal("dispatched\nepoch 1: loss 0.7\nepoch 2: loss 0.5\nepoch 3: loss 0.4 ✓\n", stored.Logs);
    }

    [WorkflowStoreFact]
    public async Task AppendStepLogAsync_WhenTheRowIsAbsent_ThrowsNamingIt()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = await CreateRunAsync(cts.Token);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Store.AppendStepLogAsync(run.Id, "train", 4, "lost line\n", cts.Token));

        Assert.Contains("'train'", error.Message, StringComparison.Ordinal);
        Assert.Contains("item 4", error.Message, StringComparison.Ordinal);
    }

    // ------------------------------------------------------------------------------------------ trigger claims

    [WorkflowStoreFact]
    public async Task TryClaimTriggerAsync_ReturnsNullForANewKey_AndTheFirstRunForARepeatedOne()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();

        Assert.Null(await Store.TryClaimTriggerAsync("alertmanager:HighLatency:fp-1", first, T0, cts.Token));
        Assert.Equal(first, await Store.TryClaimTriggerAsync("alertmanager:HighLatency:fp-1", second, T0.AddMinutes(1), cts.Token));
        Assert.Equal(first, await Store.TryClaimTriggerAsync("alertmanager:HighLatency:fp-1", first, T0.AddMinutes(2), cts.Token));
        Assert.Null(await Store.TryClaimTriggerAsync("alertmanager:HighLatency:fp-2", second, T0, cts.Token));
        Assert.Null(await Store.TryClaimTriggerAsync("ALERTMANAGER:HighLatency:fp-1", second, T0, cts.Token));
    }

    [WorkflowStoreFact]
    public async Task TryClaimTriggerAsync_WhenEightClaimTheSameKeyAtOnce_OneGetsNullAndTheOthersItsRun()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var runIds = Enumerable.Range(0, 8).Select(_ => Guid.NewGuid()).ToArray();

        var results = await Task.WhenAll(runIds.Select(id => Task.Run(() => Store.TryClaimTriggerAsync("webhook:dup", id, T0, cts.Token))));

        var winner = Assert.Single(Enumerable.Range(0, 8), i => results[i] is null);
        Assert.All(results.Where(r => r is not null), r => Assert.Equal(runIds[winner], r));
    }

    // ------------------------------------------------------------------------------------------ locks

    [WorkflowStoreFact]
    public async Task AcquireLockAsync_OnTheSameKey_WaitsUntilTheHolderDisposes()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var first = await Store.AcquireLockAsync("run:1", cts.Token);
        var released = false;

        var second = Store.AcquireLockAsync("run:1", cts.Token).ContinueWith(t => (Handle: t.Result, SawRelease: Volatile.Read(ref released)), cts.Token,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        await Task.Delay(Grace, cts.Token);
        Assert.False(second.IsCompleted, "A second holder got the lock while the first still held it.");

        Volatile.Write(ref released, true);
        await first.DisposeAsync();
        var (handle, sawRelease) = await second.WaitAsync(cts.Token);

        Assert.True(sawRelease);
        await handle.DisposeAsync();
    }

    [WorkflowStoreFact]
    public async Task AcquireLockAsync_OnDifferentKeys_DoesNotWait()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var weekly = await Store.AcquireLockAsync("workflow:weekly-retrain", cts.Token);

        // Completes although the first is held (else the token ends it and the test fails).
        await using var knn = await Store.AcquireLockAsync("workflow:knn-refresh", cts.Token);
        await using var run = await Store.AcquireLockAsync("run:2", cts.Token);
    }

    [WorkflowStoreFact]
    public async Task AcquireLockAsync_WhenCancelledWhileWaiting_Throws_AndLeavesTheLockFreeOnceReleased()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var other = await OpenAnotherStoreAsync();
        var holder = await Store.AcquireLockAsync("run:3", cts.Token);

        using var waitCts = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        waitCts.CancelAfter(Grace);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.AcquireLockAsync("run:3", waitCts.Token));
        await holder.DisposeAsync();

        // Neither this store (which saw the cancelled wait) nor another one finds the key still held.
        await using (var again = await other.AcquireLockAsync("run:3", cts.Token))
        {
        }

        await using var mine = await Store.AcquireLockAsync("run:3", cts.Token);
    }

    [WorkflowStoreFact]
    public async Task AcquireLockAsync_FromAnotherStoreOnTheSameDatabase_Excludes()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var other = await OpenAnotherStoreAsync();
        var first = await Store.AcquireLockAsync("workflow:weekly-retrain", cts.Token);

        var second = other.AcquireLockAsync("workflow:weekly-retrain", cts.Token);
        await Task.Delay(Grace, cts.Token);
        Assert.False(second.IsCompleted, "Another store got the lock while this one held it.");

        await first.DisposeAsync();
        await (await second.WaitAsync(cts.Token)).DisposeAsync();
    }

    [WorkflowStoreFact]
    public async Task AcquireLockAsync_WhenAHandleIsDisposedTwice_DoesNotReleaseTheNextHolder()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var first = await Store.AcquireLockAsync("run:4", cts.Token);
        await first.DisposeAsync();
        var second = await Store.AcquireLockAsync("run:4", cts.Token);

        await first.DisposeAsync();

        var third = Store.AcquireLockAsync("run:4", cts.Token);
        await Task.Delay(Grace, cts.Token);
        Assert.False(third.IsCompleted, "Disposing a released handle again released the lock of its next holder.");
        await second.DisposeAsync();
        await (await third.WaitAsync(cts.Token)).DisposeAsync();
    }

    [WorkflowStoreFact]
    public async Task AnotherStoreOnTheSameDatabase_SeesTheSameRunsAndSteps()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = await CreateRunAsync(cts.Token);
        var step = FullStep(run.Id, "train", StepExecution.StepRow);
        await Store.TryInsertStepAsync(step, cts.Token);

        var other = await OpenAnotherStoreAsync();

        AssertSameRun(run, await other.GetRunAsync(run.Id, cts.Token));
        AssertSameStep(step, Assert.Single(await other.GetStepsAsync(run.Id, cts.Token)));
        Assert.False(await other.TryInsertStepAsync(step, cts.Token));
    }

    // ------------------------------------------------------------------------------------------ helpers

    protected static WorkflowRun NewRun() => new()
    {
        Id = Guid.NewGuid(),
        Workflow = "weekly-retrain",
        DefinitionHash = new string('a', 64),
        DefinitionSource = "apiVersion: spotifybuddies/v1\nkind: Workflow\n",
        DefinitionFile = "weekly-retrain.yaml",
        ParametersJson = """{"epochs": 20, "dataset": "medium"}""",
        Trigger = new RunTrigger(TriggerKinds.Manual, "alice", "buddies workflow run"),
        Status = RunStatus.Pending,
        CreatedAt = T0,
    };

    protected async Task<WorkflowRun> CreateRunAsync(CancellationToken cancellationToken)
    {
        var run = NewRun();
        await Store.CreateRunAsync(run, cancellationToken);
        return run;
    }

    /// <summary>A pending step row with every optional field null.</summary>
    protected static StepExecution NewStep(Guid runId, string stepId, int item = StepExecution.StepRow) => new()
    {
        RunId = runId,
        StepId = stepId,
        Item = item,
        Status = StepStatus.Pending,
    };

    /// <summary>A step row with every field set (instants with sub-microsecond ticks).</summary>
    protected static StepExecution FullStep(Guid runId, string stepId, int item) => new()
    {
        RunId = runId,
        StepId = stepId,
        Item = item,
        Status = StepStatus.TimedOut,
        Attempt = 3,
        DispatchId = Guid.NewGuid(),
        JobId = "hangfire-42",
        Queue = "training",
        ItemCount = 7,
        InputsJson = """{"epochs": 20, "factors": [64, 128]}""",
        OutputsJson = """{"model": "bpr", "loss": 0.125}""",
        Error = "timed out after 00:30:00",
        Logs = "line 1\nline 2\n",
        QueuedAt = T0.AddTicks(1),
        StartedAt = T0.AddSeconds(1).AddTicks(19),
        FinishedAt = T0.AddMinutes(30).AddTicks(5),
    };

    /// <summary>The instant as the stores keep it: UTC, truncated to microseconds.</summary>
    protected static DateTimeOffset Us(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero);

    protected static DateTimeOffset? Us(DateTimeOffset? at) => at is { } value ? Us(value) : null;

    protected static void AssertSameJson(string? expected, string? actual)
    {
        if (expected is null)
        {
            Assert.Null(actual);
            return;
        }

        Assert.NotNull(actual);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"Expected JSON {expected}\nbut got {actual}");
    }

    protected static void AssertSameRun(WorkflowRun expected, WorkflowRun? actual)
    {
        Assert.NotNull(actual);
        AssertSameJson(expected.ParametersJson, actual.ParametersJson);
        var normalized = expected with
        {
            CreatedAt = Us(expected.CreatedAt),
            StartedAt = Us(expected.StartedAt),
            FinishedAt = Us(expected.FinishedAt),
        };
        Assert.Equal(normalized, actual with { ParametersJson = expected.ParametersJson });
        Assert.Equal(TimeSpan.Zero, actual.CreatedAt.Offset);
    }

    protected static void AssertSameStep(StepExecution expected, StepExecution? actual)
    {
        Assert.NotNull(actual);
        AssertSameJson(expected.InputsJson, actual.InputsJson);
        AssertSameJson(expected.OutputsJson, actual.OutputsJson);
        var normalized = expected with
        {
            QueuedAt = Us(expected.QueuedAt),
            StartedAt = Us(expected.StartedAt),
            FinishedAt = Us(expected.FinishedAt),
        };
        Assert.Equal(normalized, actual with { InputsJson = expected.InputsJson, OutputsJson = expected.OutputsJson });
    }
}

using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Definitions;

namespace SpotifyBuddies.Workflows.Execution;

/// <summary>
/// The workflow engine: starts runs, advances them step by step through the background job system, and runs the
/// steps those jobs carry. Every state change goes through the run store as a compare-and-set, and "what is ready
/// next" is decided under a per-run lock, so any number of workers (processes) can share the work and a crashed
/// one leaves nothing half-done: its job is delivered again and the step resumes, or the step is dispatched again.
/// </summary>
/// <remarks>
/// A run's life: <see cref="StartRunAsync"/> binds parameters, applies the workflow's concurrency policy, stores
/// the run with its definition's source text, and advances it. Advancing (<c>AdvanceAsync</c>) walks the steps in
/// order: a step whose needs all succeeded is evaluated (<c>if</c>, inputs, <c>foreach</c>) and dispatched as one
/// job on its queue (one per item for foreach, at most <c>max_parallel</c> at once); a step whose needs include a
/// skipped step is skipped. Each finished step advances the run again. See docs/workflows.md.
/// </remarks>
public sealed partial class WorkflowEngine : IWorkflowJobHandler
{
    private readonly IWorkflowRunStore _store;
    private readonly IStepDispatcher _dispatcher;
    private readonly IWorkflowScheduler? _scheduler;
    private readonly WorkflowEngineOptions _options;
    private readonly ILogger<WorkflowEngine> _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, WorkflowDefinition> _definitionsByHash = new(StringComparer.Ordinal);
    private WorkflowRepository _repository;

    public WorkflowEngine(
        StepCatalog catalog,
        IWorkflowRunStore store,
        IStepDispatcher dispatcher,
        IOptions<WorkflowEngineOptions> options,
        ILogger<WorkflowEngine> logger,
        IWorkflowScheduler? scheduler = null,
        TimeProvider? time = null)
    {
        Catalog = catalog;
        _store = store;
        _dispatcher = dispatcher;
        _scheduler = scheduler;
        _options = options.Value;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _repository = LoadRepository();
    }

    public StepCatalog Catalog { get; }

    /// <summary>The loaded, valid definitions.</summary>
    public IReadOnlyList<WorkflowEntry> Workflows => _repository.Entries;

    /// <summary>Files in the workflows folder that did not load or validate (left out of <see cref="Workflows"/>).</summary>
    public IReadOnlyList<WorkflowDiagnostic> DefinitionProblems => _repository.Problems;

    /// <exception cref="WorkflowNotFoundException"/>
    public WorkflowEntry GetWorkflow(string name) => _repository.Find(name) ?? throw new WorkflowNotFoundException(name);

    /// <summary>Reads the workflows folder again (new and changed files; runs already started keep their definition).</summary>
    public void Reload() => _repository = LoadRepository();

    /// <summary>Makes the background job system's recurring jobs match the definitions' schedules.</summary>
    public void SyncSchedules()
    {
        if (_scheduler is null)
        {
            return;
        }

        _scheduler.Sync([.. Workflows
            .Where(w => w.Definition.Schedule is not null)
            .Select(w => new WorkflowSchedule(w.Name, w.Definition.Schedule!.Cron, w.Definition.Schedule.TimeZone))]);
    }

    public DateTimeOffset? NextScheduledRun(string workflow) => _scheduler?.NextOccurrence(workflow);

    /// <summary>
    /// Starts a run: binds the parameters, applies the concurrency policy, records the run and dispatches its first
    /// steps. With a de-duplication key already seen, starts nothing and returns the earlier run.
    /// </summary>
    /// <exception cref="WorkflowNotFoundException"/>
    /// <exception cref="WorkflowParameterException"/>
    /// <exception cref="WorkflowConflictException">Another run is active and the policy is <c>forbid</c>.</exception>
    public async Task<StartRunResult> StartRunAsync(StartRunRequest request, CancellationToken cancellationToken = default)
    {
        var entry = GetWorkflow(request.Workflow);
        var parameters = ParameterBinder.Bind(entry.Definition, request.Parameters);
        var run = new WorkflowRun
        {
            Id = Guid.NewGuid(),
            Workflow = entry.Name,
            DefinitionHash = entry.Hash,
            DefinitionSource = entry.Source,
            DefinitionFile = entry.File,
            ParametersJson = parameters.ToJsonString(),
            Trigger = request.Trigger,
            Status = RunStatus.Pending,
            CreatedAt = _time.GetUtcNow(),
        };

        await using (await _store.AcquireLockAsync(WorkflowLockKey(entry.Name), cancellationToken))
        {
            if (request.Trigger.DedupKey is { } key &&
                await _store.TryClaimTriggerAsync(key, run.Id, run.CreatedAt, cancellationToken) is { } earlier)
            {
                if (await _store.GetRunAsync(earlier, cancellationToken) is { } earlierRun)
                {
                    Log.DuplicateTrigger(_logger, entry.Name, key, earlier);
                    return new StartRunResult(earlierRun, Duplicate: true);
                }

                // The key was claimed for a run that was never stored (refused below by the concurrency policy, or the
                // process died between the two writes): this run takes that id, so the key names it from now on.
                run = run with { Id = earlier };
            }

            var active = await _store.ListRunsAsync(
                new RunQuery { Workflow = entry.Name, Statuses = [RunStatus.Pending, RunStatus.Running], Limit = 1000 },
                cancellationToken);
            if (active.Count > 0 && entry.Definition.Concurrency == ConcurrencyPolicy.Forbid)
            {
                throw new WorkflowConflictException(
                    $"workflow '{entry.Name}' already has an active run ({active[0].Id}, {active[0].Status.ToString().ToLowerInvariant()}) " +
                    "and its concurrency policy is 'forbid'; cancel that run or wait for it");
            }

            if (entry.Definition.Concurrency == ConcurrencyPolicy.Replace)
            {
                foreach (var old in active)
                {
                    await CancelRunAsync(old.Id, $"replaced by run {run.Id}", cancellationToken);
                }
            }

            await _store.CreateRunAsync(run, cancellationToken);
        }

        Log.RunCreated(_logger, run.Id, entry.Name, request.Trigger.Kind);
        await AdvanceAsync(run.Id, cancellationToken);
        return new StartRunResult(await _store.GetRunAsync(run.Id, cancellationToken) ?? run);
    }

    /// <exception cref="RunNotFoundException"/>
    public async Task<RunDetails> GetRunAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        var run = await _store.GetRunAsync(runId, cancellationToken) ?? throw new RunNotFoundException(runId);
        return new RunDetails(run, await _store.GetStepsAsync(runId, cancellationToken));
    }

    public Task<IReadOnlyList<WorkflowRun>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default) =>
        _store.ListRunsAsync(query, cancellationToken);

    /// <summary>
    /// Cancels an active run: the run and its waiting steps become cancelled at once; running steps see it within
    /// <see cref="WorkflowEngineOptions.CancellationPollInterval"/> through their cancellation token.
    /// </summary>
    /// <exception cref="RunNotFoundException"/>
    /// <exception cref="WorkflowConflictException">The run has already ended.</exception>
    public async Task<WorkflowRun> CancelRunAsync(Guid runId, string? reason = null, CancellationToken cancellationToken = default)
    {
        await using (await _store.AcquireLockAsync(RunLockKey(runId), cancellationToken))
        {
            var run = await _store.GetRunAsync(runId, cancellationToken) ?? throw new RunNotFoundException(runId);
            var now = _time.GetUtcNow();
            var why = reason ?? "cancelled";
            if (!await _store.TryUpdateRunStatusAsync(runId, [RunStatus.Pending, RunStatus.Running], RunStatus.Cancelled, now, why, cancellationToken))
            {
                throw new WorkflowConflictException($"run {runId} has already ended ({run.Status.ToString().ToLowerInvariant()})");
            }

            foreach (var step in await _store.GetStepsAsync(runId, cancellationToken))
            {
                if (!step.IsTerminal)
                {
                    await _store.TryUpdateStepAsync(
                        step with { Status = StepStatus.Cancelled, Error = why, FinishedAt = now },
                        step.Status,
                        step.DispatchId,
                        cancellationToken);
                }
            }

            Log.RunCancelled(_logger, runId, why);
            return await _store.GetRunAsync(runId, cancellationToken) ?? run;
        }
    }

    /// <summary>
    /// Resumes a failed or cancelled run from where it stopped: steps that succeeded or were skipped keep their
    /// results; failed, timed-out and cancelled steps (and foreach items) run again as their next attempt (automatic
    /// retries then apply while the attempt number is within the step's <c>retry.attempts</c>).
    /// </summary>
    /// <exception cref="RunNotFoundException"/>
    /// <exception cref="WorkflowConflictException">The run is still active or succeeded.</exception>
    public async Task<WorkflowRun> RetryRunAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using (await _store.AcquireLockAsync(RunLockKey(runId), cancellationToken))
        {
            var run = await _store.GetRunAsync(runId, cancellationToken) ?? throw new RunNotFoundException(runId);
            if (run.Status is not (RunStatus.Failed or RunStatus.Cancelled))
            {
                throw new WorkflowConflictException(
                    $"run {runId} is {run.Status.ToString().ToLowerInvariant()}; only a failed or cancelled run can be retried");
            }

            var now = _time.GetUtcNow();
            foreach (var step in await _store.GetStepsAsync(runId, cancellationToken))
            {
                if (step.Status is StepStatus.Failed or StepStatus.TimedOut or StepStatus.Cancelled)
                {
                    var reset = step.ItemCount is not null && step.Item == StepExecution.StepRow
                        ? step with { Status = StepStatus.Running, Error = null, FinishedAt = null, OutputsJson = null }
                        : step with { Status = StepStatus.Pending, Attempt = step.Attempt + 1, DispatchId = null, JobId = null, Error = null, FinishedAt = null, StartedAt = null, OutputsJson = null };
                    if (await _store.TryUpdateStepAsync(reset, step.Status, step.DispatchId, cancellationToken))
                    {
                        await _store.AppendStepLogAsync(runId, step.StepId, step.Item, $"--- {now:u} run retried: this step runs again ---\n", cancellationToken);
                    }
                }
            }

            await _store.TryUpdateRunStatusAsync(runId, [RunStatus.Failed, RunStatus.Cancelled], RunStatus.Running, now, null, cancellationToken);
            Log.RunRetried(_logger, runId);
        }

        await AdvanceAsync(runId, cancellationToken);
        return await _store.GetRunAsync(runId, cancellationToken) ?? throw new RunNotFoundException(runId);
    }

    /// <summary>
    /// Picks up active runs after a (re)start: every active run is advanced (dispatching steps whose dispatch was
    /// lost). With <paramref name="orphanRunningSteps"/> — for a process-local job store (the Local profile's
    /// in-memory Hangfire), where no other worker can still be running them — steps left running are dispatched
    /// again; they resume from their persisted state.
    /// </summary>
    public async Task RecoverAsync(bool orphanRunningSteps, CancellationToken cancellationToken = default)
    {
        var active = await _store.ListRunsAsync(new RunQuery { Statuses = [RunStatus.Pending, RunStatus.Running], Limit = 1000 }, cancellationToken);
        foreach (var run in active)
        {
            if (orphanRunningSteps)
            {
                foreach (var step in await _store.GetStepsAsync(run.Id, cancellationToken))
                {
                    var orphaned = (step.Status == StepStatus.Running && step.ItemCount is null) ||
                        (step.Status == StepStatus.Pending && step.DispatchId is not null);
                    if (orphaned &&
                        await _store.TryUpdateStepAsync(step with { Status = StepStatus.Pending, DispatchId = null, JobId = null }, step.Status, step.DispatchId, cancellationToken))
                    {
                        await _store.AppendStepLogAsync(run.Id, step.StepId, step.Item, $"--- {_time.GetUtcNow():u} interrupted (the process stopped); dispatched again ---\n", cancellationToken);
                    }
                }
            }

            Log.RunRecovered(_logger, run.Id, run.Workflow);
            await AdvanceAsync(run.Id, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public async Task RunScheduledAsync(string workflow, CancellationToken cancellationToken)
    {
        if (_repository.Find(workflow) is not { } entry)
        {
            Log.ScheduledWorkflowMissing(_logger, workflow);
            return;
        }

        try
        {
            var cron = entry.Definition.Schedule is { } s ? $"{s.Cron} ({s.TimeZone})" : null;
            await StartRunAsync(new StartRunRequest { Workflow = workflow, Trigger = new RunTrigger(TriggerKinds.Schedule, "scheduler", cron) }, cancellationToken);
        }
        catch (WorkflowConflictException ex)
        {
            Log.ScheduledRunSkipped(_logger, workflow, ex.Message);
        }
    }

    private WorkflowRepository LoadRepository()
    {
        var repository = WorkflowRepository.Load(_options.DefinitionsDirectory, Catalog);
        foreach (var problem in repository.Problems)
        {
            Log.DefinitionProblem(_logger, problem.ToString());
        }

        return repository;
    }

    private WorkflowDefinition DefinitionOf(WorkflowRun run) =>
        _definitionsByHash.GetOrAdd(run.DefinitionHash, _ => WorkflowLoader.Parse(run.DefinitionSource, run.DefinitionFile));

    private static string RunLockKey(Guid runId) => "run:" + runId.ToString("N");

    private static string WorkflowLockKey(string workflow) => "workflow:" + workflow;

    private static JsonObject ParseObject(string? json) =>
        json is null ? [] : JsonNode.Parse(json) as JsonObject ?? [];
}

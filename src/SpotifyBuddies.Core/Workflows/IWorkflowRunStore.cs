namespace SpotifyBuddies.Core.Workflows;

/// <summary>
/// Persistence of workflow runs and step executions: PostgreSQL in Production, SQLite in Local; one contract
/// test suite runs against both. Every state change the orchestrator makes is a compare-and-set, so two workers
/// racing on the same run cannot both win.
/// </summary>
public interface IWorkflowRunStore
{
    /// <summary>Creates the store's tables when missing (idempotent).</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <exception cref="InvalidOperationException">A run with that id exists.</exception>
    Task CreateRunAsync(WorkflowRun run, CancellationToken cancellationToken = default);

    Task<WorkflowRun?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default);

    /// <summary>Runs newest first (by <see cref="WorkflowRun.CreatedAt"/>, then id).</summary>
    Task<IReadOnlyList<WorkflowRun>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets the run's status (and <see cref="WorkflowRun.StartedAt"/> on the first move to Running,
    /// <see cref="WorkflowRun.FinishedAt"/> on a terminal status, <see cref="WorkflowRun.Error"/> from <paramref name="failure"/> when given;
    /// moving back to Running clears FinishedAt and Error) only if its current status is one of
    /// <paramref name="expected"/>. Returns whether it did.
    /// </summary>
    Task<bool> TryUpdateRunStatusAsync(
        Guid runId,
        IReadOnlyCollection<RunStatus> expected,
        RunStatus status,
        DateTimeOffset at,
        string? failure = null,
        CancellationToken cancellationToken = default);

    /// <summary>Every execution row of the run, ordered by step id then item.</summary>
    Task<IReadOnlyList<StepExecution>> GetStepsAsync(Guid runId, CancellationToken cancellationToken = default);

    /// <summary>One execution row, or null.</summary>
    Task<StepExecution?> GetStepAsync(Guid runId, string stepId, int item, CancellationToken cancellationToken = default);

    /// <summary>Inserts the row unless one with the same (run, step, item) exists. Returns whether it inserted.</summary>
    Task<bool> TryInsertStepAsync(StepExecution execution, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the row identified by (<see cref="StepExecution.RunId"/>, <see cref="StepExecution.StepId"/>,
    /// <see cref="StepExecution.Item"/>) of <paramref name="replacement"/> with <paramref name="replacement"/> — all columns except
    /// <see cref="StepExecution.Logs"/>, which only <see cref="AppendStepLogAsync"/> changes — only if the stored row's
    /// status is <paramref name="expectedStatus"/> and its dispatch id is <paramref name="expectedDispatch"/>.
    /// Returns whether it did.
    /// </summary>
    Task<bool> TryUpdateStepAsync(
        StepExecution replacement,
        StepStatus expectedStatus,
        Guid? expectedDispatch,
        CancellationToken cancellationToken = default);

    /// <summary>Appends text (a line or several, each ending with a newline) to the row's logs.</summary>
    Task AppendStepLogAsync(Guid runId, string stepId, int item, string text, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a trigger's de-duplication key for <paramref name="runId"/>. Returns null when the key is new (the
    /// caller goes on with its run), or the run id already recorded under that key (the caller starts nothing).
    /// </summary>
    Task<Guid?> TryClaimTriggerAsync(string dedupKey, Guid runId, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>
    /// An exclusive lock on <paramref name="key"/> (e.g. a run id, or a workflow name for its concurrency policy),
    /// held until the returned handle is disposed. Across processes in PostgreSQL (advisory lock); within the
    /// process for SQLite (the Local profile has one process).
    /// </summary>
    Task<IAsyncDisposable> AcquireLockAsync(string key, CancellationToken cancellationToken = default);
}

/// <summary>Filter for <see cref="IWorkflowRunStore.ListRunsAsync"/>; null fields do not filter.</summary>
public sealed record RunQuery
{
    public string? Workflow { get; init; }

    /// <summary>Any of these statuses (null or empty: all).</summary>
    public IReadOnlyCollection<RunStatus>? Statuses { get; init; }

    /// <summary>At most this many runs (1–1000).</summary>
    public int Limit { get; init; } = 50;
}

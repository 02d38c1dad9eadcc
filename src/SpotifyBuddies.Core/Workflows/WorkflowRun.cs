namespace SpotifyBuddies.Core.Workflows;

/// <summary>Where a run is in its life. Terminal: <see cref="Succeeded"/>, <see cref="Failed"/>, <see cref="Cancelled"/>.</summary>
public enum RunStatus
{
    /// <summary>Created; no step has started yet.</summary>
    Pending,

    /// <summary>At least one step was dispatched and the run has not ended.</summary>
    Running,

    Succeeded,

    /// <summary>A step failed after its last attempt (or timed out); retry-from-failed can resume it.</summary>
    Failed,

    /// <summary>Cancelled from the API or CLI, or replaced by a newer run (concurrency: replace).</summary>
    Cancelled,
}

/// <summary>Where a step execution is. Terminal: everything but <see cref="Pending"/> and <see cref="Running"/>.</summary>
public enum StepStatus
{
    /// <summary>Claimed and dispatched (or waiting for a retry's back-off); not started by a worker yet.</summary>
    Pending,

    Running,
    Succeeded,
    Failed,

    /// <summary>Its <c>if</c> was false, or a step it needs was skipped.</summary>
    Skipped,

    Cancelled,

    /// <summary>Its timeout cancelled it (a failure, retried like one).</summary>
    TimedOut,
}

/// <summary>What started a run.</summary>
/// <param name="Kind">One of <see cref="TriggerKinds"/>.</param>
/// <param name="Actor">Who asked (API key name, OS user, "hangfire"), when known.</param>
/// <param name="Detail">Free text: the cron expression, the webhook's alert name, the run retried.</param>
/// <param name="DedupKey">For webhook triggers: the key that makes a re-delivered notification start no second run.</param>
public sealed record RunTrigger(string Kind, string? Actor = null, string? Detail = null, string? DedupKey = null);

public static class TriggerKinds
{
    public const string Manual = "manual";
    public const string Schedule = "schedule";
    public const string Webhook = "webhook";
}

/// <summary>
/// One run of a workflow, as persisted. The definition's source text is kept with the run, so a run resumes
/// with the definition it started with even when the file changed since.
/// </summary>
public sealed record WorkflowRun
{
    public required Guid Id { get; init; }

    public required string Workflow { get; init; }

    /// <summary>SHA-256 (hex) of <see cref="DefinitionSource"/>: the definition's version.</summary>
    public required string DefinitionHash { get; init; }

    /// <summary>The definition file's text (YAML or JSON) as it was when the run was created.</summary>
    public required string DefinitionSource { get; init; }

    /// <summary>File name the definition came from (for error positions), e.g. <c>weekly-retrain.yaml</c>.</summary>
    public required string DefinitionFile { get; init; }

    /// <summary>The effective parameters (defaults merged with overrides) as a JSON object.</summary>
    public required string ParametersJson { get; init; }

    public required RunTrigger Trigger { get; init; }

    public required RunStatus Status { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Why it failed or was cancelled.</summary>
    public string? Error { get; init; }
}

/// <summary>
/// One execution of a step in a run. A plain step has one row with <see cref="Item"/> = <see cref="StepExecution.StepRow"/>;
/// a <c>foreach</c> step has that row (its fan-in: status and the collected outputs) plus one row per item (0, 1, …).
/// A retry updates the same row with the next <see cref="Attempt"/>.
/// </summary>
public sealed record StepExecution
{
    /// <summary>The <see cref="Item"/> of a step's own row (as opposed to a foreach item's row).</summary>
    public const int StepRow = -1;

    public required Guid RunId { get; init; }

    public required string StepId { get; init; }

    public int Item { get; init; } = StepRow;

    public required StepStatus Status { get; init; }

    /// <summary>1 for the first attempt.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>
    /// The token of the dispatch that may run this execution. A worker starts the step only while the row still
    /// carries its token (compare-and-set), so a job delivered twice, or superseded by a re-dispatch, does nothing.
    /// </summary>
    public Guid? DispatchId { get; init; }

    /// <summary>The background job system's id for the current dispatch (Hangfire job id), once known.</summary>
    public string? JobId { get; init; }

    /// <summary>Queue the step runs on (<c>dataprep</c>, <c>training</c>, <c>default</c>).</summary>
    public string? Queue { get; init; }

    /// <summary>For a foreach step's own row: how many items it fanned out to.</summary>
    public int? ItemCount { get; init; }

    /// <summary>The inputs after expression evaluation, as a JSON object.</summary>
    public string? InputsJson { get; init; }

    /// <summary>The step's outputs as a JSON object (for a foreach step's own row: each output as an array, in item order).</summary>
    public string? OutputsJson { get; init; }

    public string? Error { get; init; }

    /// <summary>The step's log lines, newline-separated (appended while it runs).</summary>
    public string Logs { get; init; } = "";

    public DateTimeOffset? QueuedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public bool IsTerminal => Status is not (StepStatus.Pending or StepStatus.Running);
}

public static class RunStatusExtensions
{
    public static bool IsTerminal(this RunStatus status) =>
        status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled;
}

namespace SpotifyBuddies.Core.Workflows;

/// <summary>
/// What a background job carries: ids only. The worker reads everything else from the run store, and runs the
/// step only if the stored row still carries <see cref="DispatchId"/>.
/// </summary>
public sealed record StepDispatch(Guid RunId, string StepId, int Item, Guid DispatchId, string Queue);

/// <summary>
/// Puts step executions on the background job system (Hangfire in Infrastructure); the jobs call
/// <see cref="IWorkflowJobHandler.RunStepAsync"/>.
/// </summary>
public interface IStepDispatcher
{
    /// <summary>Enqueues the step on its queue now, or after <paramref name="delay"/> (a retry's back-off). Returns the job id.</summary>
    string Dispatch(StepDispatch dispatch, TimeSpan? delay = null);
}

/// <summary>What the background jobs call back into (the orchestrator implements it).</summary>
public interface IWorkflowJobHandler
{
    /// <summary>Runs one step execution. Returns normally when the step failed (the failure is recorded); throws only when the store cannot be reached.</summary>
    Task RunStepAsync(StepDispatch dispatch, CancellationToken cancellationToken);

    /// <summary>A cron schedule fired for <paramref name="workflow"/>.</summary>
    Task RunScheduledAsync(string workflow, CancellationToken cancellationToken);
}

/// <summary>One workflow's cron schedule.</summary>
/// <param name="TimeZone">An IANA or Windows time zone id, e.g. <c>Europe/Stockholm</c> or <c>UTC</c>.</param>
public sealed record WorkflowSchedule(string Workflow, string Cron, string TimeZone);

/// <summary>Keeps the background job system's recurring jobs equal to the workflows' schedules.</summary>
public interface IWorkflowScheduler
{
    /// <summary>Adds or updates one recurring job per schedule and removes recurring workflow jobs not in the list.</summary>
    void Sync(IReadOnlyCollection<WorkflowSchedule> schedules);

    /// <summary>The next time the workflow's recurring job fires, or null when it has none.</summary>
    DateTimeOffset? NextOccurrence(string workflow);
}

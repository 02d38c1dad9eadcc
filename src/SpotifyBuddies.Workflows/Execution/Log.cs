using Microsoft.Extensions.Logging;

namespace SpotifyBuddies.Workflows.Execution;

/// <summary>The engine's log messages (event ids 7000–7099).</summary>
internal static partial class Log
{
    [LoggerMessage(7000, LogLevel.Information, "Run {RunId} of {Workflow} created ({Trigger})")]
    public static partial void RunCreated(ILogger logger, Guid runId, string workflow, string trigger);

    [LoggerMessage(7001, LogLevel.Information, "Run {RunId} of {Workflow} {Status}")]
    public static partial void RunFinished(ILogger logger, Guid runId, string workflow, string status);

    [LoggerMessage(7002, LogLevel.Information, "Run {RunId} cancelled: {Reason}")]
    public static partial void RunCancelled(ILogger logger, Guid runId, string reason);

    [LoggerMessage(7003, LogLevel.Information, "Run {RunId} retried from its failed steps")]
    public static partial void RunRetried(ILogger logger, Guid runId);

    [LoggerMessage(7004, LogLevel.Information, "Run {RunId} of {Workflow} picked up after a restart")]
    public static partial void RunRecovered(ILogger logger, Guid runId, string workflow);

    [LoggerMessage(7005, LogLevel.Information, "Webhook for {Workflow} with key {DedupKey} was seen before (run {RunId}); nothing started")]
    public static partial void DuplicateTrigger(ILogger logger, string workflow, string dedupKey, Guid runId);

    [LoggerMessage(7006, LogLevel.Warning, "Scheduled run of {Workflow} skipped: {Reason}")]
    public static partial void ScheduledRunSkipped(ILogger logger, string workflow, string reason);

    [LoggerMessage(7007, LogLevel.Warning, "A schedule fired for workflow {Workflow}, which is no longer loaded")]
    public static partial void ScheduledWorkflowMissing(ILogger logger, string workflow);

    [LoggerMessage(7008, LogLevel.Error, "Workflow definition left out: {Problem}")]
    public static partial void DefinitionProblem(ILogger logger, string problem);

    [LoggerMessage(7010, LogLevel.Debug, "Run {RunId}: step {StepId} created as {Status}")]
    public static partial void StepCreated(ILogger logger, Guid runId, string stepId, string status);

    [LoggerMessage(7011, LogLevel.Information, "Run {RunId}: step {StepId}[{Item}] dispatched on {Queue} as job {JobId}")]
    public static partial void StepDispatched(ILogger logger, Guid runId, string stepId, int item, string queue, string jobId);

    [LoggerMessage(7012, LogLevel.Information, "Run {RunId}: step {StepId} {Status}")]
    public static partial void StepFinished(ILogger logger, Guid runId, string stepId, string status);

    [LoggerMessage(7013, LogLevel.Warning, "Run {RunId}: step {StepId}[{Item}] attempt failed")]
    public static partial void StepFailed(ILogger logger, Exception exception, Guid runId, string stepId, int item);

    [LoggerMessage(7014, LogLevel.Debug, "Run {RunId}: a job for step {StepId}[{Item}] was superseded; it does nothing")]
    public static partial void DispatchSuperseded(ILogger logger, Guid runId, string stepId, int item);

    [LoggerMessage(7015, LogLevel.Warning, "Run {RunId}: step {StepId}[{Item}] was claimed but never enqueued; dispatching it again")]
    public static partial void DispatchLost(ILogger logger, Guid runId, string stepId, int item);

    [LoggerMessage(7017, LogLevel.Warning, "Run {RunId}: could not check whether the run was cancelled; the step carries on and the next check tries again")]
    public static partial void CancellationCheckFailed(ILogger logger, Exception exception, Guid runId);

    [LoggerMessage(7018, LogLevel.Warning, "Run {RunId}: step {StepId}[{Item}]: {Characters} characters of its log could not be stored yet; they are sent with the next batch")]
    public static partial void StepLogNotStored(ILogger logger, Exception exception, Guid runId, string stepId, int item, int characters);

    [LoggerMessage(7016, LogLevel.Information, "[{RunId} {StepId}[{Item}]] {Line}")]
    public static partial void StepLog(ILogger logger, Guid runId, string stepId, int item, string line);
}

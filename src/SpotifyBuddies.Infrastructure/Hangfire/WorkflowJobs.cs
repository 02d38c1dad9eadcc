using Hangfire;
using Hangfire.Common;
using Hangfire.Dashboard;
using SpotifyBuddies.Core.Workflows;

namespace SpotifyBuddies.Infrastructure.Hangfire;

/// <summary>
/// The background jobs of the workflow engine. Hangfire stores this type's name and the method's arguments in each
/// job, so the type name, the method names and their parameters are a storage format: do not rename them without
/// draining the queues first. The jobs only carry ids; <see cref="IWorkflowJobHandler"/> reads the rest from the run store.
/// </summary>
/// <remarks>
/// Step failures never reach Hangfire: the engine records them and retries steps itself, with the definition's
/// back-off. A <see cref="RunStep"/> job throws only when the engine could not do its bookkeeping (the run store was
/// unreachable, say, while recording an outcome); Hangfire then delivers the job again (the delays are on
/// <see cref="RunStep"/>) — safe, because the handler runs the step only while the step row still carries the
/// job's dispatch id, and a step found still running resumes from its own persisted state. Without those deliveries
/// such a step would stay <c>running</c> until someone re-queued the job from the dashboard. Schedule jobs are not retried: a
/// second delivery could start a second run.
/// </remarks>
[AutomaticRetry(Attempts = 0)]
public class WorkflowJobs(IWorkflowJobHandler handler)
{
    /// <summary>
    /// Runs one step execution. The job goes on the queue named by <paramref name="queue"/> (argument 4). Delivered again
    /// after it threw: in 10 s, 30 s, 1, 2, 5, 10, 15 and 30 min (about an hour in all, enough for a database restart or
    /// fail-over); after that it shows as failed in the dashboard, where it can be re-queued.
    /// </summary>
    [Queue("{4}")]
    [StepJobDisplayName]
    [AutomaticRetry(Attempts = 8, DelaysInSeconds = [10, 30, 60, 120, 300, 600, 900, 1800], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public Task RunStep(Guid runId, string stepId, int item, Guid dispatchId, string queue, CancellationToken cancellationToken) =>
        handler.RunStepAsync(new StepDispatch(runId, stepId, item, dispatchId, queue), cancellationToken);

    /// <summary>A workflow's cron schedule fired (the recurring job <c>workflow:&lt;name&gt;</c>).</summary>
    [JobDisplayName("{0} · schedule")]
    public Task RunScheduled(string workflow, CancellationToken cancellationToken) =>
        handler.RunScheduledAsync(workflow, cancellationToken);

    /// <summary>Shows a step job in the dashboard as <c>train (run 1a2b3c4d…)</c>, or <c>train[3] (run 1a2b3c4d…)</c> for a foreach item.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    private sealed class StepJobDisplayNameAttribute() : JobDisplayNameAttribute("{1} (run {0})")
    {
        public override string Format(DashboardContext context, Job job)
        {
            ArgumentNullException.ThrowIfNull(job);
            return job.Args is [Guid runId, string stepId, int item, ..]
                ? FormatStep(runId, stepId, item)
                : base.Format(context, job);
        }
    }

    /// <summary>The dashboard's name for a step job.</summary>
    public static string FormatStep(Guid runId, string stepId, int item)
    {
        var step = item == StepExecution.StepRow ? stepId : $"{stepId}[{item}]";
        return $"{step} (run {runId.ToString("N")[..8]}…)";
    }
}

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
/// Hangfire's own retries are off (<c>Attempts = 0</c>): the engine retries steps itself, with the definition's back-off,
/// and a job that throws means the store could not be reached. A job re-delivered after a crash is safe: the handler runs
/// the step only while the step row still carries the job's dispatch id.
/// </remarks>
[AutomaticRetry(Attempts = 0)]
public class WorkflowJobs(IWorkflowJobHandler handler)
{
    /// <summary>Runs one step execution. The job goes on the queue named by <paramref name="queue"/> (argument 4).</summary>
    [Queue("{4}")]
    [StepJobDisplayName]
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

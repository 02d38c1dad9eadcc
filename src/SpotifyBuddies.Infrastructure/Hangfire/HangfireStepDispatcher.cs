using Hangfire;
using SpotifyBuddies.Core.Workflows;

namespace SpotifyBuddies.Infrastructure.Hangfire;

/// <summary>
/// Puts step executions on Hangfire as <see cref="WorkflowJobs.RunStep"/> jobs, through the host's
/// <see cref="IBackgroundJobClient"/> (never the static <c>BackgroundJob</c>: the storage is the one this host composed).
/// The queue travels as a job argument and <see cref="QueueAttribute"/> routes on it, so a delayed job, or one
/// re-queued from the dashboard, lands on the step's queue too, on any storage.
/// </summary>
public sealed class HangfireStepDispatcher(IBackgroundJobClient client) : IStepDispatcher
{
    public string Dispatch(StepDispatch dispatch, TimeSpan? delay = null)
    {
        ArgumentNullException.ThrowIfNull(dispatch);
        if (delay is { } wait && wait < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "A dispatch delay cannot be negative.");
        }

        var (runId, stepId, item, dispatchId, queue) = dispatch;
        return delay is { } after && after > TimeSpan.Zero
            ? client.Schedule<WorkflowJobs>(j => j.RunStep(runId, stepId, item, dispatchId, queue, CancellationToken.None), after)
            : client.Enqueue<WorkflowJobs>(j => j.RunStep(runId, stepId, item, dispatchId, queue, CancellationToken.None));
    }
}

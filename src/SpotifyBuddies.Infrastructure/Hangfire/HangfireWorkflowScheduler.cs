using Hangfire;
using Hangfire.Storage;
using SpotifyBuddies.Core.Workflows;

namespace SpotifyBuddies.Infrastructure.Hangfire;

/// <summary>
/// Workflow schedules as Hangfire recurring jobs: one per workflow, id <c>workflow:&lt;name&gt;</c>, calling
/// <see cref="WorkflowJobs.RunScheduled"/> on the <c>default</c> queue, in the schedule's time zone.
/// </summary>
/// <remarks>
/// Misfires: <see cref="MisfireHandlingMode.Relaxed"/>. When no server was running at one or more scheduled times,
/// the first server to come back starts one run (not one per missed time), then follows the cron again.
/// </remarks>
public sealed class HangfireWorkflowScheduler(IRecurringJobManager manager, JobStorage storage) : IWorkflowScheduler
{
    /// <summary>The prefix of the recurring job ids this scheduler owns; others are left alone.</summary>
    public const string JobIdPrefix = "workflow:";

    /// <summary>The recurring job id of a workflow's schedule.</summary>
    public static string JobId(string workflow) => JobIdPrefix + workflow;

    /// <exception cref="ArgumentException">A time zone id is unknown, a cron expression is invalid, or a workflow appears twice.</exception>
    public void Sync(IReadOnlyCollection<WorkflowSchedule> schedules)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var schedule in schedules)
        {
            if (!wanted.Add(JobId(schedule.Workflow)))
            {
                throw new ArgumentException($"Workflow '{schedule.Workflow}' has more than one schedule.", nameof(schedules));
            }
        }

        foreach (var schedule in schedules)
        {
            var options = new RecurringJobOptions
            {
                TimeZone = FindTimeZone(schedule),
                MisfireHandling = MisfireHandlingMode.Relaxed,
            };
            var workflow = schedule.Workflow;
            try
            {
                manager.AddOrUpdate<WorkflowJobs>(JobId(workflow), j => j.RunScheduled(workflow, CancellationToken.None), schedule.Cron, options);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"Workflow '{workflow}': schedule '{schedule.Cron}' is not a valid cron expression: {ex.Message}", nameof(schedules), ex);
            }
        }

        using var connection = storage.GetConnection();
        foreach (var job in connection.GetRecurringJobs())
        {
            if (job.Id.StartsWith(JobIdPrefix, StringComparison.Ordinal) && !wanted.Contains(job.Id))
            {
                manager.RemoveIfExists(job.Id);
            }
        }
    }

    public DateTimeOffset? NextOccurrence(string workflow)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        using var connection = storage.GetConnection();
        var job = connection.GetRecurringJobs([JobId(workflow)]).FirstOrDefault(j => !j.Removed);
        return job?.NextExecution is { } next
            ? new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc))
            : null;
    }

    private static TimeZoneInfo FindTimeZone(WorkflowSchedule schedule)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(schedule.TimeZone);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new ArgumentException(
                $"Workflow '{schedule.Workflow}': time zone '{schedule.TimeZone}' is not known on this machine (use an IANA id such as Europe/Stockholm or UTC).",
                nameof(schedule),
                ex);
        }
    }
}

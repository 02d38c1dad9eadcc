using Cronos;
using Hangfire;
using Hangfire.Storage;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Infrastructure.Hangfire;
using SpotifyBuddies.Infrastructure.Tests.Testing;

namespace SpotifyBuddies.Infrastructure.Tests.Hangfire;

[Collection(HangfireTestGroup.Name)]
public sealed class HangfireWorkflowSchedulerTests(PostgresSchemas schemas) : IClassFixture<PostgresSchemas>
{
    [PostgresFact]
    public async Task Sync_RegistersOneRecurringJobPerSchedule_InItsTimeZone_AndRemovesOnlyWorkflowJobsNoLongerListed()
    {
        await using var host = await HangfireTestHost.StartAsync(HangfireTestHost.PostgresOptions(schemas.NewSchemaName()), new RecordingJobHandler());
        var manager = (IRecurringJobManager)host.Services.GetService(typeof(IRecurringJobManager))!;
        manager.AddOrUpdate<WorkflowJobs>("not-a-workflow", j => j.RunScheduled("other", CancellationToken.None), Cron.Daily());
        const string cron = "30 3 * * 1";
        const string zone = "America/New_York";

        host.Scheduler.Sync([new WorkflowSchedule("x", cron, zone)]);

        var job = Assert.Single(RecurringJobs(host), j => j.Id.StartsWith(HangfireWorkflowScheduler.JobIdPrefix, StringComparison.Ordinal));
        Assert.Equal("workflow:x", job.Id);
        Assert.Equal(cron, job.Cron);
        Assert.Equal(zone, job.TimeZoneId);
        Assert.Equal("default", job.Queue);
        Assert.Equal(nameof(WorkflowJobs.RunScheduled), job.Job.Method.Name);
        Assert.Equal("x", job.Job.Args[0]);
        var expected = CronExpression.Parse(cron).GetNextOccurrence(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById(zone));
        Assert.Equal(expected, host.Scheduler.NextOccurrence("x"));
        Assert.Equal(TimeSpan.Zero, host.Scheduler.NextOccurrence("x")!.Value.Offset);

        host.Scheduler.Sync([]);

        Assert.Equal(["not-a-workflow"], RecurringJobs(host).Select(j => j.Id));
        Assert.Null(host.Scheduler.NextOccurrence("x"));
    }

    [Fact]
    public async Task Sync_WhenAScheduleChanges_UpdatesTheRecurringJobInPlace()
    {
        await using var host = await HangfireTestHost.StartAsync(new(), new RecordingJobHandler());

        host.Scheduler.Sync([new WorkflowSchedule("x", "0 3 * * *", "UTC"), new WorkflowSchedule("y", "0 4 * * *", "UTC")]);
        host.Scheduler.Sync([new WorkflowSchedule("x", "15 5 * * *", "Europe/Stockholm")]);

        var job = Assert.Single(RecurringJobs(host));
        Assert.Equal(("workflow:x", "15 5 * * *", "Europe/Stockholm"), (job.Id, job.Cron, job.TimeZoneId));
        var expected = CronExpression.Parse("15 5 * * *").GetNextOccurrence(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm"));
        Assert.Equal(expected, host.Scheduler.NextOccurrence("x"));
        Assert.Null(host.Scheduler.NextOccurrence("y"));
    }

    [Fact]
    public async Task Sync_WithAnUnknownTimeZone_ThrowsNamingTheWorkflowAndTheZone()
    {
        await using var host = await HangfireTestHost.StartAsync(new(), new RecordingJobHandler());

        var error = Assert.Throws<ArgumentException>(() => host.Scheduler.Sync([new WorkflowSchedule("nightly", "0 3 * * *", "Mars/Olympus")]));

        Assert.Contains("'nightly'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Mars/Olympus'", error.Message, StringComparison.Ordinal);
        Assert.Empty(RecurringJobs(host));
    }

    [Fact]
    public async Task Sync_WithAnInvalidCron_ThrowsNamingTheWorkflowAndTheExpression()
    {
        await using var host = await HangfireTestHost.StartAsync(new(), new RecordingJobHandler());

        var error = Assert.Throws<ArgumentException>(() => host.Scheduler.Sync([new WorkflowSchedule("nightly", "61 * * * *", "UTC")]));

        Assert.Contains("'nightly'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'61 * * * *'", error.Message, StringComparison.Ordinal);
    }

    private static List<RecurringJobDto> RecurringJobs(HangfireTestHost host)
    {
        using var connection = host.Storage.GetConnection();
        return connection.GetRecurringJobs();
    }
}

using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Infrastructure.Hangfire;

namespace SpotifyBuddies.Infrastructure.Tests.Hangfire;

[Collection(HangfireTestGroup.Name)]
public sealed class WorkflowHangfireRegistrationTests
{
    [Fact]
    public async Task InMemoryStorage_WithAServer_RunsADispatchedStep()
    {
        var handler = new RecordingJobHandler();
        await using var host = await HangfireTestHost.StartAsync(new WorkflowHangfireOptions(), handler, serverQueues: ["default"]);
        var dispatch = new StepDispatch(Guid.NewGuid(), "synth", StepExecution.StepRow, Guid.NewGuid(), "default");

        host.Dispatcher.Dispatch(dispatch);

        Assert.Equal(dispatch, (await handler.NextStepAsync()).Dispatch);
    }

    [Fact]
    public async Task TwoContainers_EachUseTheirOwnStorage_NotTheProcessWideOne()
    {
        await using var a = await HangfireTestHost.StartAsync(new WorkflowHangfireOptions(), new RecordingJobHandler());
        await using var b = await HangfireTestHost.StartAsync(new WorkflowHangfireOptions(), new RecordingJobHandler());

        var jobId = a.Dispatcher.Dispatch(new StepDispatch(Guid.NewGuid(), "s", StepExecution.StepRow, Guid.NewGuid(), "default"));

        Assert.NotSame(a.Storage, b.Storage);
        Assert.NotNull(a.Storage.GetMonitoringApi().JobDetails(jobId));
        Assert.Equal(0, b.Storage.GetMonitoringApi().EnqueuedCount("default"));
    }

    [Fact]
    public void PostgreSql_WithoutConnectionString_FailsAtRegistrationNamingTheSetting()
    {
        var error = Assert.Throws<OptionsValidationException>(() =>
            new ServiceCollection().AddWorkflowHangfire(new WorkflowHangfireOptions { Storage = WorkflowJobStorage.PostgreSql }));

        Assert.Contains("ConnectionString", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvisibilityTimeout_BelowOneSecond_IsRejected()
    {
        var error = Assert.Throws<OptionsValidationException>(() =>
            new ServiceCollection().AddWorkflowHangfire(new WorkflowHangfireOptions { InvisibilityTimeout = TimeSpan.FromMilliseconds(10) }));

        Assert.Contains("InvisibilityTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddWorkflowHangfire_Twice_Throws()
    {
        var services = new ServiceCollection().AddWorkflowHangfire(new WorkflowHangfireOptions());

        Assert.Throws<InvalidOperationException>(() => services.AddWorkflowHangfire(new WorkflowHangfireOptions()));
    }

    [Fact]
    public void AddWorkflowHangfireServer_WithoutQueues_Throws()
    {
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddWorkflowHangfireServer(queues: []));
    }

    [Fact]
    public void WorkflowJobs_RetryOnlyStepJobs_ForAboutAnHour_AndRouteStepsByTheirQueueArgument()
    {
        // What Hangfire applies: the method's AutomaticRetry overrides the class's (schedule jobs: none).
        var step = Job.FromExpression<WorkflowJobs>(j => j.RunStep(Guid.NewGuid(), "train", -1, Guid.NewGuid(), "training", CancellationToken.None));
        var scheduled = Job.FromExpression<WorkflowJobs>(j => j.RunScheduled("weekly-retrain", CancellationToken.None));
        var stepRetry = Assert.Single(JobFilterProviders.Providers.GetFilters(step).Select(f => f.Instance).OfType<AutomaticRetryAttribute>());
        var scheduledRetry = Assert.Single(JobFilterProviders.Providers.GetFilters(scheduled).Select(f => f.Instance).OfType<AutomaticRetryAttribute>());
        var queue = Assert.Single(typeof(WorkflowJobs).GetMethod(nameof(WorkflowJobs.RunStep))!.GetCustomAttributes(typeof(QueueAttribute), inherit: true).Cast<QueueAttribute>());

        Assert.Equal(0, scheduledRetry.Attempts);
        Assert.Equal(stepRetry.DelaysInSeconds.Length, stepRetry.Attempts);
        Assert.Equal(10, stepRetry.DelaysInSeconds[0]);
        Assert.InRange(stepRetry.DelaysInSeconds.Sum(), 3000, 5400);
        Assert.Equal(AttemptsExceededAction.Fail, stepRetry.OnAttemptsExceeded);
        Assert.Equal("{4}", queue.Queue);
    }

    [Fact]
    public void RunStep_DashboardDisplayName_NamesTheStepAndRun()
    {
        var runId = Guid.Parse("1a2b3c4d-0000-0000-0000-000000000000");
        var job = Job.FromExpression<WorkflowJobs>(j => j.RunStep(runId, "train", 2, Guid.NewGuid(), "training", CancellationToken.None));
        var attribute = Assert.Single(job.Method.GetCustomAttributes(typeof(JobDisplayNameAttribute), inherit: true).Cast<JobDisplayNameAttribute>());

        Assert.Equal("train[2] (run 1a2b3c4d…)", attribute.Format(null!, job));
    }

    [Theory]
    [InlineData(StepExecution.StepRow, "train (run 1a2b3c4d…)")]
    [InlineData(2, "train[2] (run 1a2b3c4d…)")]
    public void FormatStep_ShowsTheStepItemAndShortRunId(int item, string expected)
    {
        Assert.Equal(expected, WorkflowJobs.FormatStep(Guid.Parse("1a2b3c4d-0000-0000-0000-000000000000"), "train", item));
    }
}

using Hangfire;
using Hangfire.States;
using Hangfire.Common;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Infrastructure.Tests.Testing;

namespace SpotifyBuddies.Infrastructure.Tests.Hangfire;

[Collection(HangfireTestGroup.Name)]
public sealed class HangfireStepDispatcherTests(PostgresSchemas schemas) : IClassFixture<PostgresSchemas>
{
    [PostgresFact]
    public async Task Dispatch_RunsTheStepOnItsQueueOnly_WithTheSameIds()
    {
        var options = HangfireTestHost.PostgresOptions(schemas.NewSchemaName());
        var training = new RecordingJobHandler();
        var dataprepDispatch = new StepDispatch(Guid.NewGuid(), "prepare", StepExecution.StepRow, Guid.NewGuid(), "dataprep");
        var trainingDispatch = new StepDispatch(Guid.NewGuid(), "train", 3, Guid.NewGuid(), "training");
        string dataprepJob;
        await using (var host = await HangfireTestHost.StartAsync(options, training, serverQueues: ["training"]))
        {
            // The dataprep job goes first, yet the server that only listens to 'training' never takes it.
            dataprepJob = host.Dispatcher.Dispatch(dataprepDispatch);
            var trainingJob = host.Dispatcher.Dispatch(trainingDispatch);

            var (received, _) = await training.NextStepAsync();

            Assert.Equal(trainingDispatch, received);
            await WaitForStateAsync(host.Storage, trainingJob, SucceededState.StateName);
            var waiting = host.Storage.GetMonitoringApi().JobDetails(dataprepJob).History[0];
            Assert.Equal(EnqueuedState.StateName, waiting.StateName);
            Assert.Equal("dataprep", waiting.Data["Queue"]);
            Assert.Equal(0, training.StepCalls);
        }

        // A server on 'dataprep' runs the job left waiting there.
        var dataprep = new RecordingJobHandler();
        await using (await HangfireTestHost.StartAsync(options, dataprep, serverQueues: ["dataprep"]))
        {
            var (received, _) = await dataprep.NextStepAsync();

            Assert.Equal(dataprepDispatch, received);
        }
    }

    [PostgresFact]
    public async Task Dispatch_WithDelay_SchedulesTheJobAndRunsItOnItsQueueOnlyAfterTheDelay()
    {
        var handler = new RecordingJobHandler();
        await using var host = await HangfireTestHost.StartAsync(HangfireTestHost.PostgresOptions(schemas.NewSchemaName()), handler, serverQueues: ["training"]);
        var dispatch = new StepDispatch(Guid.NewGuid(), "train", StepExecution.StepRow, Guid.NewGuid(), "training");

        var dispatchedAt = DateTimeOffset.UtcNow;
        var jobId = host.Dispatcher.Dispatch(dispatch, TimeSpan.FromSeconds(2));

        using (var connection = host.Storage.GetConnection())
        {
            Assert.Equal(ScheduledState.StateName, connection.GetStateData(jobId).Name);
        }

        var (received, at) = await handler.NextStepAsync();
        Assert.Equal(dispatch, received);
        var history = host.Storage.GetMonitoringApi().JobDetails(jobId).History.AsEnumerable().Reverse().ToList();
        var scheduled = history.First(h => h.StateName == ScheduledState.StateName);
        var enqueueAt = new DateTimeOffset(JobHelper.DeserializeDateTime(scheduled.Data["EnqueueAt"]), TimeSpan.Zero);
        // Hangfire stores the time in whole milliseconds.
        var dispatchedMillisecond = dispatchedAt.AddTicks(-(dispatchedAt.Ticks % TimeSpan.TicksPerMillisecond));
        Assert.True(enqueueAt >= dispatchedMillisecond + TimeSpan.FromSeconds(2), $"Scheduled for {enqueueAt:O}, less than the delay after {dispatchedAt:O}.");

        // Hangfire keeps the schedule in whole seconds (the set's score): a job starts no earlier than its second.
        var enqueueSecond = enqueueAt.AddTicks(-(enqueueAt.Ticks % TimeSpan.TicksPerSecond));
        Assert.True(at >= enqueueSecond, $"The step ran at {at:O}, before its scheduled time {enqueueAt:O}.");
        var enqueued = history.First(h => h.StateName == EnqueuedState.StateName);
        Assert.Equal("training", enqueued.Data["Queue"]);
        Assert.Equal(
            [ScheduledState.StateName, EnqueuedState.StateName, ProcessingState.StateName],
            history.Select(h => h.StateName).Take(3));
    }

    [Fact]
    public async Task Dispatch_WithNegativeDelay_Throws()
    {
        await using var host = await HangfireTestHost.StartAsync(new(), new RecordingJobHandler());

        Assert.Throws<ArgumentOutOfRangeException>(() =>
            host.Dispatcher.Dispatch(new StepDispatch(Guid.NewGuid(), "s", StepExecution.StepRow, Guid.NewGuid(), "default"), TimeSpan.FromSeconds(-1)));
    }

    internal static async Task WaitForStateAsync(JobStorage storage, string jobId, string state)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string? current = null;
        while (DateTime.UtcNow < deadline)
        {
            using (var connection = storage.GetConnection())
            {
                current = connection.GetStateData(jobId)?.Name;
            }

            if (current == state)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Job {jobId} did not reach {state} within 60 s (it is {current ?? "in no state"}).");
    }
}

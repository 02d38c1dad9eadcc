using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Infrastructure.Tests.Testing;

namespace SpotifyBuddies.Infrastructure.Tests.Hangfire;

[Collection(HangfireTestGroup.Name)]
public sealed class HangfireCrashRecoveryTests(PostgresSchemas schemas) : IClassFixture<PostgresSchemas>
{
    [PostgresFact]
    public async Task AbandonedJob_IsKeptWhileItsServerLives_AndFetchedByAnotherServerAfterTheInvisibilityTimeout()
    {
        var invisibility = TimeSpan.FromSeconds(3);
        var options = HangfireTestHost.PostgresOptions(schemas.NewSchemaName(), invisibility);
        var first = new RecordingJobHandler { Hang = true };
        var second = new RecordingJobHandler();
        var dispatch = new StepDispatch(Guid.NewGuid(), "train", StepExecution.StepRow, Guid.NewGuid(), "training");
        var crashed = await HangfireTestHost.StartAsync(options, first, serverQueues: ["training"]);
        try
        {
            crashed.Dispatcher.Dispatch(dispatch);
            var (taken, _) = await first.NextStepAsync();
            Assert.Equal(dispatch, taken);

            await using var survivor = await HangfireTestHost.StartAsync(options, second, serverQueues: ["training"]);

            // The claim slides while its server lives (renewed every timeout / 5): two invisibility timeouts later,
            // nobody else took the job.
            await Task.Delay(invisibility * 2);
            Assert.Equal(0, second.StepCalls);

            // The first server goes away mid-step (its job never finishes); the second one takes the job over.
            await crashed.StopAsync(TimeSpan.FromMilliseconds(200));
            var (retaken, _) = await second.NextStepAsync();

            Assert.Equal(dispatch, retaken);
            Assert.Equal(0, first.StepCalls);
        }
        finally
        {
            first.Release();
            await crashed.DisposeAsync();
        }
    }
}

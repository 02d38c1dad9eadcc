using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Workflows.Execution;

namespace SpotifyBuddies.Api.Composition;

/// <summary>
/// Prepares the engine before the Hangfire server starts taking jobs (registered before it): creates or migrates the
/// run store, makes the recurring jobs match the definitions' schedules, and picks up the runs a previous process left
/// active (with in-process job storage, also the steps it left running, which no other worker can still be running).
/// </summary>
public sealed class WorkflowEngineStartup(
    IWorkflowRunStore store,
    WorkflowEngine engine,
    ApiHostDescription host) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken);
        engine.SyncSchedules();
        if (host.Server)
        {
            await engine.RecoverAsync(orphanRunningSteps: host.Profile == ApiProfile.Local, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

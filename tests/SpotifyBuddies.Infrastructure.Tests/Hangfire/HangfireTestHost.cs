using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Infrastructure.Hangfire;

namespace SpotifyBuddies.Infrastructure.Tests.Hangfire;

/// <summary>
/// One Hangfire "process": a container with <see cref="WorkflowHangfireServiceCollectionExtensions.AddWorkflowHangfire"/>,
/// optionally a server on some queues, and a <see cref="RecordingJobHandler"/>. Its hosted services are started and
/// stopped by hand, so a test can stop it abruptly (a short grace period) the way a crash would.
/// </summary>
public sealed class HangfireTestHost : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly List<IHostedService> _hosted;
    private bool _stopped;

    private HangfireTestHost(ServiceProvider provider)
    {
        _provider = provider;
        _hosted = [.. provider.GetServices<IHostedService>()];
    }

    public IServiceProvider Services => _provider;

    public JobStorage Storage => _provider.GetRequiredService<JobStorage>();

    public IStepDispatcher Dispatcher => _provider.GetRequiredService<IStepDispatcher>();

    public IWorkflowScheduler Scheduler => _provider.GetRequiredService<IWorkflowScheduler>();

    /// <summary>A Postgres-backed storage in <paramref name="schema"/>, with a short queue poll.</summary>
    public static WorkflowHangfireOptions PostgresOptions(string schema, TimeSpan? invisibilityTimeout = null) => new()
    {
        Storage = WorkflowJobStorage.PostgreSql,
        ConnectionString = Testing.TestPostgres.RequireConnectionString(),
        SchemaName = schema,
        QueuePollInterval = TimeSpan.FromMilliseconds(200),
        InvisibilityTimeout = invisibilityTimeout ?? TimeSpan.FromMinutes(5),
    };

    /// <summary>Builds and starts a host; <paramref name="serverQueues"/> null means no server (client side only).</summary>
    public static async Task<HangfireTestHost> StartAsync(WorkflowHangfireOptions options, RecordingJobHandler handler, string[]? serverQueues = null)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<IWorkflowJobHandler>(handler);
        services.AddWorkflowHangfire(options);
        if (serverQueues is not null)
        {
            services.AddWorkflowHangfireServer(
                serverQueues,
                workerCount: 2,
                schedulePollingInterval: TimeSpan.FromMilliseconds(500),
                configure: server =>
                {
                    server.ShutdownTimeout = TimeSpan.FromSeconds(1);
                    server.StopTimeout = TimeSpan.Zero;
                });
        }

        var host = new HangfireTestHost(services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true }));
        foreach (var service in host._hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        return host;
    }

    /// <summary>Stops the server, giving running jobs only <paramref name="grace"/> to finish: a job that does not is abandoned
    /// mid-run, its claim on the queue no longer renewed, as when the process is killed.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        using var timeout = new CancellationTokenSource(grace);
        foreach (var service in Enumerable.Reverse(_hosted))
        {
            try
            {
                await service.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                // A hung job: abandoned, as a killed process would abandon it.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        await _provider.DisposeAsync();
    }
}

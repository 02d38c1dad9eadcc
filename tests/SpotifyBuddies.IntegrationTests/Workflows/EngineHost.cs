using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Infrastructure.Hangfire;
using SpotifyBuddies.Infrastructure.Postgres;
using SpotifyBuddies.Infrastructure.Workflows;
using SpotifyBuddies.Workflows.Execution;

namespace SpotifyBuddies.IntegrationTests.Workflows;

/// <summary>
/// A real engine host for tests: the engine with the test steps, a run store and Hangfire (storage and a server on
/// every queue), composed the way the API host and <c>buddies worker</c> compose them.
/// </summary>
public sealed class EngineHost : IAsyncDisposable
{
    private readonly IHost _host;

    private EngineHost(IHost host)
    {
        _host = host;
        Engine = host.Services.GetRequiredService<WorkflowEngine>();
        Store = host.Services.GetRequiredService<IWorkflowRunStore>();
    }

    public WorkflowEngine Engine { get; }

    public IWorkflowRunStore Store { get; }

    public IServiceProvider Services => _host.Services;

    /// <summary>
    /// Local profile: SQLite store under <paramref name="root"/>, in-memory Hangfire; <paramref name="configure"/> may add
    /// steps or decorate services.
    /// </summary>
    public static Task<EngineHost> StartLocalAsync(string root, Action<IServiceCollection>? configure = null) =>
        StartAsync(root, [], services =>
        {
            services.AddSqliteWorkflowStore(Path.Combine(root, "buddies.db"));
            services.AddWorkflowHangfire(new WorkflowHangfireOptions { Storage = WorkflowJobStorage.InMemory });
            configure?.Invoke(services);
        });

    /// <summary>Production profile: PostgreSQL store and Hangfire storage, each in a schema of its own.</summary>
    public static Task<EngineHost> StartPostgresAsync(string root, string connectionString, string storeSchema, string hangfireSchema) =>
        StartAsync(
            root,
            new Dictionary<string, string?>
            {
                [PostgresOptions.SectionName + ":" + nameof(PostgresOptions.ConnectionString)] = connectionString,
                [PostgresOptions.SectionName + ":" + nameof(PostgresOptions.SchemaName)] = storeSchema,
            },
            services =>
            {
                services.AddPostgres();
                services.AddPostgresWorkflowStore();
                services.AddWorkflowHangfire(new WorkflowHangfireOptions
                {
                    Storage = WorkflowJobStorage.PostgreSql,
                    ConnectionString = connectionString,
                    SchemaName = hangfireSchema,
                    QueuePollInterval = TimeSpan.FromMilliseconds(200),
                });
            });

    private static async Task<EngineHost> StartAsync(string root, Dictionary<string, string?> settings, Action<IServiceCollection> backends)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddFilter(_ => false);
        backends(builder.Services);
        foreach (var step in TestSteps.All)
        {
            builder.Services.AddSingleton(step);
        }

        builder.Services.AddWorkflowEngine(o =>
        {
            o.DefinitionsDirectory = Path.Combine(root, "workflows");
            o.WorkRoot = Path.Combine(root, "work");
            o.CancellationPollInterval = TimeSpan.FromMilliseconds(200);
        });
        builder.Services.AddWorkflowHangfireServer(workerCount: 6, schedulePollingInterval: TimeSpan.FromMilliseconds(200));

        var host = builder.Build();
        await host.Services.GetRequiredService<IWorkflowRunStore>().InitializeAsync();
        await host.StartAsync();
        return new EngineHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _host.StopAsync(stop.Token);
        _host.Dispose();
    }
}

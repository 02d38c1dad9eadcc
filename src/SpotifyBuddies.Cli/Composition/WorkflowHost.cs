using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Infrastructure.Hangfire;
using SpotifyBuddies.Infrastructure.Postgres;
using SpotifyBuddies.Infrastructure.Workflows;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Execution;
using SpotifyBuddies.Workflows.Steps;

namespace SpotifyBuddies.Cli.Composition;

/// <summary>What a command needs from the engine's host.</summary>
internal enum WorkflowHostRole
{
    /// <summary>Reads and cancels runs: the store and the job client, no job execution.</summary>
    Client,

    /// <summary>Starts runs and, when the job storage is in-process (Local profile), runs their jobs too, picking up runs a previous Local process left active.</summary>
    Runner,

    /// <summary>Runs jobs: a Hangfire server on the given queues (<c>buddies worker</c>).</summary>
    Worker,
}

/// <summary>
/// The workflow engine composed for the CLI, per profile: <c>Local</c> = SQLite run store + in-memory Hangfire
/// (jobs run inside this process, so a Local <c>workflow run</c> waits for its run), <c>Production</c> = PostgreSQL
/// run store + Hangfire's PostgreSQL storage (jobs run on <c>buddies worker</c> processes and the API host).
/// Steps get the profile's artifact store and tracker.
/// </summary>
internal sealed class WorkflowHost : IAsyncDisposable
{
    public const string DefinitionsDirectoryKey = WorkflowEngineOptions.SectionName + ":" + nameof(WorkflowEngineOptions.DefinitionsDirectory);
    public const string WorkRootKey = WorkflowEngineOptions.SectionName + ":" + nameof(WorkflowEngineOptions.WorkRoot);
    public const string SqlitePathKey = WorkflowEngineOptions.SectionName + ":SqlitePath";
    public const string StoreKey = WorkflowEngineOptions.SectionName + ":Store";

    /// <summary>The environment variable that sets <see cref="SqlitePathKey"/>.</summary>
    public static readonly string SqlitePathVariable = BuddiesConfiguration.VariableFor(SqlitePathKey);
    public const string WorkerCountKey = "Hangfire:WorkerCount";

    private readonly IHost _host;

    private WorkflowHost(IHost host, ProfileKind profile)
    {
        _host = host;
        Profile = profile;
        Engine = host.Services.GetRequiredService<WorkflowEngine>();
    }

    public ProfileKind Profile { get; }

    public WorkflowEngine Engine { get; }

    /// <summary>Whether this process runs the jobs (Local profile, or a worker).</summary>
    public bool RunsJobs { get; private init; }

    /// <summary>The folder definitions are read from: the setting, else ./workflows when it exists, else the one shipped beside buddies.dll.</summary>
    public static string DefinitionsDirectory(IConfiguration configuration) =>
        configuration[DefinitionsDirectoryKey] is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Directory.Exists("workflows") ? Path.GetFullPath("workflows") : Path.Combine(AppContext.BaseDirectory, "workflows");

    /// <summary>The step catalog (for validating definitions), with the profile's backends behind the steps.</summary>
    /// <exception cref="InvalidConfigurationException">A setting is missing or invalid.</exception>
    public static (ServiceProvider Provider, StepCatalog Catalog) OpenCatalog(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(configuration);
        ProfileComposition.AddBackends(services, configuration, TrackingUse.Training, out _);
        services.AddWorkflowSteps();
        var provider = services.BuildServiceProvider();
        return (provider, provider.GetRequiredService<StepCatalog>());
    }

    /// <exception cref="InvalidConfigurationException">A setting is missing or invalid.</exception>
    public static async Task<WorkflowHost> StartAsync(
        IConfiguration configuration,
        WorkflowHostRole role,
        IReadOnlyList<string>? queues = null,
        LogLevel consoleLogLevel = LogLevel.Warning,
        CancellationToken cancellationToken = default)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.SetMinimumLevel(consoleLogLevel);
        builder.Logging.AddFilter("Hangfire", LogLevel.Warning);

        var profile = ProfileComposition.AddBackends(builder.Services, configuration, TrackingUse.Training, out _);
        builder.Services.AddWorkflowSteps();
        builder.Services.AddWorkflowEngine(o =>
        {
            o.DefinitionsDirectory = DefinitionsDirectory(configuration);
            o.WorkRoot = Path.GetFullPath(configuration[WorkRootKey] is { Length: > 0 } root ? root : Path.Combine(".buddies", "work"));
        });

        var inProcessJobs = AddStoreAndJobs(builder.Services, configuration, profile);
        var runsJobs = role == WorkflowHostRole.Worker || (role == WorkflowHostRole.Runner && inProcessJobs);
        if (runsJobs)
        {
            var workers = int.TryParse(configuration[WorkerCountKey], out var n) && n > 0 ? n : Math.Max(2, Environment.ProcessorCount);
            builder.Services.AddWorkflowHangfireServer(queues, workers, TimeSpan.FromSeconds(1));
        }

        var host = builder.Build();
        try
        {
            await host.Services.GetRequiredService<IWorkflowRunStore>().InitializeAsync(cancellationToken);

            await host.StartAsync(cancellationToken);
            var started = new WorkflowHost(host, profile) { RunsJobs = runsJobs };
            if (runsJobs || inProcessJobs)
            {
                started.Engine.SyncSchedules(); // in-process storage starts empty: 'workflow list' needs the schedules for next-run times
            }

            if (runsJobs)
            {
                await started.Engine.RecoverAsync(orphanRunningSteps: inProcessJobs, cancellationToken);
            }

            return started;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The run store and the job storage: by profile (Local = SQLite + in-memory Hangfire, Production = PostgreSQL for
    /// both), or as <c>Workflows:Store</c> (<c>sqlite</c>|<c>postgres</c>) says — e.g. a Local-profile worker sharing a
    /// PostgreSQL queue with others while tracking locally. Returns whether jobs live in this process only.
    /// </summary>
    private static bool AddStoreAndJobs(IServiceCollection services, IConfiguration configuration, ProfileKind profile)
    {
        var hangfire = configuration.GetSection("Hangfire").Get<WorkflowHangfireOptions>() ?? new WorkflowHangfireOptions();
        var store = configuration[StoreKey]?.Trim().ToLowerInvariant() is { Length: > 0 } chosen
            ? chosen
            : profile == ProfileKind.Local ? "sqlite" : "postgres";
        switch (store)
        {
            case "sqlite":
                var path = configuration[SqlitePathKey] is { Length: > 0 } p ? p : Path.Combine(".buddies", "buddies.db");
                services.AddSqliteWorkflowStore(Path.GetFullPath(path));
                hangfire.Storage = WorkflowJobStorage.InMemory;
                services.AddWorkflowHangfire(hangfire);
                return true;
            case "postgres":
                var connection = configuration[PostgresOptions.SectionName + ":" + nameof(PostgresOptions.ConnectionString)];
                if (string.IsNullOrWhiteSpace(connection))
                {
                    throw new InvalidConfigurationException(
                        $"{profile} profile: Postgres:ConnectionString is required for workflow runs in PostgreSQL " +
                        $"(set {BuddiesConfiguration.VariableFor("Postgres:ConnectionString")}).");
                }

                services.AddPostgres();
                services.AddPostgresWorkflowStore();
                hangfire.Storage = WorkflowJobStorage.PostgreSql;
                hangfire.ConnectionString = connection;
                services.AddWorkflowHangfire(hangfire);
                return false;
            default:
                throw new InvalidConfigurationException(
                    $"{StoreKey} must be sqlite or postgres, not '{store}' (set {BuddiesConfiguration.VariableFor(StoreKey)}).");
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _host.StopAsync(stop.Token);
        }
        finally
        {
            _host.Dispose();
        }
    }
}

using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using SpotifyBuddies.Core.Workflows;

namespace SpotifyBuddies.Infrastructure.Hangfire;

/// <summary>
/// Registers the workflow engine's Hangfire adapter: job storage, client, recurring job manager,
/// <see cref="IStepDispatcher"/>, <see cref="IWorkflowScheduler"/> and <see cref="WorkflowJobs"/>; and, separately,
/// a server that works the engine's queues.
/// </summary>
/// <remarks>
/// Hangfire keeps some state process-wide (<c>JobStorage.Current</c>, <c>GlobalConfiguration</c>). This registration
/// never sets the global storage: the <see cref="JobStorage"/> and <see cref="JobActivator"/> are this container's own
/// singletons, and Hangfire's client, recurring job manager, server and dashboard take them from DI. Only the
/// serializer settings (the same for every host) and the log provider are global.
/// </remarks>
public static class WorkflowHangfireServiceCollectionExtensions
{
    /// <summary>The queues a server works by default, in the order it prefers them.</summary>
    public static readonly IReadOnlyList<string> DefaultQueues = ["training", "dataprep", "default"];

    /// <summary>Registers Hangfire's storage and client side and the engine's ports. Starts no server.</summary>
    /// <exception cref="OptionsValidationException">The options are invalid; the message lists every problem.</exception>
    public static IServiceCollection AddWorkflowHangfire(this IServiceCollection services, WorkflowHangfireOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var result = new WorkflowHangfireOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(WorkflowHangfireOptions), result.Failures);
        }

        if (services.Any(d => d.ServiceType == typeof(IGlobalConfiguration)))
        {
            throw new InvalidOperationException("Hangfire is registered already in this container: call AddWorkflowHangfire once, and not together with AddHangfire.");
        }

        services.TryAddSingleton(options);

        // Registered before AddHangfire, whose TryAdd then keeps them: this host's storage and activator, not the globals.
        services.TryAddSingleton<JobStorage>(provider =>
        {
            // The serializer settings must be in place before the storage is used.
            _ = provider.GetRequiredService<IGlobalConfiguration>();
            return CreateStorage(options);
        });
        services.TryAddSingleton<JobActivator>(provider => new AspNetCoreJobActivator(provider.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire(configuration => configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());

        services.TryAddTransient<WorkflowJobs>();
        services.TryAddSingleton<IStepDispatcher, HangfireStepDispatcher>();
        services.TryAddSingleton<IWorkflowScheduler, HangfireWorkflowScheduler>();
        return services;
    }

    /// <summary>
    /// Adds a Hangfire server (a hosted service) to this host, working <paramref name="queues"/> (default
    /// <see cref="DefaultQueues"/>) with <paramref name="workerCount"/> workers. Call <see cref="AddWorkflowHangfire"/> too.
    /// </summary>
    /// <param name="schedulePollingInterval">How often delayed jobs (retry back-offs) and recurring jobs are checked (default 5 s).</param>
    /// <param name="configure">Further server options (e.g. a shorter <see cref="BackgroundJobServerOptions.ShutdownTimeout"/> in tests).</param>
    public static IServiceCollection AddWorkflowHangfireServer(
        this IServiceCollection services,
        IReadOnlyList<string>? queues = null,
        int? workerCount = null,
        TimeSpan? schedulePollingInterval = null,
        Action<BackgroundJobServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var serverQueues = (queues ?? DefaultQueues).ToArray();
        if (serverQueues.Length == 0)
        {
            throw new ArgumentException("A Hangfire server needs at least one queue.", nameof(queues));
        }

        if (workerCount is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(workerCount), workerCount, "A Hangfire server needs at least one worker.");
        }

        if (schedulePollingInterval is { } poll && poll <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(schedulePollingInterval), schedulePollingInterval, "The schedule polling interval must be positive.");
        }

        return services.AddHangfireServer(server =>
        {
            server.Queues = serverQueues;
            server.WorkerCount = workerCount ?? Math.Max(2, Environment.ProcessorCount);
            server.SchedulePollingInterval = schedulePollingInterval ?? TimeSpan.FromSeconds(5);
            configure?.Invoke(server);
        });
    }

    private static JobStorage CreateStorage(WorkflowHangfireOptions options)
    {
        if (options.Storage == WorkflowJobStorage.InMemory)
        {
            return new InMemoryStorage(new InMemoryStorageOptions());
        }

        var postgres = new PostgreSqlStorageOptions
        {
            SchemaName = options.SchemaName,
            PrepareSchemaIfNecessary = options.PrepareSchemaIfNecessary,
            QueuePollInterval = options.QueuePollInterval,
            InvisibilityTimeout = options.InvisibilityTimeout,
            // Crash recovery: the server that fetched a job keeps renewing its claim; when it dies, the claim lapses
            // after InvisibilityTimeout and another server fetches the job again.
            UseSlidingInvisibilityTimeout = true,
        };
        if (!options.PrepareSchemaIfNecessary)
        {
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(options.ConnectionString!, postgres), postgres);
        }

        // Hangfire.PostgreSql installs or upgrades its schema in the storage's constructor, and two processes doing
        // that at once can fail with concurrent-DDL errors (seen: "could not find tuple for constraint" when a worker
        // and a 'workflow run' started together on a new database). One installer at a time per schema.
        using var connection = new NpgsqlConnection(options.ConnectionString);
        connection.Open();
        using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(hashtextextended('hangfire-install:' || @schema, 0))", connection))
        {
            take.Parameters.AddWithValue("schema", options.SchemaName);
            take.ExecuteNonQuery();
        }

        try
        {
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(options.ConnectionString!, postgres), postgres);
        }
        finally
        {
            using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtextextended('hangfire-install:' || @schema, 0))", connection);
            release.Parameters.AddWithValue("schema", options.SchemaName);
            release.ExecuteNonQuery();
        }
    }
}

using System.Globalization;
using Hangfire;
using Microsoft.Extensions.Options;
using SpotifyBuddies.Api.Endpoints;
using SpotifyBuddies.Api.Errors;
using SpotifyBuddies.Api.Security;
using SpotifyBuddies.Infrastructure.Artifacts;
using SpotifyBuddies.Infrastructure.Hangfire;
using SpotifyBuddies.Infrastructure.Mlflow;
using SpotifyBuddies.Infrastructure.Postgres;
using SpotifyBuddies.Infrastructure.Tracking;
using SpotifyBuddies.Infrastructure.Workflows;
using SpotifyBuddies.Workflows.Execution;
using SpotifyBuddies.Workflows.Steps;

namespace SpotifyBuddies.Api.Composition;

/// <summary>
/// The API host's composition: ProblemDetails and JSON, API keys, the profile's backends (<see cref="ApiProfile"/>),
/// Hangfire (storage, optional server, dashboard), the workflow engine with its steps and store, and the endpoints.
/// Every setting is validated at start; a bad one stops the host with a message naming the key.
/// </summary>
public static class ApiComposition
{
    public const string ProfileKey = "Profile";
    public const string PostgresConnectionStringName = "Postgres";
    public const string DashboardPath = "/hangfire";

    /// <summary>The same keys and defaults as the CLI (<c>buddies.json</c>): local artifacts and tracker under <c>.buddies/</c>.</summary>
    public const string LocalArtifactsRootKey = LocalArtifactOptions.SectionName + ":Root";
    public const string LocalTrackingRootKey = LocalTrackerOptions.SectionName + ":Root";

    public static WebApplicationBuilder AddBuddiesApi(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
        // Binding failures (bad JSON, a query value that does not parse) become exceptions the handler turns into
        // ProblemDetails with the framework's message, instead of a bare 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));

        services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiKeyOptions>, ApiKeyOptionsValidator>();
        services.AddSingleton<ApiKeyValidator>();
        services.AddSingleton<ApiKeyDashboardAuthorizationFilter>();

        var profile = ReadProfile(configuration);
        var workflows = BindValidated(configuration, WorkflowHostOptions.SectionName, new WorkflowHostOptionsValidator());
        var hangfire = BindValidated(configuration, HangfireHostOptions.SectionName, new HangfireHostOptionsValidator());
        services.AddOptions<WorkflowHostOptions>().BindConfiguration(WorkflowHostOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WorkflowHostOptions>, WorkflowHostOptionsValidator>();
        services.AddOptions<HangfireHostOptions>().BindConfiguration(HangfireHostOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HangfireHostOptions>, HangfireHostOptionsValidator>();
        var definitions = workflows.ResolveDefinitionsDirectory();
        services.AddSingleton(new ApiHostDescription(profile, definitions, hangfire.Server));

        var jobStorage = new WorkflowHangfireOptions
        {
            InvisibilityTimeout = hangfire.InvisibilityTimeout,
            QueuePollInterval = hangfire.QueuePollInterval,
            SchemaName = hangfire.SchemaName,
        };
        if (profile == ApiProfile.Local)
        {
            services.AddLocalArtifacts(Path.GetFullPath(configuration[LocalArtifactsRootKey] ?? Path.Combine(".buddies", "artifacts")));
            services.AddLocalTracking(Path.GetFullPath(configuration[LocalTrackingRootKey] ?? Path.Combine(".buddies", "tracking")));
            services.AddSqliteWorkflowStore(Path.GetFullPath(workflows.SqlitePath));
            jobStorage.Storage = WorkflowJobStorage.InMemory;
        }
        else
        {
            // One database for Hangfire (schema Hangfire:SchemaName) and the run store (schema Postgres:SchemaName):
            // ConnectionStrings:Postgres, else the CLI's Postgres:ConnectionString.
            var connectionString = configuration.GetConnectionString(PostgresConnectionStringName) is { Length: > 0 } named
                ? named
                : configuration[PostgresOptions.SectionName + ":" + nameof(PostgresOptions.ConnectionString)];
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new OptionsValidationException(PostgresConnectionStringName, typeof(WorkflowHangfireOptions),
                    [$"Production profile: ConnectionStrings:{PostgresConnectionStringName} (or Postgres:ConnectionString, as the CLI) is required (the environment variable ConnectionStrings__{PostgresConnectionStringName})."]);
            }

            services.AddMinioArtifacts(configuration.GetSection(MinioArtifactOptions.SectionName).Get<MinioArtifactOptions>() ?? new MinioArtifactOptions());
            services.AddMlflowTracking();
            services.AddPostgresWorkflowStore();
            services.PostConfigure<PostgresOptions>(o => o.ConnectionString = connectionString);
            jobStorage.Storage = WorkflowJobStorage.PostgreSql;
            jobStorage.ConnectionString = connectionString;
        }

        services.AddWorkflowHangfire(jobStorage);

        // Before the Hangfire server: the store must exist before a job touches it.
        services.AddHostedService<WorkflowEngineStartup>();
        if (hangfire.Server)
        {
            services.AddWorkflowHangfireServer(hangfire.Queues, hangfire.WorkerCount, hangfire.SchedulePollingInterval);
        }

        services.AddWorkflowSteps();
        services.AddWorkflowEngine(o =>
        {
            o.DefinitionsDirectory = definitions;
            o.WorkRoot = Path.GetFullPath(workflows.WorkRoot);
        });
        return builder;
    }

    public static WebApplication UseBuddiesApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SpotifyBuddies.Api");
        var host = app.Services.GetRequiredService<ApiHostDescription>();
        var profileName = host.Profile == ApiProfile.Local ? nameof(ApiProfile.Local) : nameof(ApiProfile.Production);
        Log.Composed(logger, profileName, host.WorkflowsDirectory,
            host.Profile == ApiProfile.Local ? "in-memory" : "PostgreSQL", host.Server ? "on" : "off");
        if (!app.Services.GetRequiredService<ApiKeyValidator>().HasKeys)
        {
            Log.NoApiKeys(logger);
        }

        app.UseHangfireDashboard(DashboardPath, new DashboardOptions
        {
            Authorization = [app.Services.GetRequiredService<ApiKeyDashboardAuthorizationFilter>()],
            DashboardTitle = "Spotify Buddies · jobs",
            DisplayStorageConnectionString = false,
            AppPath = "/",
        });

        app.MapWorkflowsApi();
        app.MapStepsApi();
        app.MapRunsApi();
        app.MapWebhooksApi();
        return app;
    }

    /// <exception cref="OptionsValidationException">Not <c>Local</c> or <c>Production</c> (any case).</exception>
    public static ApiProfile ReadProfile(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration[ProfileKey]?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return ApiProfile.Local;
        }

        return value.All(char.IsAsciiLetter) && Enum.TryParse<ApiProfile>(value, ignoreCase: true, out var profile)
            ? profile
            : throw new OptionsValidationException(ProfileKey, typeof(ApiProfile), [$"Profile must be Local or Production, not '{value}'."]);
    }

    /// <summary>Binds a section now (composition needs the values) with the same validator ValidateOnStart uses.</summary>
    private static TOptions BindValidated<TOptions>(ConfigurationManager configuration, string section, IValidateOptions<TOptions> validator)
        where TOptions : class, new()
    {
        TOptions options;
        try
        {
            options = configuration.GetSection(section).Get<TOptions>() ?? new TOptions();
        }
        catch (InvalidOperationException ex)
        {
            // "Failed to convert configuration value at 'Hangfire:WorkerCount' to type 'System.Int32'."
            throw new OptionsValidationException(section, typeof(TOptions), [ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message]);
        }

        var result = validator.Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(section, typeof(TOptions),
                [.. (result.Failures ?? [result.FailureMessage]).Select(f => string.Create(CultureInfo.InvariantCulture, $"{section}: {f}"))]);
        }

        return options;
    }
}

/// <summary>What the host composed, for the start-up log line.</summary>
public sealed record ApiHostDescription(ApiProfile Profile, string WorkflowsDirectory, bool Server);

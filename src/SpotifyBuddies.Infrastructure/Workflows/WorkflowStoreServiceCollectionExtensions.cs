using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Infrastructure.Postgres;

namespace SpotifyBuddies.Infrastructure.Workflows;

public static class WorkflowStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="SqliteWorkflowRunStore"/> on <paramref name="databasePath"/> as the singleton
    /// <see cref="IWorkflowRunStore"/> (Local profile). Call <see cref="IWorkflowRunStore.InitializeAsync"/> at start.
    /// </summary>
    public static IServiceCollection AddSqliteWorkflowStore(this IServiceCollection services, string databasePath)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);

        services.AddSingleton(new SqliteWorkflowRunStore(databasePath));
        services.AddSingleton<IWorkflowRunStore>(provider => provider.GetRequiredService<SqliteWorkflowRunStore>());
        return services;
    }

    /// <summary>
    /// Registers <see cref="PostgresWorkflowRunStore"/> as the singleton <see cref="IWorkflowRunStore"/> (Production),
    /// on the shared data source, options (section <c>Postgres</c>) and migrator of
    /// <see cref="PostgresServiceCollectionExtensions.AddPostgres"/>, which it adds when missing.
    /// <see cref="IWorkflowRunStore.InitializeAsync"/> applies the migrations.
    /// </summary>
    public static IServiceCollection AddPostgresWorkflowStore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddPostgres();
        services.TryAddSingleton<PostgresWorkflowRunStore>();
        services.AddSingleton<IWorkflowRunStore>(provider => provider.GetRequiredService<PostgresWorkflowRunStore>());
        return services;
    }
}

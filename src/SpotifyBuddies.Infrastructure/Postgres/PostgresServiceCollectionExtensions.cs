using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace SpotifyBuddies.Infrastructure.Postgres;

public static class PostgresServiceCollectionExtensions
{
    /// <summary>The application name Postgres shows for our connections unless the connection string sets one.</summary>
    public const string ApplicationName = "spotifybuddies";

    /// <summary>
    /// Registers <see cref="PostgresOptions"/> (section <c>Postgres</c>, validated at start), the singleton
    /// <see cref="NpgsqlDataSource"/> every store shares, and <see cref="PostgresMigrator"/> with the embedded migrations.
    /// </summary>
    public static IServiceCollection AddPostgres(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddOptions<PostgresOptions>()
            .BindConfiguration(PostgresOptions.SectionName)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresOptions>, PostgresOptionsValidator>());

        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<PostgresOptions>>().Value;
            var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
            if (string.IsNullOrEmpty(builder.ConnectionStringBuilder.ApplicationName))
            {
                builder.ConnectionStringBuilder.ApplicationName = ApplicationName;
            }

            if (provider.GetService<ILoggerFactory>() is { } loggerFactory)
            {
                builder.UseLoggerFactory(loggerFactory);
            }

            return builder.Build();
        });
        services.TryAddSingleton<PostgresMigrator>();
        return services;
    }
}

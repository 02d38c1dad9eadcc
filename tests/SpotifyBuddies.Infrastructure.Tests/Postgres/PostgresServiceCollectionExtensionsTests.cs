using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using SpotifyBuddies.Infrastructure.Postgres;

namespace SpotifyBuddies.Infrastructure.Tests.Postgres;

public sealed class PostgresServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddPostgres_WhenConfigured_ResolvesOneDataSourceAndAMigratorWithEmbeddedMigrations()
    {
        await using var provider = Build(new()
        {
            ["Postgres:ConnectionString"] = "Host=127.0.0.1;Port=5432;Database=buddies;Username=buddies;Password=x",
            ["Postgres:SchemaName"] = "custom",
        });

        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();

        Assert.Same(dataSource, provider.GetRequiredService<NpgsqlDataSource>());
        Assert.Contains("Application Name=spotifybuddies", dataSource.ConnectionString, StringComparison.Ordinal);
        Assert.Equal("custom", provider.GetRequiredService<IOptions<PostgresOptions>>().Value.SchemaName);
        Assert.Equal(EmbeddedMigrations.Load(), provider.GetRequiredService<PostgresMigrator>().Migrations);
    }

    [Fact]
    public async Task AddPostgres_WhenConnectionStringIsMissing_FailsValidationNamingTheSetting()
    {
        await using var provider = Build([]);

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PostgresOptions>>().Value);

        Assert.Contains(nameof(PostgresOptions.ConnectionString), error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>)); // what a host's AddLogging provides
        services.AddPostgres();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}

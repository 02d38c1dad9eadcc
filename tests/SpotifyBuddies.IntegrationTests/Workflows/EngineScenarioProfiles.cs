using Npgsql;
using SpotifyBuddies.Infrastructure.Tests.Testing;

namespace SpotifyBuddies.IntegrationTests.Workflows;

/// <summary>The scenarios on the Local profile's backends: SQLite and in-memory Hangfire.</summary>
[Collection(HangfireGroup.Name)]
public sealed class LocalEngineScenarioTests : EngineScenarioTests
{
    protected override Task<EngineHost> StartHostAsync(string root) => EngineHost.StartLocalAsync(root);
}

/// <summary>
/// The scenarios on the Production backends: PostgreSQL run store and Hangfire's PostgreSQL storage (each test in
/// fresh schemas). Needs SPOTIFYBUDDIES_TEST_PG; fails in CI without it.
/// </summary>
[Collection(HangfireGroup.Name)]
public sealed class PostgresEngineScenarioTests : EngineScenarioTests
{
    private readonly string _schema = $"t{Guid.NewGuid():N}"[..13];

    protected override Task<EngineHost> StartHostAsync(string root) =>
        EngineHost.StartPostgresAsync(root, TestPostgres.RequireConnectionString(), _schema + "_store", _schema + "_hangfire");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await using var dataSource = NpgsqlDataSource.Create(TestPostgres.RequireConnectionString());
        foreach (var suffix in new[] { "_store", "_hangfire" })
        {
            await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}{suffix}\" CASCADE");
            await drop.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>Hangfire keeps process-wide state (its global configuration): tests that host it never run in parallel.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HangfireGroup
{
    public const string Name = "hangfire";
}

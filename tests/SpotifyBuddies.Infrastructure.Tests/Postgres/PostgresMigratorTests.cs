using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using SpotifyBuddies.Infrastructure.Postgres;
using SpotifyBuddies.Infrastructure.Tests.Testing;

namespace SpotifyBuddies.Infrastructure.Tests.Postgres;

/// <summary>Against real PostgreSQL: every test migrates its own fresh schema.</summary>
public sealed class PostgresMigratorTests(PostgresSchemas schemas) : IClassFixture<PostgresSchemas>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [PostgresFact]
    public async Task MigrateAsync_WhenSchemaIsFresh_AppliesAllEmbeddedMigrationsInOrder()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var fixture = new Fixture(schemas);
        var migrator = fixture.Migrator(migrations: null);

        var applied = await migrator.MigrateAsync(cts.Token);

        Assert.NotEmpty(applied);
        Assert.Equal(EmbeddedMigrations.Load(), applied);
        var rows = await migrator.GetAppliedMigrationsAsync(cts.Token);
        Assert.Equal(applied.Select(m => (m.Version, m.Name, m.Checksum)), rows.Select(r => (r.Version, r.Name, r.Checksum)));
        Assert.All(rows, r => Assert.InRange(r.AppliedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5)));
        Assert.True(await fixture.ExistsAsync("schema_migrations", cts.Token));
    }

    [PostgresFact]
    public async Task MigrateAsync_WhenRunTwice_SecondRunAppliesNothing()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var fixture = new Fixture(schemas);
        IReadOnlyList<Migration> migrations =
        [
            Fixture.Migration(1, "a", "CREATE TABLE a (id int)"),
            Fixture.Migration(2, "a_rows", "INSERT INTO a VALUES (1)"),
        ];
        Assert.Equal(2, (await fixture.Migrator(migrations).MigrateAsync(cts.Token)).Count);
        var before = await fixture.Migrator(migrations).GetAppliedMigrationsAsync(cts.Token);

        var second = await fixture.Migrator(migrations).MigrateAsync(cts.Token);

        Assert.Empty(second);
        Assert.Equal(before, await fixture.Migrator(migrations).GetAppliedMigrationsAsync(cts.Token));
        Assert.Equal(1L, await fixture.ScalarAsync<long>("SELECT count(*) FROM a", cts.Token));
    }

    [PostgresFact]
    public async Task MigrateAsync_WhenNewMigrationIsAdded_AppliesOnlyThatOne()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var fixture = new Fixture(schemas);
        var first = Fixture.Migration(1, "a", "CREATE TABLE a (id int)");
        await fixture.Migrator([first]).MigrateAsync(cts.Token);

        var applied = await fixture.Migrator([first, Fixture.Migration(2, "b", "CREATE TABLE b (id int)")]).MigrateAsync(cts.Token);

        Assert.Equal([2], applied.Select(m => m.Version));
        Assert.True(await fixture.ExistsAsync("b", cts.Token));
    }

    [PostgresFact]
    public async Task MigrateAsync_WhenMigratorsRunConcurrently_AppliesEachMigrationOnce()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var fixture = new Fixture(schemas);
        IReadOnlyList<Migration> migrations =
        [
            Fixture.Migration(1, "log", "CREATE TABLE log (version int NOT NULL, pid int NOT NULL DEFAULT pg_backend_pid())"),
            Fixture.Migration(2, "slow", "SELECT pg_sleep(0.3); INSERT INTO log (version) VALUES (2)"),
            Fixture.Migration(3, "fast", "INSERT INTO log (version) VALUES (3)"),
        ];

        // Four "processes", each with its own data source (own connections), started together.
        var dataSources = Enumerable.Range(0, 4).Select(_ => NpgsqlDataSource.Create(TestPostgres.RequireConnectionString())).ToArray();
        try
        {
            var runs = dataSources.Select(ds => fixture.Migrator(migrations, ds).MigrateAsync(cts.Token)).ToArray();
            var results = await Task.WhenAll(runs);

            Assert.Single(results, r => r.Count == 3);
            Assert.Equal(3, results.Count(r => r.Count == 0));
        }
        finally
        {
            foreach (var ds in dataSources)
            {
                await ds.DisposeAsync();
            }
        }

        Assert.Equal(2L, await fixture.ScalarAsync<long>("SELECT count(*) FROM log", cts.Token));
        Assert.Equal(2L, await fixture.ScalarAsync<long>("SELECT count(DISTINCT version) FROM log", cts.Token));
        Assert.Equal([1, 2, 3], (await fixture.Migrator(migrations).GetAppliedMigrationsAsync(cts.Token)).Select(r => r.Version));
    }

    [PostgresFact]
    public async Task MigrateAsync_WhenMigrationFails_RollsItBackKeepsEarlierOnesAndNamesTheFile()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var fixture = new Fixture(schemas);
        var good = Fixture.Migration(1, "a", "CREATE TABLE a (id int)");
        var broken = Fixture.Migration(2, "broken", "CREATE TABLE b (id int); INSERT INTO b VALUES (1); INSERT INTO missing_table VALUES (1);");
        var never = Fixture.Migration(3, "c", "CREATE TABLE c (id int)");

        var error = await Assert.ThrowsAsync<PostgresMigrationException>(
            () => fixture.Migrator([good, broken, never]).MigrateAsync(cts.Token));

        Assert.Equal("0002_broken.sql", error.MigrationFile);
        Assert.Contains("0002_broken.sql", error.Message, StringComparison.Ordinal);
        Assert.Contains("relation \"missing_table\" does not exist", error.Message, StringComparison.Ordinal);
        Assert.IsType<PostgresException>(error.InnerException);
        Assert.True(await fixture.ExistsAsync("a", cts.Token));
        Assert.False(await fixture.ExistsAsync("b", cts.Token));
        Assert.False(await fixture.ExistsAsync("c", cts.Token));
        Assert.Equal([1], (await fixture.Migrator([good]).GetAppliedMigrationsAsync(cts.Token)).Select(r => r.Version));

        // Once the file is fixed, the run carries on from where it stopped.
        var fixedBroken = Fixture.Migration(2, "broken", "CREATE TABLE b (id int); INSERT INTO b VALUES (1);");
        var applied = await fixture.Migrator([good, fixedBroken, never]).MigrateAsync(cts.Token);
        Assert.Equal([2, 3], applied.Select(m => m.Version));
    }

    [PostgresFact]
    public async Task MigrateAsync_WhenSyntaxIsInvalid_ReportsPostgresMessage()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var fixture = new Fixture(schemas);

        var error = await Assert.ThrowsAsync<PostgresMigrationException>(
            () => fixture.Migrator([Fixture.Migration(1, "typo", "SELEC 1")]).MigrateAsync(cts.Token));

        Assert.Contains("0001_typo.sql", error.Message, StringComparison.Ordinal);
        Assert.Contains("42601: syntax error at or near \"SELEC\"", error.Message, StringComparison.Ordinal);
        Assert.Empty(await fixture.Migrator([]).GetAppliedMigrationsAsync(cts.Token));
    }

    [PostgresFact]
    public async Task MigrateAsync_WhenAppliedMigrationChanged_RefusesNamingTheFileAndAppliesNothing()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var fixture = new Fixture(schemas);
        await fixture.Migrator([Fixture.Migration(1, "a", "CREATE TABLE a (id int)")]).MigrateAsync(cts.Token);
        var edited = Fixture.Migration(1, "a", "CREATE TABLE a (id int, name text)");

        var error = await Assert.ThrowsAsync<PostgresMigrationException>(
            () => fixture.Migrator([edited, Fixture.Migration(2, "b", "CREATE TABLE b (id int)")]).MigrateAsync(cts.Token));

        Assert.Equal("0001_a.sql", error.MigrationFile);
        Assert.Contains("0001_a.sql", error.Message, StringComparison.Ordinal);
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
        Assert.Contains(edited.Checksum, error.Message, StringComparison.Ordinal);
        Assert.False(await fixture.ExistsAsync("b", cts.Token));
    }

    [PostgresFact]
    public async Task MigrateAsync_WhenAppliedMigrationWasRenamed_Refuses()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var fixture = new Fixture(schemas);
        await fixture.Migrator([Fixture.Migration(1, "a", "CREATE TABLE a (id int)")]).MigrateAsync(cts.Token);

        var error = await Assert.ThrowsAsync<PostgresMigrationException>(
            () => fixture.Migrator([Fixture.Migration(1, "renamed", "CREATE TABLE a (id int)")]).MigrateAsync(cts.Token));

        Assert.Equal("0001_renamed.sql", error.MigrationFile);
        Assert.Contains("applied as 'a'", error.Message, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task MigrateAsync_WhenPendingMigrationIsNumberedBelowAnAppliedOne_Refuses()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var fixture = new Fixture(schemas);
        var first = Fixture.Migration(1, "a", "CREATE TABLE a (id int)");
        var third = Fixture.Migration(3, "c", "CREATE TABLE c (id int)");
        await fixture.Migrator([first, third]).MigrateAsync(cts.Token);

        var error = await Assert.ThrowsAsync<PostgresMigrationException>(
            () => fixture.Migrator([first, Fixture.Migration(2, "b", "CREATE TABLE b (id int)"), third]).MigrateAsync(cts.Token));

        Assert.Equal("0002_b.sql", error.MigrationFile);
        Assert.False(await fixture.ExistsAsync("b", cts.Token));
    }

    [PostgresFact]
    public async Task MigrateAsync_WhenDatabaseHasMigrationThisBuildLacks_KeepsRunning()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var fixture = new Fixture(schemas);
        var first = Fixture.Migration(1, "a", "CREATE TABLE a (id int)");
        await fixture.Migrator([first, Fixture.Migration(2, "newer", "CREATE TABLE b (id int)")]).MigrateAsync(cts.Token);

        var applied = await fixture.Migrator([first]).MigrateAsync(cts.Token);

        Assert.Empty(applied);
    }

    [PostgresFact]
    public async Task MigrateAsync_WhenScriptUsesPlaceholderOrBareNames_CreatesObjectsInConfiguredSchema()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var fixture = new Fixture(schemas);

        await fixture.Migrator(
        [
            Fixture.Migration(1, "qualified", "CREATE TABLE {schema}.qualified (id int)"),
            Fixture.Migration(2, "bare", "CREATE TABLE bare (id int)"),
        ]).MigrateAsync(cts.Token);

        Assert.True(await fixture.ExistsAsync("qualified", cts.Token));
        Assert.True(await fixture.ExistsAsync("bare", cts.Token));
        Assert.Equal(0L, await fixture.ScalarAsync<long>(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('qualified', 'bare')", cts.Token));
    }

    [PostgresFact]
    public async Task GetAppliedMigrationsAsync_WhenSchemaWasNeverMigrated_ReturnsEmpty()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var fixture = new Fixture(schemas);

        Assert.Empty(await fixture.Migrator(migrations: null).GetAppliedMigrationsAsync(cts.Token));
    }

    private sealed class Fixture(PostgresSchemas schemas)
    {
        public string Schema { get; } = schemas.NewSchemaName();

        public static Migration Migration(int version, string name, string script) =>
            new() { Version = version, Name = name, Script = script };

        public PostgresMigrator Migrator(IReadOnlyList<Migration>? migrations, NpgsqlDataSource? dataSource = null) =>
            new(
                dataSource ?? schemas.DataSource,
                Options.Create(new PostgresOptions { ConnectionString = TestPostgres.RequireConnectionString(), SchemaName = Schema }),
                NullLogger<PostgresMigrator>.Instance,
                migrations);

        public async Task<bool> ExistsAsync(string table, CancellationToken cancellationToken) =>
            await ScalarAsync<bool>($"SELECT to_regclass('\"{Schema}\".{table}') IS NOT NULL", cancellationToken);

        public async Task<T> ScalarAsync<T>(string sql, CancellationToken cancellationToken)
        {
            await using var connection = await schemas.DataSource.OpenConnectionAsync(cancellationToken);
            await using (var searchPath = new NpgsqlCommand($"SET search_path TO \"{Schema}\"", connection))
            {
                await searchPath.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var command = new NpgsqlCommand(sql, connection);
            return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
    }
}

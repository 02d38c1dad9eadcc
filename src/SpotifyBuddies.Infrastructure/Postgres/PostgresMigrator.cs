using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace SpotifyBuddies.Infrastructure.Postgres;

/// <summary>
/// Brings the configured schema up to date with numbered migrations (by default the embedded
/// <c>Postgres/Migrations/NNNN_name.sql</c> scripts).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Runs under a session advisory lock per schema, so processes starting together apply each migration once.</item>
/// <item>Each migration runs in its own transaction together with its <c>schema_migrations</c> row, so a failing
/// one leaves nothing behind and the ones before it stay applied.</item>
/// <item>An applied migration whose file changed, or a pending one numbered below an applied one, is refused
/// before anything runs.</item>
/// </list>
/// </remarks>
public sealed class PostgresMigrator(
    NpgsqlDataSource dataSource,
    IOptions<PostgresOptions> options,
    ILogger<PostgresMigrator> logger,
    IReadOnlyList<Migration>? migrations = null)
{
    private readonly string _schemaName = options.Value.SchemaName;
    private readonly string _schema = QuoteIdentifier(options.Value.SchemaName);
    private readonly IReadOnlyList<Migration> _migrations = Migration.InOrder(migrations ?? EmbeddedMigrations.Load());

    /// <summary>The migrations this migrator knows, in version order.</summary>
    public IReadOnlyList<Migration> Migrations => _migrations;

    /// <summary>Applies every pending migration; returns the ones applied by this call (none when up to date).</summary>
    /// <exception cref="PostgresMigrationException">A migration failed (it was rolled back), or applied history does not match the files.</exception>
    public async Task<IReadOnlyList<Migration>> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        logger.WaitingForMigrationLock(_schemaName);
        await using (var lockCommand = NewCommand(connection, "SELECT pg_advisory_lock($1)"))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter<long> { TypedValue = LockKey(_schemaName) });
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await EnsureBookkeepingAsync(connection, cancellationToken);
            var applied = await ReadAppliedAsync(connection, cancellationToken);
            var pending = Plan(applied);

            foreach (var migration in pending)
            {
                await ApplyAsync(connection, migration, cancellationToken);
            }

            logger.SchemaUpToDate(_schemaName, _migrations.Count == 0 ? 0 : _migrations[^1].Version, pending.Count);
            return pending;
        }
        finally
        {
            // Unlock even when cancelled. If the connection broke, the session (and its lock) is gone already.
            if (connection.FullState == System.Data.ConnectionState.Open)
            {
                await using var unlockCommand = NewCommand(connection, "SELECT pg_advisory_unlock($1)");
                unlockCommand.Parameters.Add(new NpgsqlParameter<long> { TypedValue = LockKey(_schemaName) });
                await unlockCommand.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
    }

    /// <summary>The rows of <c>schema_migrations</c>, in version order; empty when the schema was never migrated.</summary>
    public async Task<IReadOnlyList<AppliedMigration>> GetAppliedMigrationsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var exists = NewCommand(connection, "SELECT to_regclass($1) IS NOT NULL");
        exists.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"{_schema}.schema_migrations" });
        if (await exists.ExecuteScalarAsync(cancellationToken) is not true)
        {
            return [];
        }

        return await ReadAppliedAsync(connection, cancellationToken);
    }

    private async Task EnsureBookkeepingAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        // Check before CREATE SCHEMA: it demands CREATE on the database even when the schema exists.
        await using (var schemaExists = NewCommand(connection, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)"))
        {
            schemaExists.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _schemaName });
            if (await schemaExists.ExecuteScalarAsync(cancellationToken) is not true)
            {
                await using var createSchema = NewCommand(connection, $"CREATE SCHEMA {_schema}");
                await createSchema.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await using var createTable = NewCommand(connection, $"""
            CREATE TABLE IF NOT EXISTS {_schema}.schema_migrations (
                version    integer     PRIMARY KEY,
                name       text        NOT NULL,
                checksum   text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """);
        await createTable.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<AppliedMigration>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = NewCommand(connection,
            $"SELECT version, name, checksum, applied_at FROM {_schema}.schema_migrations ORDER BY version");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);

        var rows = new List<AppliedMigration>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new AppliedMigration
            {
                Version = reader.GetInt32(0),
                Name = reader.GetString(1),
                Checksum = reader.GetString(2),
                AppliedAt = reader.GetFieldValue<DateTimeOffset>(3),
            });
        }

        return rows;
    }

    /// <summary>Checks the applied history against the files and returns what is left to apply.</summary>
    private List<Migration> Plan(IReadOnlyList<AppliedMigration> applied)
    {
        var byVersion = _migrations.ToDictionary(m => m.Version);
        foreach (var row in applied)
        {
            if (!byVersion.TryGetValue(row.Version, out var migration))
            {
                logger.UnknownAppliedMigration(_schemaName, row.Version, row.Name);
                continue;
            }

            if (!string.Equals(row.Name, migration.Name, StringComparison.Ordinal))
            {
                throw new PostgresMigrationException(
                    $"Schema '{_schemaName}' has version {row.Version} applied as '{row.Name}', but this build's version {row.Version} is " +
                    $"'{migration.FileName}'. Applied migrations must not be renamed or renumbered.",
                    migration.FileName);
            }

            if (!string.Equals(row.Checksum, migration.Checksum, StringComparison.Ordinal))
            {
                throw new PostgresMigrationException(
                    $"Migration '{migration.FileName}' was applied to schema '{_schemaName}' at {row.AppliedAt.ToString("u", CultureInfo.InvariantCulture)} " +
                    $"with checksum {row.Checksum}, but the file now has checksum {migration.Checksum}. Applied migrations must not change: " +
                    "revert the edit and put the change in a new migration.",
                    migration.FileName);
            }
        }

        var appliedVersions = applied.Select(a => a.Version).ToHashSet();
        var highestApplied = applied.Count == 0 ? 0 : applied.Max(a => a.Version);
        var pending = _migrations.Where(m => !appliedVersions.Contains(m.Version)).ToList();
        var outOfOrder = pending.FirstOrDefault(m => m.Version < highestApplied);
        if (outOfOrder is not null)
        {
            throw new PostgresMigrationException(
                $"Migration '{outOfOrder.FileName}' is not applied to schema '{_schemaName}', but version {highestApplied} already is. " +
                "Number new migrations after the last applied one.",
                outOfOrder.FileName);
        }

        return pending;
    }

    private async Task ApplyAsync(NpgsqlConnection connection, Migration migration, CancellationToken cancellationToken)
    {
        logger.ApplyingMigration(migration.FileName, _schemaName);
        var started = Stopwatch.GetTimestamp();

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await using (var searchPath = NewCommand(connection, $"SET LOCAL search_path TO {_schema}, public"))
            {
                await searchPath.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var script = NewCommand(connection, migration.Script.Replace(Migration.SchemaPlaceholder, _schema, StringComparison.Ordinal)))
            {
                await script.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = NewCommand(connection,
                $"INSERT INTO {_schema}.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)"))
            {
                record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = migration.Version });
                record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = migration.Name });
                record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = migration.Checksum });
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
        catch (NpgsqlException ex)
        {
            // Disposing the transaction rolls it back; say so and name the file.
            logger.MigrationFailed(ex, migration.FileName, _schemaName);
            throw new PostgresMigrationException(
                $"Migration '{migration.FileName}' failed on schema '{_schemaName}' and was rolled back " +
                $"(migrations before it stay applied): {Describe(ex)}",
                migration.FileName,
                ex);
        }

        var elapsedMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        logger.AppliedMigration(migration.FileName, _schemaName, elapsedMs);
    }

    private static string Describe(NpgsqlException ex)
    {
        if (ex is not PostgresException pg)
        {
            return ex.Message;
        }

        var parts = new List<string> { $"{pg.SqlState}: {pg.MessageText}" };
        // Npgsql redacts Detail unless the connection string has Include Error Detail=true; skip the placeholder.
        if (!string.IsNullOrEmpty(pg.Detail) && !pg.Detail.StartsWith("Detail redacted", StringComparison.Ordinal))
        {
            parts.Add($"DETAIL: {pg.Detail}");
        }

        if (!string.IsNullOrEmpty(pg.Hint))
        {
            parts.Add($"HINT: {pg.Hint}");
        }

        if (!string.IsNullOrEmpty(pg.Where))
        {
            parts.Add($"WHERE: {pg.Where}");
        }

        return string.Join(' ', parts);
    }

    /// <remarks>No command timeout: migrations and the wait for the lock may be long; cancellation ends them.</remarks>
    private static NpgsqlCommand NewCommand(NpgsqlConnection connection, string sql) =>
        new(sql, connection) { CommandTimeout = 0 };

    /// <summary>A stable 64-bit advisory-lock key per schema.</summary>
    private static long LockKey(string schemaName) =>
        BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes($"SpotifyBuddies.PostgresMigrator:{schemaName}")));

    private static string QuoteIdentifier(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}

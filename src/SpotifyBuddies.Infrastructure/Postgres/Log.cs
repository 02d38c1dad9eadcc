using Microsoft.Extensions.Logging;

namespace SpotifyBuddies.Infrastructure.Postgres;

/// <summary>Postgres adapter log messages: event ids 4000–4099.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Debug,
        Message = "Waiting for the migration lock of schema {SchemaName}")]
    public static partial void WaitingForMigrationLock(this ILogger logger, string schemaName);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information,
        Message = "Applying migration {MigrationFile} to schema {SchemaName}")]
    public static partial void ApplyingMigration(this ILogger logger, string migrationFile, string schemaName);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information,
        Message = "Applied migration {MigrationFile} to schema {SchemaName} in {ElapsedMs} ms")]
    public static partial void AppliedMigration(this ILogger logger, string migrationFile, string schemaName, long elapsedMs);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information,
        Message = "Schema {SchemaName} is up to date at version {Version} ({Applied} migrations applied now)")]
    public static partial void SchemaUpToDate(this ILogger logger, string schemaName, int version, int applied);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning,
        Message = "Schema {SchemaName} has migration {Version} ({MigrationName}) applied that this build does not know; a newer version of the application probably applied it")]
    public static partial void UnknownAppliedMigration(this ILogger logger, string schemaName, int version, string migrationName);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Error,
        Message = "Migration {MigrationFile} failed on schema {SchemaName} and was rolled back")]
    public static partial void MigrationFailed(this ILogger logger, Exception exception, string migrationFile, string schemaName);
}

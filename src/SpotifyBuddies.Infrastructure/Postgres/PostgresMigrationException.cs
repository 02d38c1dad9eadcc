namespace SpotifyBuddies.Infrastructure.Postgres;

/// <summary>
/// A migration could not be applied, or an applied one no longer matches its file. The message names the file;
/// <see cref="Exception.InnerException"/> carries PostgreSQL's error where there is one.
/// </summary>
public sealed class PostgresMigrationException : Exception
{
    public PostgresMigrationException()
    {
    }

    public PostgresMigrationException(string message)
        : base(message)
    {
    }

    public PostgresMigrationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public PostgresMigrationException(string message, string migrationFile, Exception? innerException = null)
        : base(message, innerException)
    {
        MigrationFile = migrationFile;
    }

    /// <summary>The migration's file name, e.g. <c>0002_runs.sql</c>, when one migration is at fault.</summary>
    public string? MigrationFile { get; }
}

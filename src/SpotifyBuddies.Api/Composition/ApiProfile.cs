namespace SpotifyBuddies.Api.Composition;

/// <summary>Which backends the API host composes (configuration <c>Profile</c>, the same key as the CLI's).</summary>
public enum ApiProfile
{
    /// <summary>Hangfire in memory, the SQLite run store, the local tracker and artifact directory: one process, no servers.</summary>
    Local,

    /// <summary>Hangfire and the run store on PostgreSQL (<c>ConnectionStrings:Postgres</c>), artifacts in MinIO, tracking in MLflow.</summary>
    Production,
}

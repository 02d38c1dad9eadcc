namespace SpotifyBuddies.Infrastructure.Postgres;

/// <summary>A row of <c>&lt;schema&gt;.schema_migrations</c>.</summary>
public sealed record AppliedMigration
{
    public required int Version { get; init; }

    public required string Name { get; init; }

    /// <summary>SHA-256 of the script when it was applied (see <see cref="Migration.Checksum"/>).</summary>
    public required string Checksum { get; init; }

    public required DateTimeOffset AppliedAt { get; init; }
}

namespace SpotifyBuddies.Infrastructure.Tests.Testing;

/// <summary>A fact that needs PostgreSQL: skipped with a reason when <c>SPOTIFYBUDDIES_TEST_PG</c> is unset, except in CI.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (TestPostgres.SkipReason(TestPostgres.ConnectionString, Environment.GetEnvironmentVariable("CI")) is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A theory that needs PostgreSQL; see <see cref="PostgresFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (TestPostgres.SkipReason(TestPostgres.ConnectionString, Environment.GetEnvironmentVariable("CI")) is { } reason)
        {
            Skip = reason;
        }
    }
}

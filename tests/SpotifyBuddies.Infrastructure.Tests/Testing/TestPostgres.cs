namespace SpotifyBuddies.Infrastructure.Tests.Testing;

/// <summary>
/// Where tests find PostgreSQL: <c>SPOTIFYBUDDIES_TEST_PG</c>, which <c>./test.sh</c> always sets after starting a
/// throwaway cluster. Unset on a developer machine, Postgres tests are skipped with a reason; unset in CI
/// (<c>CI=true</c>) they fail, so a broken setup can never pass silently.
/// </summary>
public static class TestPostgres
{
    public const string ConnectionStringVariable = "SPOTIFYBUDDIES_TEST_PG";

    public static string? ConnectionString => NullIfBlank(Environment.GetEnvironmentVariable(ConnectionStringVariable));

    public static bool IsCi => IsCiValue(Environment.GetEnvironmentVariable("CI"));

    /// <summary>The reason to skip a Postgres test, or null to run it (and let it fail in CI when unset).</summary>
    public static string? SkipReason(string? connectionString, string? ci) =>
        NullIfBlank(connectionString) is null && !IsCiValue(ci)
            ? $"{ConnectionStringVariable} is not set: run ./test.sh, which starts a throwaway PostgreSQL and sets it " +
              $"(or export {ConnectionStringVariable}=\"Host=...;Port=...;Database=...;Username=...;Password=...\")."
            : null;

    /// <summary>The connection string, or an exception with a clear message when it is missing.</summary>
    /// <exception cref="InvalidOperationException">The variable is unset.</exception>
    public static string RequireConnectionString() =>
        ConnectionString ?? throw new InvalidOperationException(
            $"{ConnectionStringVariable} is not set" +
            (IsCi ? ", but this run is in CI (CI=true), where tests that need PostgreSQL must run and not be skipped" : " and this test needs PostgreSQL") +
            ". Run the tests through ./test.sh (CI runs .ci/run), which starts PostgreSQL and sets it.");

    private static bool IsCiValue(string? ci) => string.Equals(ci?.Trim(), "true", StringComparison.OrdinalIgnoreCase);

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

namespace SpotifyBuddies.Infrastructure.Tests.Testing;

public sealed class TestPostgresTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("", "false")]
    [InlineData("  ", "")]
    public void SkipReason_WhenConnectionStringUnsetOutsideCi_SkipsNamingTheVariable(string? connectionString, string? ci)
    {
        var reason = TestPostgres.SkipReason(connectionString, ci);

        Assert.NotNull(reason);
        Assert.Contains(TestPostgres.ConnectionStringVariable, reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("TRUE")]
    public void SkipReason_WhenConnectionStringUnsetInCi_RunsTheTestSoItFails(string ci)
    {
        Assert.Null(TestPostgres.SkipReason(null, ci));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("true")]
    public void SkipReason_WhenConnectionStringSet_RunsTheTest(string? ci)
    {
        Assert.Null(TestPostgres.SkipReason("Host=127.0.0.1;Port=55432;Database=buddies", ci));
    }
}

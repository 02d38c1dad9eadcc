using SpotifyBuddies.Infrastructure.Postgres;

namespace SpotifyBuddies.Infrastructure.Tests.Postgres;

public sealed class PostgresOptionsValidatorTests
{
    private const string ValidConnectionString = "Host=127.0.0.1;Port=5432;Database=buddies;Username=buddies;Password=secret";

    [Fact]
    public void Validate_WhenConnectionStringIsSet_SucceedsWithDefaultSchema()
    {
        var options = new PostgresOptions { ConnectionString = ValidConnectionString };

        var result = new PostgresOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal("buddies", options.SchemaName);
    }

    [Fact]
    public void Validate_WhenConnectionStringIsMissing_FailsNamingIt()
    {
        var result = new PostgresOptionsValidator().Validate(null, new PostgresOptions());

        Assert.True(result.Failed);
        Assert.Contains(nameof(PostgresOptions.ConnectionString), result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;NoSuchKeyword=1")]
    [InlineData("Database=buddies;Username=buddies")]
    [InlineData("Host=127.0.0.1;Port=not-a-number")]
    [InlineData("Host=127.0.0.1;Pooling=maybe")]
    public void Validate_WhenConnectionStringIsUnusable_FailsWithoutEchoingIt(string connectionString)
    {
        var result = new PostgresOptionsValidator().Validate(null, new PostgresOptions { ConnectionString = connectionString + ";Password=hunter2" });

        Assert.True(result.Failed);
        Assert.Contains(nameof(PostgresOptions.ConnectionString), result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Buddies")]
    [InlineData("1st")]
    [InlineData("pg_buddies")]
    [InlineData("bud-dies")]
    [InlineData("buddies\"; DROP SCHEMA public; --")]
    [InlineData("")]
    public void Validate_WhenSchemaNameIsNotAPlainIdentifier_Fails(string schemaName)
    {
        var options = new PostgresOptions { ConnectionString = ValidConnectionString, SchemaName = schemaName };

        var result = new PostgresOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(nameof(PostgresOptions.SchemaName), result.FailureMessage, StringComparison.Ordinal);
    }
}

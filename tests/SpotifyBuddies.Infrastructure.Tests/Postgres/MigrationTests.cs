using SpotifyBuddies.Infrastructure.Postgres;

namespace SpotifyBuddies.Infrastructure.Tests.Postgres;

public sealed class MigrationTests
{
    [Fact]
    public void FromFile_WhenNameFollowsPattern_ParsesVersionAndName()
    {
        var migration = Migration.FromFile("0012_add_runs.sql", "SELECT 1");

        Assert.Equal(12, migration.Version);
        Assert.Equal("add_runs", migration.Name);
        Assert.Equal("0012_add_runs.sql", migration.FileName);
    }

    [Theory]
    [InlineData("12_runs.sql")]
    [InlineData("0012-runs.sql")]
    [InlineData("0012_runs.SQL")]
    [InlineData("0012_.sql")]
    [InlineData("0000_zero.sql")]
    [InlineData("0012_runs.sql.bak")]
    public void FromFile_WhenNameDoesNotFollowPattern_ThrowsNamingTheFile(string fileName)
    {
        var error = Assert.Throws<ArgumentException>(() => Migration.FromFile(fileName, "SELECT 1"));

        Assert.Contains(fileName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Checksum_WhenOnlyLineEndingsDiffer_IsTheSame()
    {
        var lf = Migration.FromFile("0001_a.sql", "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n");
        var crlf = Migration.FromFile("0001_a.sql", "CREATE TABLE a (id int);\r\nCREATE TABLE b (id int);\r\n");

        Assert.Equal(lf.Checksum, crlf.Checksum);
    }

    [Fact]
    public void Checksum_WhenScriptChanges_Differs()
    {
        var before = Migration.FromFile("0001_a.sql", "CREATE TABLE a (id int);");
        var after = Migration.FromFile("0001_a.sql", "CREATE TABLE a (id bigint);");

        Assert.NotEqual(before.Checksum, after.Checksum);
        Assert.Matches("^[0-9a-f]{64}$", before.Checksum);
    }

    [Fact]
    public void InOrder_WhenGivenUnordered_SortsByVersion()
    {
        var ordered = Migration.InOrder([Migration.FromFile("0002_b.sql", ""), Migration.FromFile("0001_a.sql", "")]);

        Assert.Equal([1, 2], ordered.Select(m => m.Version));
    }

    [Fact]
    public void InOrder_WhenVersionRepeats_ThrowsNamingBothFiles()
    {
        var error = Assert.Throws<ArgumentException>(
            () => Migration.InOrder([Migration.FromFile("0002_b.sql", ""), Migration.FromFile("0002_c.sql", "")]));

        Assert.Contains("0002_b.sql", error.Message, StringComparison.Ordinal);
        Assert.Contains("0002_c.sql", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InOrder_WhenVersionIsNotPositive_Throws()
    {
        Assert.Throws<ArgumentException>(() => Migration.InOrder([new Migration { Version = -1, Name = "x", Script = "" }]));
    }
}

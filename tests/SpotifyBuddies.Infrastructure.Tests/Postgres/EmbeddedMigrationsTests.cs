using SpotifyBuddies.Infrastructure.Postgres;

namespace SpotifyBuddies.Infrastructure.Tests.Postgres;

public sealed class EmbeddedMigrationsTests
{
    [Fact]
    public void Load_WhenCalled_ReturnsInitFirstAndVersionsWithoutGaps()
    {
        var migrations = EmbeddedMigrations.Load();

        Assert.Equal("0001_init.sql", migrations[0].FileName);
        Assert.Equal(Enumerable.Range(1, migrations.Count), migrations.Select(m => m.Version));
    }

    [Fact]
    public void Load_WhenCalled_GivesScriptsWithoutByteOrderMark()
    {
        Assert.All(EmbeddedMigrations.Load(), m => Assert.False(m.Script.StartsWith('\uFEFF'), m.FileName));
    }
}

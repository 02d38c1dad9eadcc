using SpotifyBuddies.Core.Pairing;

namespace SpotifyBuddies.Core.Tests.Pairing;

public sealed class UserPlaylistsTests
{
    [Fact]
    public void FromPairs_WhenRowsAreUnordered_BuildsAscendingRowsPerUser()
    {
        var rows = UserPlaylists.FromPairs(4, 10, [2, 0, 2, 3, 2], [9, 4, 1, 0, 5], disjoint: true);

        Assert.Equal([4], rows.Of(0).ToArray());
        Assert.True(rows.Of(1).IsEmpty);
        Assert.Equal([1, 5, 9], rows.Of(2).ToArray());
        Assert.Equal([0], rows.Of(3).ToArray());
        Assert.Equal(5, rows.Count);
        Assert.Equal(4, rows.CountOf([2, 3, 1]));
    }

    [Fact]
    public void FromPairs_WhenDisjointAndAPlaylistHasTwoUsers_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => UserPlaylists.FromPairs(3, 5, [0, 1], [4, 4], disjoint: true));

        Assert.Contains("playlist 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPairs_WhenNotDisjoint_AllowsSharedPlaylists()
    {
        var rows = UserPlaylists.FromPairs(3, 5, [0, 1], [4, 4], disjoint: false);

        Assert.Equal([4], rows.Of(0).ToArray());
        Assert.Equal([4], rows.Of(1).ToArray());
    }

    [Fact]
    public void FromPairs_WhenAPairRepeats_Throws()
    {
        Assert.Throws<ArgumentException>(() => UserPlaylists.FromPairs(3, 5, [1, 1], [2, 2], disjoint: false));
    }

    [Theory]
    [InlineData(3, 0)]
    [InlineData(-1, 0)]
    [InlineData(0, 5)]
    [InlineData(0, -1)]
    public void FromPairs_WhenAnIndexIsOutOfRange_Throws(int user, int playlist)
    {
        Assert.Throws<ArgumentException>(() => UserPlaylists.FromPairs(3, 5, [user], [playlist], disjoint: true));
    }

    [Fact]
    public void FromPairs_WhenColumnsDifferInLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => UserPlaylists.FromPairs(3, 5, [0, 1], [2], disjoint: true));
    }
}

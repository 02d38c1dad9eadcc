using SpotifyBuddies.Models.Pairing;

namespace SpotifyBuddies.Models.Tests.Pairing;

public sealed class UserLibrariesLoaderTests
{
    [Fact]
    public void FromPairs_WhenRowsAreUnordered_BuildsAscendingLibraries()
    {
        var libraries = UserLibrariesLoader.FromPairs(4, 10, [2, 0, 2, 2, 3], [9, 4, 1, 5, 0]);

        Assert.Equal([4], libraries.Library(0).ToArray());
        Assert.True(libraries.Library(1).IsEmpty);
        Assert.Equal([1, 5, 9], libraries.Library(2).ToArray());
        Assert.Equal([0], libraries.Library(3).ToArray());
    }

    [Fact]
    public void FromPairs_WhenAUserListsASongTwice_Throws()
    {
        Assert.Throws<ArgumentException>(() => UserLibrariesLoader.FromPairs(2, 5, [1, 1], [3, 3]));
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(0, 5)]
    [InlineData(-1, 0)]
    public void FromPairs_WhenAnIndexIsOutOfRange_Throws(int user, int song)
    {
        Assert.Throws<ArgumentException>(() => UserLibrariesLoader.FromPairs(2, 5, [user], [song]));
    }
}

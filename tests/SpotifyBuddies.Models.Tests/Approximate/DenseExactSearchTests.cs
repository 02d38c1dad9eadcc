using SpotifyBuddies.Models.Pairing.Approximate;

namespace SpotifyBuddies.Models.Tests.Approximate;

public sealed class DenseExactSearchTests
{
    [Fact]
    public void Search_WhenSimilaritiesTie_OrdersByUserAndSkipsSelfAndEmptyUsers()
    {
        // 0, 2 and 4 are identical; 1 is empty; 3 is orthogonal to them.
        var vectors = UserVectors.FromValues(5, 2, [1, 0, 0, 0, 2, 0, 0, 1, 3, 0]);

        var lists = DenseExactSearch.Search(vectors, k: 3);

        Assert.Equal([2, 4, 3], lists.Of(0).ToArray());
        Assert.Equal([1f, 1f, 0f], lists.SimilaritiesOf(0).ToArray());
        Assert.Equal(0, lists.Counts[1]);
        Assert.Equal([0, 2, 4], lists.Of(3).ToArray());
    }

    [Fact]
    public void Search_WhenQueryUsersAreGiven_OthersGetNoNeighbours()
    {
        var vectors = AnnTestData.Clustered(users: 50, dimensions: 4, clusters: 3, noise: 0.3, seed: 1);

        var lists = DenseExactSearch.Search(vectors, k: 5, queryUsers: [3, 7]);

        Assert.Equal(5, lists.Counts[3]);
        Assert.Equal(5, lists.Counts[7]);
        Assert.Equal(10, lists.Counts.Sum());
    }
}

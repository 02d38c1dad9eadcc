using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Core.Preparation;
using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Core.Tests.Preparation;

public sealed class UserSplitterTests
{
    private static readonly PreparationParameters Defaults = new();

    private static UserIdx[] Users(int n) => Enumerable.Range(0, n).Select(i => new UserIdx(i * 3)).ToArray();

    private static PlaylistIdx[] Playlists(int n) => Enumerable.Range(0, n).Select(i => new PlaylistIdx(100 + (i * 7))).ToArray();

    [Theory]
    [InlineData(0, 0)]
    [InlineData(19, 0)] // 0.95 → 0
    [InlineData(20, 1)]
    [InlineData(100, 5)]
    [InlineData(1019, 50)] // 50.95 → 50
    public void SelectColdUsers_WhenDefaultFraction_TakesFloorOfFivePercent(int n, int expected)
    {
        var cold = UserSplitter.SelectColdUsers(Users(n), 0.05, new DeterministicRandom(42));

        Assert.Equal(expected, cold.Length);
    }

    [Fact]
    public void SelectColdUsers_WhenProductIsJustBelowAnInteger_DoesNotLoseOne()
    {
        // 0.29·100 = 28.999999999999996 in doubles; the intended floor is 29.
        var cold = UserSplitter.SelectColdUsers(Users(100), 0.29, new DeterministicRandom(1));

        Assert.Equal(29, cold.Length);
    }

    [Fact]
    public void SelectColdUsers_WhenCalled_ReturnsDistinctInputUsersSortedAscending()
    {
        var users = Users(200);

        var cold = UserSplitter.SelectColdUsers(users, 0.05, new DeterministicRandom(7));

        Assert.Equal(10, cold.Distinct().Count());
        Assert.All(cold, u => Assert.Contains(u, users));
        Assert.Equal(cold.OrderBy(u => u.Value), cold);
    }

    [Fact]
    public void SelectColdUsers_WhenSameSeed_SameUsers()
    {
        var users = Users(500);

        var first = UserSplitter.SelectColdUsers(users, 0.05, new DeterministicRandom(42));
        var second = UserSplitter.SelectColdUsers(users, 0.05, new DeterministicRandom(42));
        var other = UserSplitter.SelectColdUsers(users, 0.05, new DeterministicRandom(43));

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void SelectColdUsers_WhenCalled_LeavesInputUntouched()
    {
        var users = Users(100);
        var before = users.ToArray();

        UserSplitter.SelectColdUsers(users, 0.05, new DeterministicRandom(42));

        Assert.Equal(before, users);
    }

    [Fact]
    public void SelectColdUsers_WhenNotAPrefix_IsRandom()
    {
        // A shuffle (not "the first 5%"): with 1,000 users, the 50 cold ones are not exactly users 0..49.
        var cold = UserSplitter.SelectColdUsers(Users(1000), 0.05, new DeterministicRandom(42));

        Assert.NotEqual(Users(50), cold);
    }

    [Fact]
    public void SplitPositives_WhenFewerThanMinimum_PutsAllInTrain()
    {
        var positives = Playlists(4);

        var split = UserSplitter.SplitPositives(positives, Defaults, new DeterministicRandom(42));

        Assert.Equal(positives, split.Train);
        Assert.Empty(split.Validation);
        Assert.Empty(split.Test);
    }

    [Theory]
    [InlineData(5, 3, 1, 1)] // floor(3.5) = 3, floor(4.5) = 4
    [InlineData(10, 7, 2, 1)] // 7, 9
    [InlineData(20, 14, 4, 2)] // 14, 18
    [InlineData(30, 21, 6, 3)] // 21, 27 ((0.7 + 0.2)·30 = 26.999999999999996 in doubles: a naive floor gives 26)
    [InlineData(90, 63, 18, 9)] // 63, 81 (0.7·90 = 62.99999999999999 in doubles: a naive floor gives 62)
    [InlineData(101, 70, 20, 11)] // floor(70.7) = 70, floor(90.9) = 90
    public void SplitPositives_WhenAtLeastMinimum_CutsAtSeventyAndNinetyPercent(int n, int train, int validation, int test)
    {
        var split = UserSplitter.SplitPositives(Playlists(n), Defaults, new DeterministicRandom(42));

        Assert.Equal(train, split.Train.Length);
        Assert.Equal(validation, split.Validation.Length);
        Assert.Equal(test, split.Test.Length);
    }

    [Fact]
    public void SplitPositives_WhenSplit_PartsAreDisjointSortedAndCoverTheInput()
    {
        var positives = Playlists(37);

        var split = UserSplitter.SplitPositives(positives, Defaults, new DeterministicRandom(3));

        var union = split.Train.Concat(split.Validation).Concat(split.Test).ToArray();
        Assert.Equal(positives.Length, union.Distinct().Count());
        Assert.Equal(positives.OrderBy(p => p.Value), union.OrderBy(p => p.Value));
        Assert.Equal(split.Train.OrderBy(p => p.Value), split.Train);
        Assert.Equal(split.Validation.OrderBy(p => p.Value), split.Validation);
        Assert.Equal(split.Test.OrderBy(p => p.Value), split.Test);
    }

    [Fact]
    public void SplitPositives_WhenSameSeed_SameSplitAndDifferentSeedDiffers()
    {
        var positives = Playlists(50);

        var first = UserSplitter.SplitPositives(positives, Defaults, new DeterministicRandom(42));
        var second = UserSplitter.SplitPositives(positives, Defaults, new DeterministicRandom(42));
        var other = UserSplitter.SplitPositives(positives, Defaults, new DeterministicRandom(43));

        Assert.Equal(first.Train, second.Train);
        Assert.Equal(first.Validation, second.Validation);
        Assert.Equal(first.Test, second.Test);
        Assert.NotEqual(first.Train, other.Train);
    }

    [Fact]
    public void SplitPositives_WhenSplit_TrainIsNotJustTheFirstSeventyPercent()
    {
        var positives = Playlists(100);

        var split = UserSplitter.SplitPositives(positives, Defaults, new DeterministicRandom(42));

        Assert.NotEqual(positives[..70], split.Train);
    }

    [Fact]
    public void SplitPositives_WhenCustomMinimum_UsesIt()
    {
        var parameters = Defaults with { MinPositivesToSplit = 2 };

        var split = UserSplitter.SplitPositives(Playlists(4), parameters, new DeterministicRandom(42));

        // floor(2.8) = 2, floor(3.6) = 3.
        Assert.Equal(2, split.Train.Length);
        Assert.Single(split.Validation);
        Assert.Single(split.Test);
    }
}

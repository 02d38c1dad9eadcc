using SpotifyBuddies.Models.Pairing;

namespace SpotifyBuddies.Models.Tests.Pairing;

public sealed class ExactNeighbourSearchTests
{
    public static TheoryData<int, int, int, int, ulong> RandomCases => new()
    {
        // users, songs, max library, k, seed
        { 40, 30, 8, 5, 1 },
        { 80, 50, 12, 10, 2 },
        { 120, 25, 6, 100, 3 }, // k above the users: everyone who shares a song
        { 150, 400, 30, 7, 4 },
        { 300, 60, 40, 20, 5 }, // dense: most queries take the full-scan path
        { 60, 12, 3, 1, 6 }, // few songs: many ties
    };

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void Search_WhenRandomLibraries_EqualsBruteForceExactly(int users, int songs, int maxLibrary, int k, ulong seed)
    {
        var libraries = RandomLibraries.Create(users, songs, maxLibrary, seed);

        var lists = new ExactNeighbourSearch(maxDegreeOfParallelism: 2, blockSize: 7).Search(libraries, k);

        AssertEqualsBruteForce(libraries, lists, k);
    }

    [Fact]
    public void Search_WhenPopularSongsMakeQueriesDense_EqualsBruteForceExactly()
    {
        // 1,200 users who nearly all hold songs 0..4: every query touches ≥ 1,024 postings (the full-scan path).
        var rows = new List<int[]>();
        var random = new Core.Randomness.DeterministicRandom(11);
        for (var u = 0; u < 1_200; u++)
        {
            var library = new SortedSet<int>();
            for (var s = 0; s < 5; s++)
            {
                if (random.NextBool(0.9))
                {
                    library.Add(s);
                }
            }

            library.Add(5 + random.NextInt(300));
            rows.Add([.. library]);
        }

        var libraries = RandomLibraries.FromRows(305, rows);

        var lists = new ExactNeighbourSearch(maxDegreeOfParallelism: 2).Search(libraries, 15);

        AssertEqualsBruteForce(libraries, lists, 15);
    }

    [Fact]
    public void Search_WhenLibrariesExceed65535Songs_CountsBeyond16BitsAndEqualsBruteForce()
    {
        const int Songs = 70_000;
        var everything = Enumerable.Range(0, Songs).ToArray();
        var random = new Core.Randomness.DeterministicRandom(3);
        List<int[]> rows =
        [
            everything,
            [.. everything.Where(s => s % 2 == 0)],
            everything, // shares 70,000 songs with user 0: more than 16 bits can count
            [.. Enumerable.Range(0, 100)],
            [Songs - 1],
            [],
        ];
        for (var u = 0; u < 30; u++)
        {
            rows.Add([.. Enumerable.Range(0, 40).Select(_ => random.NextInt(Songs)).Distinct().Order()]);
        }

        var libraries = RandomLibraries.FromRows(Songs, rows);

        var lists = new ExactNeighbourSearch(maxDegreeOfParallelism: 2).Search(libraries, 6);

        AssertEqualsBruteForce(libraries, lists, 6);
        Assert.Equal(2, lists.Of(0)[0]);
        Assert.Equal(1f, lists.SimilaritiesOf(0)[0]);
    }

    [Fact]
    public void Search_WhenLibrariesAreIdentical_TiesGoToTheSmallerUserIndex()
    {
        int[] same = [1, 2, 3];
        var libraries = RandomLibraries.FromRows(10, [same, [1, 2, 3, 4], same, same, [7], same]);

        var lists = new ExactNeighbourSearch().Search(libraries, 3);

        Assert.Equal([2, 3, 5], lists.Of(0).ToArray());
        Assert.Equal([0, 2, 3], lists.Of(5).ToArray());
        Assert.All(lists.SimilaritiesOf(0).ToArray(), s => Assert.Equal(1f, s));
        Assert.Equal([0, 2, 3], lists.Of(1).ToArray()); // 3/√12 each, ahead of nobody else
    }

    [Fact]
    public void Search_WhenLibraryIsEmpty_HasNoNeighboursAndIsNobodysNeighbour()
    {
        var libraries = RandomLibraries.FromRows(6, [[0, 1], [], [1, 2], [0, 1, 2], []]);

        var lists = new ExactNeighbourSearch().Search(libraries, 4);

        Assert.Equal(0, lists.Counts[1]);
        Assert.Equal(0, lists.Counts[4]);
        for (var u = 0; u < libraries.Users; u++)
        {
            Assert.DoesNotContain(1, lists.Of(u).ToArray());
            Assert.DoesNotContain(4, lists.Of(u).ToArray());
        }
    }

    [Fact]
    public void Search_WhenUsersShareNothing_ReturnsFewerThanK()
    {
        var libraries = RandomLibraries.FromRows(6, [[0], [0, 1], [5], [2, 3]]);

        var lists = new ExactNeighbourSearch().Search(libraries, 3);

        Assert.Equal([1], lists.Of(0).ToArray());
        Assert.Equal(0, lists.Counts[2]);
        Assert.Equal(0, lists.Counts[3]);
    }

    [Fact]
    public void Search_WhenCalled_ReportsSimilarityAsCosine()
    {
        var libraries = RandomLibraries.FromRows(10, [[0, 1, 2, 3], [0, 1], [3, 4, 5, 6, 7, 8, 9]]);

        var lists = new ExactNeighbourSearch().Search(libraries, 2);

        Assert.Equal([1, 2], lists.Of(0).ToArray());
        Assert.Equal((float)(2 / Math.Sqrt(8)), lists.SimilaritiesOf(0)[0], 1e-7f);
        Assert.Equal((float)(1 / Math.Sqrt(28)), lists.SimilaritiesOf(0)[1], 1e-7f);
    }

    [Fact]
    public void Search_WhenThreadCountAndBlockSizeDiffer_ReturnsIdenticalLists()
    {
        var libraries = RandomLibraries.Create(500, 200, 25, 77);

        var one = new ExactNeighbourSearch(maxDegreeOfParallelism: 1, blockSize: 1000).Search(libraries, 12);
        var many = new ExactNeighbourSearch(maxDegreeOfParallelism: 4, blockSize: 3).Search(libraries, 12);

        Assert.Equal(one.Counts, many.Counts);
        Assert.Equal(one.Neighbours, many.Neighbours);
        Assert.Equal(one.Similarities, many.Similarities);
    }

    [Fact]
    public void Search_WhenNoUsers_ReturnsEmptyLists()
    {
        var lists = new ExactNeighbourSearch().Search(new UserLibraries(0, 5, [0], []), 3);

        Assert.Equal(0, lists.Users);
        Assert.Empty(lists.Counts);
    }

    [Fact]
    public void Search_WhenCancelled_Throws()
    {
        var libraries = RandomLibraries.Create(200, 50, 10, 3);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => new ExactNeighbourSearch().Search(libraries, 5, cancellationToken: cancelled.Token));
    }

    [Fact]
    public void Search_WhenCalled_ReportsProgressUpToAllUsers()
    {
        var libraries = RandomLibraries.Create(300, 50, 10, 3);
        var reports = new List<SearchProgress>();
        var progress = new SynchronousProgress(reports);

        new ExactNeighbourSearch(blockSize: 16).Search(libraries, 5, progress);

        Assert.Contains(reports, r => r.Done == 300 && r.Total == 300);
    }

    [Fact]
    public void Search_WhenKIsBelowOne_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExactNeighbourSearch().Search(RandomLibraries.FromRows(3, [[0]]), 0));
    }

    private static void AssertEqualsBruteForce(UserLibraries libraries, NeighbourLists lists, int k)
    {
        var expected = BruteForceNeighbours.Compute(libraries, k);
        Assert.Equal(libraries.Users, lists.Users);
        for (var u = 0; u < libraries.Users; u++)
        {
            Assert.Equal(expected[u].Users, lists.Of(u).ToArray());
            var similarities = lists.SimilaritiesOf(u).ToArray();
            for (var i = 0; i < similarities.Length; i++)
            {
                Assert.Equal(expected[u].Similarities[i], similarities[i], 1e-6);
            }
        }
    }

    private sealed class SynchronousProgress(List<SearchProgress> reports) : IProgress<SearchProgress>
    {
        private readonly Lock _lock = new();

        public void Report(SearchProgress value)
        {
            lock (_lock)
            {
                reports.Add(value);
            }
        }
    }
}

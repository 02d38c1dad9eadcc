using SpotifyBuddies.Models.Pairing.Approximate;

namespace SpotifyBuddies.Models.Tests.Approximate;

public sealed class AnnIndexBuilderTests
{
    [Fact]
    public void BuildFile_WhenSingleThreaded_WritesTheSameBytesEveryTime()
    {
        using var dir = new TempDirectory();
        var vectors = AnnTestData.Clustered(users: 800, dimensions: 16, clusters: 8, noise: 0.6, seed: 1, emptyEvery: 9);
        var options = new AnnIndexOptions { M = 6, EfConstruction = 40, MaxDegreeOfParallelism = 1 };

        AnnIndexBuilder.BuildFile(vectors, dir.Sub("a.ann"), options);
        AnnIndexBuilder.BuildFile(vectors, dir.Sub("b.ann"), options);

        Assert.Equal(File.ReadAllBytes(dir.Sub("a.ann")), File.ReadAllBytes(dir.Sub("b.ann")));
    }

    [Fact]
    public void Build_WhenParallel_GivesAnIndexAsGoodAsSequential()
    {
        var vectors = AnnTestData.Clustered(users: 2000, dimensions: 16, clusters: 20, noise: 0.7, seed: 2);
        var exact = DenseExactSearch.Search(vectors, k: 10);

        using var sequential = AnnIndexBuilder.Build(vectors, new AnnIndexOptions { M = 8, EfConstruction = 64, MaxDegreeOfParallelism = 1 });
        using var parallel = AnnIndexBuilder.Build(vectors, new AnnIndexOptions { M = 8, EfConstruction = 64, MaxDegreeOfParallelism = 4 });

        var a = RecallEvaluator.RecallAtK(sequential.SearchAll(10, 32), exact);
        var b = RecallEvaluator.RecallAtK(parallel.SearchAll(10, 32), exact);
        Assert.True(b >= 0.95 && Math.Abs(a - b) < 0.02, $"sequential {a}, parallel {b}");
    }

    [Fact]
    public void Build_WhenEveryLibraryIsEmpty_GivesAnIndexThatFindsNothing()
    {
        var vectors = UserVectors.FromValues(5, 4, new float[20]);

        using var index = AnnIndexBuilder.Build(vectors);
        var lists = index.SearchAll(k: 3);

        Assert.Equal(0, index.IndexedUsers);
        Assert.Equal(-1, index.Info.EntryPoint);
        Assert.All(lists.Counts, c => Assert.Equal(0, c));
        Assert.Empty(index.Search([1f, 0, 0, 0], 3));
    }

    [Fact]
    public void Build_WhenCancelled_ThrowsOperationCanceled()
    {
        var vectors = AnnTestData.Clustered(users: 2000, dimensions: 16, clusters: 4, noise: 0.5, seed: 3);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => AnnIndexBuilder.Build(vectors, cancellationToken: cancelled.Token));
    }

    [Fact]
    public void Build_WhenOptionsAreInvalid_ThrowsListingEveryProblem()
    {
        var vectors = AnnTestData.Clustered(users: 10, dimensions: 4, clusters: 2, noise: 0.5, seed: 4);
        var options = new AnnIndexOptions { M = 1, EfSearch = 0 };

        var error = Assert.Throws<ArgumentException>(() => AnnIndexBuilder.Build(vectors, options));

        Assert.Contains("M must be in [2, 256]", error.Message, StringComparison.Ordinal);
        Assert.Contains("EfSearch must be at least 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WhenProgressIsGiven_ReportsTheBuildUpToEveryNode()
    {
        var vectors = AnnTestData.Clustered(users: 300, dimensions: 8, clusters: 3, noise: 0.5, seed: 5);
        var reports = new List<SearchProgressRecord>();
        var progress = new SynchronousProgress(reports);

        using var index = AnnIndexBuilder.Build(vectors, new AnnIndexOptions { MaxDegreeOfParallelism = 1 }, progress);

        Assert.Contains(new SearchProgressRecord("build", 300, 300), reports);
    }

    private sealed record SearchProgressRecord(string Phase, long Done, long Total);

    private sealed class SynchronousProgress(List<SearchProgressRecord> reports) : IProgress<SpotifyBuddies.Models.Pairing.SearchProgress>
    {
        public void Report(SpotifyBuddies.Models.Pairing.SearchProgress value)
        {
            lock (reports)
            {
                reports.Add(new SearchProgressRecord(value.Phase, value.Done, value.Total));
            }
        }
    }
}

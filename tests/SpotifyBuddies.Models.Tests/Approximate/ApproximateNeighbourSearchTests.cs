using SpotifyBuddies.Models.Pairing;
using SpotifyBuddies.Models.Pairing.Approximate;

namespace SpotifyBuddies.Models.Tests.Approximate;

public sealed class ApproximateNeighbourSearchTests
{
    private static ApproximateSearchOptions Options(string? path) => new()
    {
        IndexPath = path,
        Dimensions = 32,
        M = 8,
        EfConstruction = 64,
        EfSearch = 64,
    };

    [Fact]
    public void Search_WhenSpectralVectorsAreExact_AgreesWithTheExactEngine()
    {
        // 60 users over 30 songs (rank ≤ 30 ≤ 32 dimensions): the spectral vectors reproduce the cosines,
        // so only the index could make a difference. A one-thread build is reproducible (a parallel build's
        // graph varies from run to run, and HNSW then may miss a tied neighbour), and ef ≥ users searches
        // everything reachable.
        var libraries = AnnTestData.TasteGroups(users: 60, songs: 30, groups: 3, seed: 1);
        var engine = new ApproximateNeighbourSearch(Options(null) with { MaxDegreeOfParallelism = 1, EfSearch = 64 });

        var approximate = engine.Search(libraries, k: 5);
        var exact = new ExactNeighbourSearch().Search(libraries, k: 5);

        Assert.Equal("approximate", engine.Name);
        for (var u = 0; u < libraries.Users; u++)
        {
            // Compare similarity profiles rather than ids: ties may be cut differently in float.
            var want = exact.SimilaritiesOf(u).ToArray();
            var got = approximate.SimilaritiesOf(u)[..want.Length].ToArray();
            Assert.Equal(want.Select(s => Math.Round(s, 3)), got.Select(s => Math.Round(s, 3)));
        }
    }

    [Fact]
    public void Search_WhenLibrariesAreEmpty_ThoseUsersGetNoneAndAreNobodysNeighbour()
    {
        var libraries = AnnTestData.TasteGroups(users: 300, songs: 600, groups: 4, seed: 2);

        var lists = new ApproximateNeighbourSearch(Options(null)).Search(libraries, k: 10);

        for (var u = 0; u < libraries.Users; u++)
        {
            var empty = libraries.Library(u).IsEmpty;
            Assert.Equal(empty ? 0 : 10, lists.Counts[u]);
            Assert.DoesNotContain(u, lists.Of(u).ToArray());
            Assert.All(lists.Of(u).ToArray(), v => Assert.False(libraries.Library(v).IsEmpty));
            var similarities = lists.SimilaritiesOf(u);
            for (var j = 1; j < similarities.Length; j++)
            {
                Assert.True(similarities[j - 1] > similarities[j] || (similarities[j - 1] == similarities[j] && lists.Of(u)[j - 1] < lists.Of(u)[j]));
            }
        }
    }

    [Fact]
    public void Search_WhenTheIndexFileMatches_ReusesItAndOtherwiseRebuildsIt()
    {
        using var dir = new TempDirectory();
        var path = dir.Sub("pairing.ann");
        var libraries = AnnTestData.TasteGroups(users: 400, songs: 1000, groups: 5, seed: 3);
        var other = AnnTestData.TasteGroups(users: 400, songs: 1000, groups: 5, seed: 4);
        var engine = new ApproximateNeighbourSearch(Options(path));

        var first = engine.Search(libraries, k: 10);
        var built = engine.LastRun;
        var second = engine.Search(libraries, k: 10);
        var reused = engine.LastRun;
        engine.Search(other, k: 10);
        var stale = engine.LastRun;
        File.WriteAllText(path, "not an index");
        engine.Search(other, k: 10);
        var broken = engine.LastRun;

        Assert.False(built!.Reused);
        Assert.True(reused!.Reused);
        Assert.Equal(first.Neighbours, second.Neighbours);
        Assert.False(stale!.Reused);
        Assert.Contains("other libraries", stale.RebuildReason, StringComparison.Ordinal);
        Assert.False(broken!.Reused);
        Assert.Contains("not a Spotify Buddies ANN index", broken.RebuildReason, StringComparison.Ordinal);
        using var index = AnnIndex.Open(path);
        Assert.Equal(UserVectors.Fingerprint(other), index.Info.SourceFingerprint);
        Assert.Equal(UserVectorMethod.Spectral, index.Info.VectorMethod);
    }

    [Fact]
    public void Search_WhenEfSearchGrows_RecallAgainstTheDenseReferenceDoesNotDrop()
    {
        var libraries = AnnTestData.TasteGroups(users: 1500, songs: 3000, groups: 6, seed: 5);
        var vectors = UserVectors.FromLibraries(libraries, dimensions: 32, seed: UserVectors.DefaultSeed);
        var exact = DenseExactSearch.Search(vectors, k: 20);

        int[] efs = [21, 64, 200];
        var recalls = efs
            .Select(ef => RecallEvaluator.RecallAtK(new ApproximateNeighbourSearch(Options(null) with { EfSearch = ef, M = 4, EfConstruction = 16, MaxDegreeOfParallelism = 1 }).Search(libraries, 20), exact))
            .ToArray();

        Assert.True(recalls[0] <= recalls[1] && recalls[1] <= recalls[2], string.Join(", ", recalls));
        Assert.True(recalls[2] >= 0.95, string.Join(", ", recalls));
    }

    [Fact]
    public void Create_WhenValuesAreOutOfRange_ThrowsListingThem()
    {
        var error = Assert.Throws<ArgumentException>(() => ApproximateNeighbourSearchFactory.Create("x.ann", efSearch: 0, m: 1000, dimensions: 0));

        Assert.Contains("EfSearch", error.Message, StringComparison.Ordinal);
        Assert.Contains("M must be", error.Message, StringComparison.Ordinal);
        Assert.Contains("Dimensions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_WhenValuesAreGiven_UsesThemAndDefaultsTheRest()
    {
        var engine = ApproximateNeighbourSearchFactory.Create("x.ann", efSearch: 300, vectorMethod: UserVectorMethod.Hashing);

        Assert.Equal("x.ann", engine.Options.IndexPath);
        Assert.Equal(300, engine.Options.EfSearch);
        Assert.Equal(UserVectorMethod.Hashing, engine.Options.VectorMethod);
        Assert.Equal(AnnIndexOptions.DefaultM, engine.Options.M);
    }
}

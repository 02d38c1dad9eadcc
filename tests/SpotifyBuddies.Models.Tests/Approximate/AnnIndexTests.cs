using System.Globalization;
using SpotifyBuddies.Models.Pairing.Approximate;

namespace SpotifyBuddies.Models.Tests.Approximate;

public sealed class AnnIndexTests
{
    private static readonly AnnIndexOptions Small = new() { M = 8, EfConstruction = 64, EfSearch = 32, Seed = 5 };

    [Fact]
    public void Open_WhenSavedIndexIsReopened_SearchesExactlyLikeTheBuiltIndex()
    {
        using var dir = new TempDirectory();
        var path = dir.Sub("users.ann");
        var vectors = AnnTestData.Clustered(users: 1500, dimensions: 32, clusters: 12, noise: 0.7, seed: 1, emptyEvery: 50);
        using var built = AnnIndexBuilder.Build(vectors, Small);

        built.Save(path);
        using var opened = AnnIndex.Open(path);

        Assert.Equal(built.Info, opened.Info);
        Assert.Equal(path, opened.Source);
        Assert.Equal(built.Info.FileLength, new FileInfo(path).Length);
        Assert.Empty(Directory.GetFiles(dir.Path, ".*"));
        var fromMemory = built.SearchAll(k: 10);
        var fromFile = opened.SearchAll(k: 10);
        Assert.Equal(fromMemory.Counts, fromFile.Counts);
        Assert.Equal(fromMemory.Neighbours, fromFile.Neighbours);
        Assert.Equal(fromMemory.Similarities, fromFile.Similarities);
        Assert.True(vectors.Of(7).SequenceEqual(opened.VectorOf(7)));
        Assert.Equal(built.Search(vectors.Of(3), 5), opened.Search(vectors.Of(3), 5));
    }

    [Fact]
    public void Open_WhenFileIsTruncated_ThrowsSayingSo()
    {
        using var dir = new TempDirectory();
        var path = BuildFile(dir);
        var bytes = File.ReadAllBytes(path);

        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        var shortContent = Assert.Throws<AnnIndexFormatException>(() => AnnIndex.Open(path));
        File.WriteAllBytes(path, bytes[..100]);
        var shortHeader = Assert.Throws<AnnIndexFormatException>(() => AnnIndex.Open(path));

        Assert.Contains("truncated", shortContent.Message, StringComparison.Ordinal);
        Assert.Contains(path, shortContent.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", shortHeader.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_WhenContentIsCorrupt_ThrowsChecksumMismatchUnlessVerificationIsOff()
    {
        using var dir = new TempDirectory();
        var path = BuildFile(dir);
        var bytes = File.ReadAllBytes(path);
        bytes[300] ^= 0x01; // inside the vectors

        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<AnnIndexFormatException>(() => AnnIndex.Open(path));
        using var unverified = AnnIndex.Open(path, verifyChecksum: false);

        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, unverified.Search(0, 5).Length);
    }

    [Fact]
    public void Open_WhenHeaderIsCorruptOrOfAnotherVersionOrFormat_ThrowsNamingTheProblem()
    {
        using var dir = new TempDirectory();
        var path = BuildFile(dir);
        var bytes = File.ReadAllBytes(path);

        var header = (byte[])bytes.Clone();
        header[20] ^= 0x01; // indexed-user count, covered by the header checksum
        File.WriteAllBytes(path, header);
        var corrupt = Assert.Throws<AnnIndexFormatException>(() => AnnIndex.Open(path));
        var version = (byte[])bytes.Clone();
        version[8] = 99;
        File.WriteAllBytes(path, version);
        var newer = Assert.Throws<AnnIndexFormatException>(() => AnnIndex.Open(path));
        File.WriteAllText(path, new string('x', 4096));
        var other = Assert.Throws<AnnIndexFormatException>(() => AnnIndex.Open(path));

        Assert.Contains("corrupt header", corrupt.Message, StringComparison.Ordinal);
        Assert.Contains("version 99", newer.Message, StringComparison.Ordinal);
        Assert.Contains("not a Spotify Buddies ANN index", other.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_WhenTwoOtherProcessesOpenTheFileAtOnce_AllThreeGetTheSameResults()
    {
        using var dir = new TempDirectory();
        var path = BuildFile(dir);
        var barrier = dir.Sub("go");
        int[] users = [0, 1, 2, 17, 123, 499];
        using var index = AnnIndex.Open(path);
        var expected = users.Select(u => Format(u, index.Search(u, 8))).ToList();

        using var first = ProbeProcess.Start(path, barrier, 8, users);
        using var second = ProbeProcess.Start(path, barrier, 8, users);
        first.WaitForLine("opened");
        second.WaitForLine("opened");
        File.WriteAllText(barrier, "go"); // both probes and this process now hold the mapping
        var firstLines = first.ReadToEnd();
        var secondLines = second.ReadToEnd();

        Assert.Equal([.. expected, "done"], firstLines);
        Assert.Equal([.. expected, "done"], secondLines);
        Assert.Equal(5, index.Search(1, 5).Length);
    }

    [Fact]
    public void Open_WhenFileIsReplacedWhileOpen_KeepsServingTheOldIndex()
    {
        using var dir = new TempDirectory();
        var path = BuildFile(dir);
        using var old = AnnIndex.Open(path);
        var before = old.Search(3, 5);

        var replacement = AnnTestData.Clustered(users: 200, dimensions: 16, clusters: 3, noise: 0.5, seed: 99);
        AnnIndexBuilder.BuildFile(replacement, path, Small);
        using var fresh = AnnIndex.Open(path);

        Assert.Equal(before, old.Search(3, 5));
        Assert.Equal(200, fresh.Users);
        Assert.Equal(500, old.Users);
    }

    [Fact]
    public void SearchAll_OnClusteredData_ReachesTheRecallTargetAgainstBruteForce()
    {
        var vectors = AnnTestData.Clustered(users: 3000, dimensions: 32, clusters: 30, noise: 0.8, seed: 2);
        using var index = AnnIndexBuilder.Build(vectors, Small);

        var approximate = index.SearchAll(k: 10);
        var exact = DenseExactSearch.Search(vectors, k: 10);

        Assert.True(RecallEvaluator.RecallAtK(approximate, exact) >= 0.95, $"recall@10 = {RecallEvaluator.RecallAtK(approximate, exact)}");
    }

    [Fact]
    public void SearchAll_WhenEfSearchGrows_RecallDoesNotDrop()
    {
        // Unclustered vectors and a sparse graph, so that a small candidate list does miss neighbours.
        var vectors = AnnTestData.Clustered(users: 3000, dimensions: 24, clusters: 3000, noise: 0.1, seed: 3);
        using var index = AnnIndexBuilder.Build(vectors, Small with { M = 4, EfConstruction = 20, MaxDegreeOfParallelism = 1 });
        var exact = DenseExactSearch.Search(vectors, k: 10);

        int[] efs = [10, 20, 40, 160];
        var recalls = efs.Select(ef => RecallEvaluator.RecallAtK(index.SearchAll(10, ef), exact)).ToArray();

        for (var i = 1; i < recalls.Length; i++)
        {
            Assert.True(recalls[i] >= recalls[i - 1], $"recalls by efSearch: {string.Join(", ", recalls)}");
        }

        Assert.True(recalls[^1] > recalls[0], $"recalls by efSearch: {string.Join(", ", recalls)}");
    }

    [Fact]
    public void SearchAll_WhenUsersHaveEmptyLibraries_TheyGetNoneAndAreNobodysNeighbour()
    {
        var vectors = AnnTestData.Clustered(users: 400, dimensions: 16, clusters: 5, noise: 0.5, seed: 4, emptyEvery: 7);
        using var index = AnnIndexBuilder.Build(vectors, Small);

        var lists = index.SearchAll(k: 20);

        Assert.Equal(400 - (400 / 7), index.IndexedUsers);
        for (var u = 0; u < lists.Users; u++)
        {
            Assert.Equal(vectors.IsEmpty(u) ? 0 : 20, lists.Counts[u]);
            Assert.False(index.Contains(u) == vectors.IsEmpty(u));
            foreach (var v in lists.Of(u))
            {
                Assert.False(vectors.IsEmpty(v));
                Assert.NotEqual(u, v);
            }
        }

        Assert.Empty(index.Search(6, 5));
    }

    [Fact]
    public void Search_WhenResultsReturned_AreOrderedBySimilarityThenUserAndExcludeTheQueryUser()
    {
        // Users 0-3 are identical, so they tie; 4 and 5 are further away.
        var vectors = UserVectors.FromValues(6, 2, [1, 0, 1, 0, 1, 0, 1, 0, 0.8f, 0.6f, 0, 1]);
        using var index = AnnIndexBuilder.Build(vectors, Small);

        var hits = index.Search(2, 5);
        var byVector = index.Search([1f, 0f], 3);

        Assert.Equal([0, 1, 3, 4, 5], hits.Select(h => h.User));
        Assert.Equal([1.0, 1.0, 1.0, 0.8, 0.0], hits.Select(h => Math.Round(h.Similarity, 5)));
        Assert.Equal([0, 1, 2], byVector.Select(h => h.User));
    }

    [Fact]
    public void Search_WhenDisposed_ThrowsObjectDisposed()
    {
        using var dir = new TempDirectory();
        var index = AnnIndex.Open(BuildFile(dir));

        index.Dispose();

        Assert.Throws<ObjectDisposedException>(() => index.Search(0, 3));
    }

    private static string BuildFile(TempDirectory dir)
    {
        var path = dir.Sub("users.ann");
        var vectors = AnnTestData.Clustered(users: 500, dimensions: 16, clusters: 6, noise: 0.6, seed: 8);
        AnnIndexBuilder.BuildFile(vectors, path, Small);
        return path;
    }

    /// <summary>The probe's line format (tests/SpotifyBuddies.AnnProbe/Program.cs).</summary>
    private static string Format(int user, AnnHit[] hits) =>
        string.Create(CultureInfo.InvariantCulture, $"{user}:{string.Join(',', hits.Select(h => string.Create(CultureInfo.InvariantCulture, $"{h.User}={h.Similarity:R}")))}");
}

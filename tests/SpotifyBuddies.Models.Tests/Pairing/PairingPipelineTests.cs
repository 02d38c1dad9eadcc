using System.Text.Json;
using SpotifyBuddies.Core.Pairing;
using SpotifyBuddies.Data.Datasets;
using SpotifyBuddies.Models.Pairing;

namespace SpotifyBuddies.Models.Tests.Pairing;

public sealed class PairingPipelineTests(TinyPreparedDataset dataset) : IClassFixture<TinyPreparedDataset>
{
    private sealed class Fixture : IDisposable
    {
        public TempDirectory Temp { get; } = new();

        public string Output => Temp.Sub("pairing");

        public PairingRequest Request(string? output = null) => new()
        {
            DatasetDir = DatasetDirectory,
            OutputDir = output ?? Output,
            MaxDegreeOfParallelism = 2,
        };

        public string DatasetDirectory { get; init; } = string.Empty;

        public void Dispose() => Temp.Dispose();
    }

    private Fixture NewFixture() => new() { DatasetDirectory = dataset.DatasetDir };

    [Fact]
    public async Task RunAsync_WhenTinyDataset_PoolsNeverHoldTheUsersOwnOrTrainLikedPlaylists()
    {
        using var fixture = NewFixture();

        await PairingPipeline.RunAsync(fixture.Request());

        var users = (int)dataset.Manifest.Counts["users"];
        var own = await PairsAsync(Path.Combine(dataset.DatasetDir, PreparedDatasetLayout.Ownership), "owner_user_idx", "playlist_idx");
        var positives = Path.Combine(dataset.DatasetDir, PreparedDatasetLayout.Positives);
        var positiveUsers = await ParquetTableReader.ReadInt32Async(positives, "user_idx");
        var positivePlaylists = await ParquetTableReader.ReadInt32Async(positives, "playlist_idx");
        var split = await ParquetTableReader.ReadInt32Async(positives, "split");
        var trainLiked = new HashSet<(int, int)>();
        for (var i = 0; i < split.Length; i++)
        {
            if (split[i] == PreparedDatasetLayout.SplitTrain)
            {
                trainLiked.Add((positiveUsers[i], positivePlaylists[i]));
            }
        }

        var pools = await PairsAsync(Path.Combine(fixture.Output, PairingLayout.Pools), "user_idx", "playlist_idx");
        Assert.NotEmpty(pools);
        Assert.NotEmpty(trainLiked);
        Assert.All(pools, pair =>
        {
            Assert.DoesNotContain(pair, own);
            Assert.DoesNotContain(pair, trainLiked);
        });
        Assert.All(pools.GroupBy(p => p.User), g => Assert.InRange(g.Count(), 1, 75));
        Assert.All(pools, p => Assert.InRange(p.User, 0, users - 1));
    }

    [Fact]
    public async Task RunAsync_WhenTinyDataset_PoolPlaylistsAreOwnedBySelectedNeighbours()
    {
        using var fixture = NewFixture();

        await PairingPipeline.RunAsync(fixture.Request());

        var owner = (await PairsAsync(Path.Combine(dataset.DatasetDir, PreparedDatasetLayout.Ownership), "playlist_idx", "owner_user_idx"))
            .ToDictionary(p => p.User, p => p.Playlist); // playlist → owner
        var neighbours = Path.Combine(fixture.Output, PairingLayout.Neighbours);
        var users = await ParquetTableReader.ReadInt32Async(neighbours, "user_idx");
        var others = await ParquetTableReader.ReadInt32Async(neighbours, "neighbour_user_idx");
        var selected = await ParquetTableReader.ReadInt32Async(neighbours, "selected");
        var ranks = await ParquetTableReader.ReadInt32Async(neighbours, "rank");
        var kept = new HashSet<(int, int)>();
        for (var i = 0; i < users.Length; i++)
        {
            Assert.NotEqual(users[i], others[i]);
            Assert.True(i == 0 || users[i - 1] != users[i] ? ranks[i] == 0 : ranks[i] == ranks[i - 1] + 1);
            if (selected[i] == 1)
            {
                kept.Add((users[i], others[i]));
            }
        }

        var pools = await PairsAsync(Path.Combine(fixture.Output, PairingLayout.Pools), "user_idx", "playlist_idx");
        Assert.All(pools, p => Assert.Contains((p.User, owner[p.Playlist]), kept));
    }

    [Fact]
    public async Task RunAsync_WhenTinyDataset_ListsExactlyTheUsersWithoutAPool()
    {
        using var fixture = NewFixture();

        var result = await PairingPipeline.RunAsync(fixture.Request());

        var users = (int)dataset.Manifest.Counts["users"];
        var withPool = (await PairsAsync(Path.Combine(fixture.Output, PairingLayout.Pools), "user_idx", "playlist_idx"))
            .Select(p => p.User).ToHashSet();
        var noPool = await ParquetTableReader.ReadInt32Async(Path.Combine(fixture.Output, PairingLayout.NoPoolUsers), "user_idx");
        var reasons = await ParquetTableReader.ReadInt32Async(Path.Combine(fixture.Output, PairingLayout.NoPoolUsers), "reason");
        Assert.Equal(Enumerable.Range(0, users).Where(u => !withPool.Contains(u)), noPool);
        Assert.All(reasons, r => Assert.InRange(r, 1, 3));
        Assert.Equal(noPool.Length, result.Stats.Pools.UsersWithoutPool);
        Assert.Equal(withPool.Count, result.Stats.Pools.UsersWithPool);
    }

    [Fact]
    public async Task RunAsync_WhenTinyDataset_WritesAManifestChainedToTheDataset()
    {
        using var fixture = NewFixture();

        var result = await PairingPipeline.RunAsync(fixture.Request());

        var manifest = await DatasetManifest.ReadAsync(Path.Combine(fixture.Output, DatasetManifest.FileName));
        Assert.Equal(PairingLayout.Kind, manifest.Kind);
        Assert.Equal(dataset.Manifest.ContentHash, manifest.Parent);
        Assert.Equal(result.ContentHash, manifest.ContentHash);
        Assert.Equal(DatasetManifest.ComputeContentHash(manifest.Files), manifest.ContentHash);
        Assert.Equal("exact", manifest.Parameters["engine"]!.GetValue<string>());
        Assert.Equal(100, manifest.Parameters["k"]!.GetValue<int>());
        string[] expected =
        [
            PairingLayout.Neighbours, PairingLayout.Pools, PairingLayout.NoPoolUsers, PairingLayout.StatsJson, PairingLayout.StatsMarkdown,
            PairingLayout.NeighboursHistogram, PairingLayout.ChosenHistogram, PairingLayout.ReachableHistogram,
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), manifest.Files.Select(f => f.Name));
        foreach (var file in manifest.Files)
        {
            var path = Path.Combine(fixture.Output, file.Name);
            Assert.Equal(FileHashing.Sha256OfFile(path), file.Sha256);
            Assert.Equal(new FileInfo(path).Length, file.Bytes);
            if (file.Rows is { } rows)
            {
                Assert.Equal(rows, await ParquetTableReader.CountRowsAsync(path));
            }
        }

        Assert.Equal(3, manifest.Inputs.Count);
        Assert.All(manifest.Inputs, i => Assert.Equal(dataset.Manifest.FileNamed(Path.GetFileName(i.Path)).Sha256, i.Sha256));
        using var stats = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(fixture.Output, PairingLayout.StatsJson)));
        Assert.True(stats.RootElement.TryGetProperty("popularity", out _));
        Assert.Empty(fixture.Temp.Leftovers());
    }

    [Fact]
    public async Task RunAsync_WhenThreadCountsDiffer_WritesIdenticalContent()
    {
        using var fixture = NewFixture();
        var parameters = new PairingParameters { ShuffleCandidates = true, PoolSize = 10, MinNeighbours = 5, MinPlaylists = 10 };

        var one = await PairingPipeline.RunAsync(fixture.Request(fixture.Temp.Sub("one")) with { Parameters = parameters, MaxDegreeOfParallelism = 1 });
        var three = await PairingPipeline.RunAsync(fixture.Request(fixture.Temp.Sub("three")) with { Parameters = parameters, MaxDegreeOfParallelism = 3 });
        var otherSeed = await PairingPipeline.RunAsync(fixture.Request(fixture.Temp.Sub("seed")) with { Parameters = parameters with { Seed = 7 } });

        Assert.Equal(one.ContentHash, three.ContentHash);
        Assert.NotEqual(one.ContentHash, otherSeed.ContentHash);
    }

    [Fact]
    public async Task RunAsync_WhenOutputExistsAndNotForced_RefusesAndLeavesItUntouched()
    {
        using var fixture = NewFixture();
        Directory.CreateDirectory(fixture.Output);
        var keep = Path.Combine(fixture.Output, "keep.txt");
        await File.WriteAllTextAsync(keep, "mine");

        await Assert.ThrowsAsync<DatasetExistsException>(() => PairingPipeline.RunAsync(fixture.Request()));

        Assert.Equal("mine", await File.ReadAllTextAsync(keep));
        Assert.Empty(fixture.Temp.Leftovers());
    }

    [Fact]
    public async Task RunAsync_WhenOutputExistsAndForced_ReplacesIt()
    {
        using var fixture = NewFixture();
        Directory.CreateDirectory(fixture.Output);
        await File.WriteAllTextAsync(Path.Combine(fixture.Output, "old.txt"), "old");

        await PairingPipeline.RunAsync(fixture.Request() with { Force = true });

        Assert.False(File.Exists(Path.Combine(fixture.Output, "old.txt")));
        Assert.True(File.Exists(Path.Combine(fixture.Output, DatasetManifest.FileName)));
        Assert.Empty(fixture.Temp.Leftovers());
    }

    [Fact]
    public async Task RunAsync_WhenDatasetHasNoManifest_ThrowsAndLeavesNothingBehind()
    {
        using var fixture = NewFixture();
        var empty = fixture.Temp.Sub("not-a-dataset");
        Directory.CreateDirectory(empty);

        await Assert.ThrowsAsync<FileNotFoundException>(() => PairingPipeline.RunAsync(fixture.Request() with { DatasetDir = empty }));

        Assert.False(Directory.Exists(fixture.Output));
        Assert.Empty(fixture.Temp.Leftovers());
    }

    [Fact]
    public async Task RunAsync_WhenOutputIsTheDataset_RefusesBeforeTouchingIt()
    {
        using var fixture = NewFixture();

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            PairingPipeline.RunAsync(fixture.Request(dataset.DatasetDir) with { Force = true }));

        Assert.Contains("dataset directory", error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dataset.DatasetDir, DatasetManifest.FileName)));
    }

    [Fact]
    public async Task RunAsync_WhenEngineBreaksTheContract_FailsWithoutWritingOutput()
    {
        using var fixture = NewFixture();

        await Assert.ThrowsAsync<InvalidOperationException>(() => PairingPipeline.RunAsync(fixture.Request(), new SelfAsNeighbourEngine()));

        Assert.False(Directory.Exists(fixture.Output));
        Assert.Empty(fixture.Temp.Leftovers());
    }

    [Fact]
    public async Task RunAsync_WhenApproximateIsUnavailableOrGetsAnUnknownOption_FailsBeforeCreatingOutput()
    {
        using var fixture = NewFixture();

        try
        {
            await PairingPipeline.RunAsync(fixture.Request() with { Engine = "approximate", EngineOptions = new Dictionary<string, string> { ["no-such-option"] = "1" } });
        }
        catch (NeighbourSearchUnavailableException)
        {
            Assert.False(Directory.Exists(fixture.Output));
            return;
        }
        catch (ArgumentException)
        {
            // The approximate engine is plugged in and rejected the unknown option, as it should.
            Assert.False(Directory.Exists(fixture.Output));
            return;
        }

        Assert.Fail("An unknown engine option was accepted.");
    }

    private static async Task<List<(int User, int Playlist)>> PairsAsync(string path, string first, string second)
    {
        var a = await ParquetTableReader.ReadInt32Async(path, first);
        var b = await ParquetTableReader.ReadInt32Async(path, second);
        return [.. a.Zip(b)];
    }

    private sealed class SelfAsNeighbourEngine : INeighbourSearch
    {
        public string Name => "broken";

        public NeighbourLists Search(UserLibraries libraries, int k, IProgress<SearchProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            var counts = new int[libraries.Users];
            counts[0] = 1;
            return new NeighbourLists(libraries.Users, k, counts, new int[libraries.Users * k], new float[libraries.Users * k]);
        }
    }
}

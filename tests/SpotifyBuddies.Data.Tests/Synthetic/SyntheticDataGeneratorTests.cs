using System.Security.Cryptography;
using System.Text.Json;
using SpotifyBuddies.Data.Synthetic;

namespace SpotifyBuddies.Data.Tests.Synthetic;

public sealed class SyntheticDataGeneratorTests
{
    private static readonly SynthOptions Small = new() { Users = 60, Playlists = 120, Songs = 1_500, Seed = 7 };

    [Fact]
    public void Generate_WhenOptionsAreTheSame_WritesByteIdenticalFiles()
    {
        using var first = new TempPath();
        using var second = new TempPath();

        SyntheticDataGenerator.Generate(SynthOptions.Preset("tiny"), first.Path);
        SyntheticDataGenerator.Generate(SynthOptions.Preset("tiny"), second.Path);

        var a = HashTree(first.Path);
        var b = HashTree(second.Path);
        Assert.Equal(a.Keys, b.Keys);
        Assert.Equal(a, b);
        Assert.Contains("synth.json", a.Keys);
    }

    [Fact]
    public void Generate_WhenSeedDiffers_WritesDifferentFiles()
    {
        using var first = new TempPath();
        using var second = new TempPath();

        SyntheticDataGenerator.Generate(Small, first.Path);
        SyntheticDataGenerator.Generate(Small with { Seed = 8 }, second.Path);

        var a = HashTree(first.Path);
        var b = HashTree(second.Path);
        Assert.Equal(a.Keys, b.Keys);
        Assert.All(a.Keys.Where(k => k != "truth/genres.tsv"), file => Assert.NotEqual(a[file], b[file]));
    }

    [Fact]
    public void Generate_Always_ReturnsPathsAndCountsThatMatchTheFiles()
    {
        using var dir = new TempPath();

        var result = SyntheticDataGenerator.Generate(Small, dir.Path);

        Assert.Equal(Path.GetFullPath(dir.Path), result.Root);
        Assert.All(result.MpdSlices, slice => Assert.True(File.Exists(slice), slice));
        Assert.Equal(File.ReadLines(result.TasteTriplets).LongCount(), result.TripletRows);
        Assert.Equal(File.ReadLines(result.UniqueTracks).Count(), ParsedSyntheticDataset.ParseCsv(File.ReadAllText(result.SongDataCsv)).Count - 1);
        var tracks = result.MpdSlices.Sum(slice =>
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(slice));
            return document.RootElement.GetProperty("playlists").EnumerateArray().Sum(p => (long)p.GetProperty("tracks").GetArrayLength());
        });
        Assert.Equal(tracks, result.PlaylistTracks);
        Assert.Equal((Small.Users, Small.Playlists, Small.Songs), (result.Users, result.Playlists, result.Songs));
    }

    [Fact]
    public void Generate_Always_RecordsEveryFileWithItsHashInTheManifest()
    {
        using var dir = new TempPath();

        var result = SyntheticDataGenerator.Generate(Small, dir.Path);

        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(result.Root, "synth.json")));
        var root = manifest.RootElement;
        Assert.Equal(SyntheticDataGenerator.FormatVersion, root.GetProperty("formatVersion").GetInt32());
        Assert.Equal(Small.Seed, root.GetProperty("seed").GetUInt64());
        Assert.Equal(Small.Users, root.GetProperty("options").GetProperty("users").GetInt32());
        Assert.Equal(result.TripletRows, root.GetProperty("counts").GetProperty("tripletRows").GetInt64());
        var listed = root.GetProperty("files").EnumerateArray().ToDictionary(
            f => f.GetProperty("path").GetString()!,
            f => (Bytes: f.GetProperty("bytes").GetInt64(), Sha: f.GetProperty("sha256").GetString()!));
        var onDisk = HashTree(result.Root);
        onDisk.Remove("synth.json");
        Assert.Equal(onDisk.Keys.Order(StringComparer.Ordinal), listed.Keys.Order(StringComparer.Ordinal));
        Assert.All(listed, file =>
        {
            Assert.Equal(onDisk[file.Key], file.Value.Sha);
            Assert.Equal(new FileInfo(Path.Combine(result.Root, file.Key)).Length, file.Value.Bytes);
        });
    }

    [Fact]
    public void Generate_WhenPlaylistsAreNotAMultipleOf1000_NamesTheShortLastSliceLikeTheMpd()
    {
        using var dir = new TempPath();

        var result = SyntheticDataGenerator.Generate(Small with { Playlists = 1_500 }, dir.Path);

        Assert.Equal(["mpd.slice.0-999.json", "mpd.slice.1000-1999.json"], result.MpdSlices.Select(Path.GetFileName));
        using var last = JsonDocument.Parse(File.ReadAllBytes(result.MpdSlices[1]));
        Assert.Equal("1000-1999", last.RootElement.GetProperty("info").GetProperty("slice").GetString());
        var pids = last.RootElement.GetProperty("playlists").EnumerateArray().Select(p => p.GetProperty("pid").GetInt32());
        Assert.Equal(Enumerable.Range(1_000, 500), pids);
    }

    [Fact]
    public void Generate_WhenOutDirIsNotEmpty_ThrowsAndLeavesItAlone()
    {
        using var dir = new TempPath();
        Directory.CreateDirectory(dir.Path);
        File.WriteAllText(Path.Combine(dir.Path, "keep.txt"), "mine");

        Assert.Throws<IOException>(() => SyntheticDataGenerator.Generate(Small, dir.Path));

        Assert.Equal(["keep.txt"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
        Assert.Empty(StagingSiblings(dir.Path));
    }

    [Fact]
    public void Generate_WhenOutDirIsEmpty_WritesIntoIt()
    {
        using var dir = new TempPath();
        Directory.CreateDirectory(dir.Path);

        var result = SyntheticDataGenerator.Generate(Small, dir.Path);

        Assert.True(File.Exists(result.TasteTriplets));
    }

    [Fact]
    public void Generate_WhenOverwriteIsSet_ReplacesTheOldContents()
    {
        using var dir = new TempPath();
        Directory.CreateDirectory(dir.Path);
        File.WriteAllText(Path.Combine(dir.Path, "stale.txt"), "old");

        SyntheticDataGenerator.Generate(Small, dir.Path, overwrite: true);

        Assert.False(File.Exists(Path.Combine(dir.Path, "stale.txt")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "synth.json")));
        Assert.Empty(StagingSiblings(dir.Path));
    }

    [Fact]
    public void Generate_WhenOutDirIsAFile_ThrowsIOException()
    {
        using var dir = new TempPath();
        Directory.CreateDirectory(dir.Path);
        var file = Path.Combine(dir.Path, "dataset");
        File.WriteAllText(file, "not a directory");

        Assert.Throws<IOException>(() => SyntheticDataGenerator.Generate(Small, file, overwrite: true));
    }

    [Fact]
    public void Generate_WhenCancelledMidway_LeavesNoDatasetAndNoStagingDirectory()
    {
        using var dir = new TempPath();
        using var cancellation = new CancellationTokenSource();
        var progress = new SynchronousProgress(p =>
        {
            if (p.Phase == "entp")
            {
                cancellation.Cancel();
            }
        });

        Assert.ThrowsAny<OperationCanceledException>(() =>
            SyntheticDataGenerator.Generate(Small, dir.Path, progress: progress, cancellationToken: cancellation.Token));

        Assert.False(Directory.Exists(dir.Path));
        Assert.Empty(StagingSiblings(dir.Path));
    }

    [Fact]
    public void Generate_Always_ReportsEachPhaseThroughToItsTotal()
    {
        using var dir = new TempPath();
        var reports = new List<SynthPhaseProgress>();

        SyntheticDataGenerator.Generate(Small, dir.Path, progress: new SynchronousProgress(p =>
        {
            lock (reports)
            {
                reports.Add(p);
            }
        }));

        Assert.Equal(["catalogue", "msd", "entp", "mpd", "manifest"], reports.Select(r => r.Phase).Distinct());
        Assert.Contains(new SynthPhaseProgress("entp", Small.Users, Small.Users), reports);
        Assert.Contains(new SynthPhaseProgress("mpd", Small.Playlists, Small.Playlists), reports);
    }

    [Fact]
    public void Generate_WhenOptionsAreInvalid_ThrowsArgumentExceptionListingEveryProblem()
    {
        using var dir = new TempPath();

        var error = Assert.Throws<ArgumentException>(() =>
            SyntheticDataGenerator.Generate(new SynthOptions { Users = 0, Playlists = -1, Songs = 10 }, dir.Path));

        Assert.Contains("Users", error.Message, StringComparison.Ordinal);
        Assert.Contains("Playlists", error.Message, StringComparison.Ordinal);
        Assert.Contains("Songs", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Path));
    }

    [Fact]
    public void GeneratedOn_WhenSeedIsTheSame_IsTheSameAndOtherwiseDiffers()
    {
        Assert.Equal(SyntheticDataGenerator.GeneratedOn(42), SyntheticDataGenerator.GeneratedOn(42));
        Assert.NotEqual(SyntheticDataGenerator.GeneratedOn(42), SyntheticDataGenerator.GeneratedOn(43));
        Assert.StartsWith("2017-12-0", SyntheticDataGenerator.GeneratedOn(42), StringComparison.Ordinal);
    }

    private static Dictionary<string, string> HashTree(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories).ToDictionary(
            path => Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/'),
            path => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))),
            StringComparer.Ordinal);

    private static IEnumerable<string> StagingSiblings(string path) =>
        Directory.GetFileSystemEntries(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.synth-*")
            .Concat(Directory.GetFileSystemEntries(Path.GetDirectoryName(Path.GetFullPath(path))!, $"{Path.GetFileName(path)}.synth-old-*"));

    /// <summary>Reports on the calling thread (unlike <see cref="Progress{T}"/>, which posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<SynthPhaseProgress> report) : IProgress<SynthPhaseProgress>
    {
        public void Report(SynthPhaseProgress value) => report(value);
    }
}

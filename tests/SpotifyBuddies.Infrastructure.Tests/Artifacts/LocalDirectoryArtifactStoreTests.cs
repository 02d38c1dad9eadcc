using SpotifyBuddies.Core.Artifacts;
using SpotifyBuddies.Infrastructure.Artifacts;
using SpotifyBuddies.Infrastructure.Tests.Artifacts.Testing;

namespace SpotifyBuddies.Infrastructure.Tests.Artifacts;

/// <summary>The shared behaviour (<see cref="ArtifactStoreBehaviour"/>) plus what only a local directory can get wrong.</summary>
public sealed class LocalDirectoryArtifactStoreTests : ArtifactStoreBehaviour
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"sb-store-{Guid.NewGuid():N}", "artifacts");

    private LocalDirectoryArtifactStore Local => (LocalDirectoryArtifactStore)Store;

    protected override Task<IArtifactStore> CreateStoreAsync() => Task.FromResult<IArtifactStore>(new LocalDirectoryArtifactStore(_root));

    protected override async Task CorruptAsync(string key)
    {
        // Flip bytes in place, as a bad disk would: same file, same length, checksum sidecar untouched.
        await using var file = new FileStream(ObjectFile(key), FileMode.Open, FileAccess.ReadWrite);
        file.Position = file.Length / 2;
        var original = file.ReadByte();
        file.Position = file.Length / 2;
        file.WriteByte((byte)(original ^ 0xFF));
    }

    protected override Task DisposeStoresAsync()
    {
        var parent = Path.GetDirectoryName(_root)!;
        if (Directory.Exists(parent))
        {
            Directory.Delete(parent, recursive: true);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public void Location_IsTheFileUriOfTheAbsoluteRoot()
    {
        Assert.Equal(new Uri(_root).AbsoluteUri, Store.Location);
        Assert.StartsWith("file:///", Store.Location, StringComparison.Ordinal);
        Assert.Equal(_root, Local.RootDirectory);
    }

    [Fact]
    public async Task PutAsync_StoresTheKeyAsAPlainFileUnderTheRoot_AndTheChecksumOutsideTheListedTree()
    {
        var content = TestContent.Bytes(1, 3000);

        await Store.PutAsync("models/m/1/model.json", new MemoryStream(content), content.Length);

        Assert.Equal(content, await File.ReadAllBytesAsync(ObjectFile("models/m/1/model.json")));
        var sidecar = Path.Combine(_root, LocalDirectoryArtifactStore.SidecarDirectoryName, "models", "m", "1", "model.json" + LocalDirectoryArtifactStore.SidecarSuffix);
        Assert.Equal($"{TestContent.Sha256(content)} 3000\n", await File.ReadAllTextAsync(sidecar));
        Assert.Equal(["models/m/1/model.json"], (await ListAsync(string.Empty)).Select(i => i.Key));
        Assert.Empty(Directory.EnumerateFiles(_root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task PutAsync_WhenTheSourceFailsMidway_LeavesNoTempFileAndTheOldObjectVerifiable()
    {
        var old = TestContent.Bytes(2, 40_000);
        await Store.PutAsync("datasets/d/1/data.bin", new MemoryStream(old), old.Length);

        await Assert.ThrowsAsync<IOException>(
            () => Store.PutAsync("datasets/d/1/data.bin", new FailingStream(TestContent.Bytes(3, 40_000), failAfter: 30_000), null));

        await AssertStoredAsync("datasets/d/1/data.bin", old);
        Assert.Equal(["data.bin"], Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(ObjectFile("datasets/d/1/data.bin"))!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task PutAsync_WhenCancelledWhileWriting_KeepsTheOldObject()
    {
        var old = TestContent.Bytes(4, 1000);
        await Store.PutAsync("runs/r/metrics.json", new MemoryStream(old), old.Length);
        using var cancel = new CancellationTokenSource();
        var source = new GeneratedStream(10_000_000, (offset, span) =>
        {
            if (offset > 1_000_000)
            {
                cancel.Cancel();
            }

            span.Fill(1);
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.PutAsync("runs/r/metrics.json", source, null, cancel.Token));

        await AssertStoredAsync("runs/r/metrics.json", old);
        Assert.Empty(Directory.EnumerateFiles(_root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task AfterACrashBetweenRecordingTheChecksumAndTheRename_TheOldObjectIsServedAndVerified()
    {
        var old = TestContent.Bytes(5, 5000);
        var next = TestContent.Bytes(6, 5000);
        await Store.PutAsync("checkpoints/f/latest.bin", new MemoryStream(old), old.Length);
        // The state a put leaves when the process dies after step 1 (both candidates recorded), before step 2 (rename).
        var sidecar = SidecarFile("checkpoints/f/latest.bin");
        await File.WriteAllTextAsync(sidecar, $"{TestContent.Sha256(old)} 5000\n{TestContent.Sha256(next)} 5000\n");
        await File.WriteAllBytesAsync(ObjectFile("checkpoints/f/latest.bin") + "~0123456789abcdef0123456789abcdef.tmp", next);

        await AssertStoredAsync("checkpoints/f/latest.bin", old);
        Assert.Equal(["checkpoints/f/latest.bin"], (await ListAsync(string.Empty)).Select(i => i.Key));

        await Store.PutAsync("checkpoints/f/latest.bin", new MemoryStream(next), next.Length);
        await AssertStoredAsync("checkpoints/f/latest.bin", next);
        Assert.Equal($"{TestContent.Sha256(next)} 5000\n", await File.ReadAllTextAsync(sidecar));
    }

    [Fact]
    public async Task AfterACrashBetweenTheRenameAndTheFinalChecksum_TheNewObjectIsServedAndVerified()
    {
        var old = TestContent.Bytes(7, 5000);
        var next = TestContent.Bytes(8, 5000);
        await Store.PutAsync("checkpoints/f/latest.bin", new MemoryStream(old), old.Length);
        // After step 2 (rename), before step 3 (the sidecar keeps both candidates, of equal length).
        await File.WriteAllTextAsync(SidecarFile("checkpoints/f/latest.bin"), $"{TestContent.Sha256(old)} 5000\n{TestContent.Sha256(next)} 5000\n");
        await File.WriteAllBytesAsync(ObjectFile("checkpoints/f/latest.bin"), next);

        await AssertStoredAsync("checkpoints/f/latest.bin", next);
    }

    [Fact]
    public async Task AnObjectAndAFolderOfTheSameName_CannotBothBeStored_AndTheErrorSaysWhy()
    {
        await Store.PutAsync("runs/r/a", new MemoryStream([1]), 1);
        await Store.PutAsync("runs/s/b/c", new MemoryStream([2]), 1);

        var underObject = await Assert.ThrowsAsync<IOException>(() => Store.PutAsync("runs/r/a/b", new MemoryStream([3]), 1));
        var overFolder = await Assert.ThrowsAsync<IOException>(() => Store.PutAsync("runs/s/b", new MemoryStream([4]), 1));

        Assert.Contains("'runs/r/a' is an object", underObject.Message, StringComparison.Ordinal);
        Assert.Contains("objects under 'runs/s/b/' exist", overFolder.Message, StringComparison.Ordinal);
        Assert.Equal(["runs/r/a", "runs/s/b/c"], (await ListAsync(string.Empty)).Select(i => i.Key));
    }

    [Fact]
    public async Task SymbolicLinksBelowTheRoot_AreNeverFollowed_SoNoKeyReachesOutside()
    {
        var outside = Path.Combine(Scratch, "outside");
        Directory.CreateDirectory(outside);
        await File.WriteAllTextAsync(Path.Combine(outside, "secret.txt"), "secret");
        Directory.CreateDirectory(Path.Combine(_root, "runs"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "runs", "escape"), outside);
        File.CreateSymbolicLink(Path.Combine(_root, "runs", "secret.txt"), Path.Combine(outside, "secret.txt"));

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Store.PutAsync("runs/escape/planted.txt", new MemoryStream([1]), 1));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Store.OpenReadAsync("runs/escape/secret.txt"));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Store.OpenReadAsync("runs/secret.txt"));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Store.DeleteAsync("runs/escape/secret.txt"));
        var error = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Store.PutAsync("runs/secret.txt", new MemoryStream([1]), 1));

        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        Assert.Empty(await ListAsync(string.Empty));
        Assert.Equal(["secret.txt"], Directory.EnumerateFileSystemEntries(outside).Select(Path.GetFileName));
        Assert.Equal("secret", await File.ReadAllTextAsync(Path.Combine(outside, "secret.txt")));
    }

    [Fact]
    public async Task AFilePlacedUnderTheRootByHand_IsListedWithoutAChecksum_AndDownloadedUnverified()
    {
        Directory.CreateDirectory(Path.Combine(_root, "datasets", "d", "1"));
        await File.WriteAllBytesAsync(ObjectFile("datasets/d/1/by-hand.csv"), [1, 2, 3]);
        await File.WriteAllBytesAsync(Path.Combine(_root, "datasets", "d", "1", "not a key.csv"), [4]);

        var stat = await Store.StatAsync("datasets/d/1/by-hand.csv");
        var local = Path.Combine(Scratch, "by-hand.csv");
        await Store.GetFileAsync("datasets/d/1/by-hand.csv", local);

        Assert.Equal(3, stat?.Length);
        Assert.Null(stat?.Sha256);
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(local));
        Assert.Equal(["datasets/d/1/by-hand.csv"], (await ListAsync(string.Empty)).Select(i => i.Key));
    }

    [Fact]
    public async Task Reads_OnARootThatDoesNotExistYet_FindNothingAndCreateNothing()
    {
        Assert.Null(await Store.StatAsync("models/m/1/model.json"));
        Assert.Empty(await ListAsync(string.Empty));
        Assert.Empty(await ListAsync("models/m/"));
        await Store.DeleteAsync("models/m/1/model.json");
        await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Store.GetFileAsync("models/m/1/model.json", Path.Combine(Scratch, "x")));

        Assert.False(Directory.Exists(_root));
    }

    [Fact]
    public async Task TwoStoresOnOneRoot_SeeEachOthersObjects()
    {
        var other = new LocalDirectoryArtifactStore(_root + Path.DirectorySeparatorChar);
        var content = TestContent.Bytes(9, 100);

        await other.PutAsync("runs/r/shared.bin", new MemoryStream(content), content.Length);

        Assert.Equal(other.Location, Store.Location);
        await AssertStoredAsync("runs/r/shared.bin", content);
    }

    /// <remarks>
    /// Local only: here atomicity is this store's own work (temp file + rename, sidecar under a lock). On S3 it is the
    /// server's, and s3rver lacks it (it writes an object's bytes and metadata as two files), so the same test against
    /// it would test s3rver.
    /// </remarks>
    [Fact]
    public async Task ConcurrentPutsAndGets_OfOneKey_AlwaysSeeACompleteVerifiedVersion()
    {
        var versions = Enumerable.Range(0, 6).Select(i => TestContent.Bytes(100 + i, 64 * 1024 + i)).ToArray();
        var hashes = versions.Select(v => TestContent.Sha256(v)).ToHashSet(StringComparer.Ordinal);
        await Store.PutAsync("checkpoints/c/latest.bin", new MemoryStream(versions[0]), versions[0].Length);

        var writers = Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 6; i++)
            {
                var version = versions[(w + i) % versions.Length];
                await Store.PutAsync("checkpoints/c/latest.bin", new MemoryStream(version), version.Length);
            }
        }));
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(async () =>
        {
            for (var i = 0; i < 8; i++)
            {
                var local = Path.Combine(Scratch, $"reader-{r}-{i}.bin");
                await Store.GetFileAsync("checkpoints/c/latest.bin", local); // throws on a checksum mismatch
                Assert.Contains(TestContent.Sha256(await File.ReadAllBytesAsync(local)), hashes);
                Assert.Contains((await Store.StatAsync("checkpoints/c/latest.bin"))?.Sha256 ?? "none", hashes);
            }
        }));
        await Task.WhenAll(writers.Concat(readers));

        var final = await Store.StatAsync("checkpoints/c/latest.bin");
        await using var stream = await Store.OpenReadAsync("checkpoints/c/latest.bin");
        Assert.Equal(final?.Sha256, await TestContent.Sha256Async(stream));
    }

    private string ObjectFile(string key) => Path.Combine([_root, .. key.Split('/')]);

    private string SidecarFile(string key) =>
        Path.Combine([_root, LocalDirectoryArtifactStore.SidecarDirectoryName, .. key.Split('/')]) + LocalDirectoryArtifactStore.SidecarSuffix;
}

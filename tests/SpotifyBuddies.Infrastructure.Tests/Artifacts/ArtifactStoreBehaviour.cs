using SpotifyBuddies.Core.Artifacts;
using SpotifyBuddies.Infrastructure.Tests.Artifacts.Testing;

namespace SpotifyBuddies.Infrastructure.Tests.Artifacts;

/// <summary>
/// What every <see cref="IArtifactStore"/> must do, run against each store by a concrete subclass. Each test gets a
/// fresh, empty store and a scratch directory for local files.
/// </summary>
public abstract class ArtifactStoreBehaviour : IAsyncLifetime
{
    /// <summary>Uses every character a key segment may contain besides letters and digits.</summary>
    protected const string OddKey = "runs/r-1/a=b+c@d,e_f.g";

    private IArtifactStore? _store;

    protected ArtifactStoreBehaviour()
    {
        Scratch = Path.Combine(Path.GetTempPath(), $"sb-artifacts-{Guid.NewGuid():N}");
    }

    protected IArtifactStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>A directory of this test's own (deleted afterwards), for local files.</summary>
    protected string Scratch { get; }

    /// <summary>A new, empty store.</summary>
    protected abstract Task<IArtifactStore> CreateStoreAsync();

    /// <summary>Changes the stored bytes of <paramref name="key"/> (same length) without updating the recorded checksum.</summary>
    protected abstract Task CorruptAsync(string key);

    /// <summary>Releases what <see cref="CreateStoreAsync"/> made.</summary>
    protected abstract Task DisposeStoresAsync();

    public async Task InitializeAsync()
    {
        // The store first: xunit does not call DisposeAsync when this fails, so nothing may be left to clean up.
        _store = await CreateStoreAsync();
        Directory.CreateDirectory(Scratch);
    }

    public async Task DisposeAsync()
    {
        try
        {
            await DisposeStoresAsync();
        }
        finally
        {
            if (Directory.Exists(Scratch))
            {
                Directory.Delete(Scratch, recursive: true);
            }
        }
    }

    [StoreFact]
    public async Task PutAsync_WithKnownLength_ThenOpenReadAsync_ReturnsTheSameBytes()
    {
        var content = TestContent.Bytes(1, 100_000);

        await Store.PutAsync(OddKey, new MemoryStream(content), content.Length);

        await using var read = await Store.OpenReadAsync(OddKey);
        Assert.Equal(content, await TestContent.ReadAllAsync(read));
    }

    [StoreFact]
    public async Task PutAsync_WithUnknownLengthFromNonSeekableStream_StoresEveryByte()
    {
        var content = TestContent.Bytes(2, 300_001);

        var info = await Store.PutAsync("datasets/d/1/part-0.bin", new NonSeekableStream(content), length: null);

        Assert.Equal(content.Length, info.Length);
        await using var read = await Store.OpenReadAsync("datasets/d/1/part-0.bin");
        Assert.Equal(content, await TestContent.ReadAllAsync(read));
    }

    [StoreFact]
    public async Task PutAsync_FromSeekableStreamNotAtStart_StoresFromTheCurrentPosition()
    {
        var content = TestContent.Bytes(3, 5000);
        var stream = new MemoryStream(content) { Position = 1000 };

        var info = await Store.PutAsync("models/m/1/tail.bin", stream, length: null);

        Assert.Equal(4000, info.Length);
        Assert.Equal(TestContent.Sha256(content.AsSpan(1000)), info.Sha256);
        Assert.Equal(content[1000..], await Store.ReadRangeAsync("models/m/1/tail.bin", 0, 10_000));
    }

    [StoreFact]
    public async Task PutAsync_ReturnsWhatStatAsyncReports_WithTheContentSha256()
    {
        var content = TestContent.Bytes(4, 12_345);
        var before = DateTimeOffset.UtcNow;

        var put = await Store.PutAsync("models/m/2/weights.safetensors", new MemoryStream(content), content.Length);
        var stat = await Store.StatAsync("models/m/2/weights.safetensors");

        Assert.NotNull(stat);
        Assert.Equal("models/m/2/weights.safetensors", stat.Key);
        Assert.Equal(content.Length, stat.Length);
        Assert.Equal(TestContent.Sha256(content), stat.Sha256);
        Assert.Equal(stat, put);
        // Catches a time-zone mix-up (hours off), not speed: S3 keeps whole seconds, so allow a generous window.
        Assert.InRange(stat.LastModified, before.AddMinutes(-10), DateTimeOffset.UtcNow.AddMinutes(10));
        Assert.Equal(TimeSpan.Zero, stat.LastModified.Offset);
    }

    [StoreFact]
    public async Task PutAsync_OfEmptyContent_StoresAnEmptyObject()
    {
        var info = await Store.PutAsync("runs/r/empty.txt", new MemoryStream(), 0);

        Assert.Equal(0, info.Length);
        Assert.Equal(TestContent.Sha256([]), info.Sha256);
        Assert.Empty(await Store.ReadRangeAsync("runs/r/empty.txt", 0, 10));
        var local = Path.Combine(Scratch, "empty.txt");
        await Store.GetFileAsync("runs/r/empty.txt", local);
        Assert.Empty(await File.ReadAllBytesAsync(local));
    }

    [StoreFact]
    public async Task PutAsync_OverAnExistingKey_ReplacesContentAndChecksum()
    {
        var first = TestContent.Bytes(5, 4000);
        var second = TestContent.Bytes(6, 3000);
        await Store.PutAsync("checkpoints/f/epoch.bin", new MemoryStream(first), first.Length);

        await Store.PutAsync("checkpoints/f/epoch.bin", new MemoryStream(second), second.Length);

        await using (var read = await Store.OpenReadAsync("checkpoints/f/epoch.bin"))
        {
            Assert.Equal(second, await TestContent.ReadAllAsync(read));
        }

        var stat = await Store.StatAsync("checkpoints/f/epoch.bin");
        Assert.Equal(TestContent.Sha256(second), stat?.Sha256);
        Assert.Equal(second.Length, stat?.Length);
        Assert.Single(await ListAsync("checkpoints/"));
    }

    [StoreFact]
    public async Task PutAsync_WhenTheGivenLengthIsWrong_FailsAndKeepsThePreviousObject()
    {
        var old = TestContent.Bytes(7, 1000);
        var next = TestContent.Bytes(8, 1000);
        await Store.PutAsync("models/m/3/model.json", new MemoryStream(old), old.Length);

        var error = await Assert.ThrowsAsync<InvalidDataException>(
            () => Store.PutAsync("models/m/3/model.json", new NonSeekableStream(next), next.Length + 1));

        Assert.Contains("1000 bytes", error.Message, StringComparison.Ordinal);
        await AssertStoredAsync("models/m/3/model.json", old);
    }

    [StoreFact]
    public async Task PutAsync_WhenTheSourceFailsMidway_KeepsThePreviousObject()
    {
        var old = TestContent.Bytes(9, 50_000);
        var next = TestContent.Bytes(10, 50_000);
        await Store.PutAsync("datasets/d/2/data.bin", new MemoryStream(old), old.Length);

        await Assert.ThrowsAsync<IOException>(
            () => Store.PutAsync("datasets/d/2/data.bin", new FailingStream(next, failAfter: 20_000), length: null));

        await AssertStoredAsync("datasets/d/2/data.bin", old);
        Assert.Single(await ListAsync("datasets/"));
    }

    [StoreFact]
    public async Task PutFileAsync_ThenGetFileAsync_RoundTripsAFile_IntoANewFolderAndOverAnExistingFile()
    {
        var content = TestContent.Bytes(11, 70_000);
        var source = Path.Combine(Scratch, "source.bin");
        await File.WriteAllBytesAsync(source, content);

        var info = await Store.PutFileAsync("models/m/4/weights.bin", source);
        var fresh = Path.Combine(Scratch, "new", "folder", "weights.bin");
        await Store.GetFileAsync("models/m/4/weights.bin", fresh);
        var existing = Path.Combine(Scratch, "existing.bin");
        await File.WriteAllTextAsync(existing, "previous content");
        await Store.GetFileAsync("models/m/4/weights.bin", existing);

        Assert.Equal(TestContent.Sha256(content), info.Sha256);
        Assert.Equal(content, await File.ReadAllBytesAsync(fresh));
        Assert.Equal(content, await File.ReadAllBytesAsync(existing));
        Assert.Equal(["existing.bin", "new", "source.bin"], Directory.EnumerateFileSystemEntries(Scratch).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [StoreFact]
    public async Task StatAsync_WhenTheKeyIsMissing_ReturnsNull()
    {
        await Store.PutAsync("runs/r/a.txt", new MemoryStream([1]), 1);

        Assert.Null(await Store.StatAsync("runs/r/b.txt"));
        Assert.Null(await Store.StatAsync("runs/r"));
        Assert.Null(await Store.StatAsync("nothing/here"));
    }

    [StoreFact]
    public async Task Reads_WhenTheKeyIsMissing_ThrowArtifactNotFoundExceptionNamingTheKey()
    {
        await Store.PutAsync("runs/r/a.txt", new MemoryStream([1]), 1);
        var destination = Path.Combine(Scratch, "never.bin");

        var open = await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Store.OpenReadAsync("runs/r/missing.txt"));
        var range = await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Store.ReadRangeAsync("runs/r/missing.txt", 0, 10));
        var empty = await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Store.ReadRangeAsync("runs/r/missing.txt", 0, 0));
        var get = await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Store.GetFileAsync("runs/r/missing.txt", destination));
        var folder = await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Store.OpenReadAsync("runs/r"));

        Assert.All([open, range, empty, get], e => Assert.Equal("runs/r/missing.txt", e.Key));
        Assert.Equal("runs/r", folder.Key);
        Assert.Contains(Store.Location, open.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(destination));
    }

    [StoreFact]
    public async Task ListAsync_ReturnsObjectsWhoseKeyStartsWithThePrefix_InOrdinalOrder()
    {
        // '+' < '-' < '.' < '/' in ordinal order; '+' also catches a listing that decodes it as a space.
        string[] keys = ["a/bb", "a/b/c", "ab/x", "a/B", "a/b.txt", "a/b-c", "b/z", "a/b/d/e", "a/b+c", OddKey];
        foreach (var key in keys)
        {
            await Store.PutAsync(key, new MemoryStream([(byte)key.Length]), 1);
        }

        Assert.Equal(keys.Order(StringComparer.Ordinal), (await ListAsync(string.Empty)).Select(i => i.Key));
        Assert.Equal(["a/b+c", "a/b-c", "a/b.txt", "a/b/c", "a/b/d/e", "a/bb"], (await ListAsync("a/b")).Select(i => i.Key));
        Assert.Equal(["a/b/c", "a/b/d/e"], (await ListAsync("a/b/")).Select(i => i.Key));
        Assert.Equal(["a/B", "a/b+c", "a/b-c", "a/b.txt", "a/b/c", "a/b/d/e", "a/bb"], (await ListAsync("a/")).Select(i => i.Key));
        Assert.Equal([OddKey], (await ListAsync("runs/r-1/a=b+")).Select(i => i.Key));
        Assert.Equal(["a/b/d/e"], (await ListAsync("a/b/d/e")).Select(i => i.Key));
        Assert.Empty(await ListAsync("c/"));
        Assert.Empty(await ListAsync("a/b/d/e/"));
    }

    [StoreFact]
    public async Task ListAsync_ReportsLengthAndSha256OfEachObject()
    {
        var one = TestContent.Bytes(12, 10);
        var two = TestContent.Bytes(13, 20);
        await Store.PutAsync("runs/r/one", new MemoryStream(one), one.Length);
        await Store.PutAsync("runs/r/two", new NonSeekableStream(two), null);

        var listed = await ListAsync("runs/");

        Assert.Equal([("runs/r/one", 10L, TestContent.Sha256(one)), ("runs/r/two", 20L, TestContent.Sha256(two))],
            listed.Select(i => (i.Key, i.Length, i.Sha256)));
        Assert.Equal(await Store.StatAsync("runs/r/one"), listed[0]);
    }

    [StoreFact]
    public async Task DeleteAsync_RemovesTheObject_AndIsIdempotent()
    {
        await Store.PutAsync("runs/r/a.txt", new MemoryStream([1, 2]), 2);
        await Store.PutAsync("runs/r/b.txt", new MemoryStream([3]), 1);

        await Store.DeleteAsync("runs/r/a.txt");
        await Store.DeleteAsync("runs/r/a.txt");
        await Store.DeleteAsync("runs/never/there.txt");

        Assert.Null(await Store.StatAsync("runs/r/a.txt"));
        await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Store.OpenReadAsync("runs/r/a.txt"));
        Assert.Equal(["runs/r/b.txt"], (await ListAsync(string.Empty)).Select(i => i.Key));
    }

    [StoreFact]
    public async Task DeleteAsync_ThenPutAsync_StoresTheKeyAgain()
    {
        await Store.PutAsync("runs/r/a.txt", new MemoryStream([1, 2]), 2);
        await Store.DeleteAsync("runs/r/a.txt");

        await Store.PutAsync("runs/r/a.txt", new MemoryStream([7]), 1);

        await AssertStoredAsync("runs/r/a.txt", [7]);
    }

    private static readonly string[] InvalidKeys =
    [
        "../outside", "a/../../outside", "/etc/passwd", "a//b", "a/./b", "a/b/", "a\\..\\b", "", "a b", "a~b", "a/\0", "ä",
    ];

    [StoreFact]
    public async Task EveryOperation_RejectsInvalidKeys_WithArgumentException()
    {
        var local = Path.Combine(Scratch, "file.bin");
        await File.WriteAllBytesAsync(local, [1]);
        foreach (var key in InvalidKeys)
        {
            await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.PutAsync(key, new MemoryStream([1]), 1));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.PutFileAsync(key, local));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.OpenReadAsync(key));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.ReadRangeAsync(key, 0, 1));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GetFileAsync(key, Path.Combine(Scratch, "out.bin")));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.StatAsync(key));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.DeleteAsync(key));
        }

        await Assert.ThrowsAnyAsync<ArgumentException>(() => ListAsync("../"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => ListAsync("/a"));
        Assert.Empty(await ListAsync(string.Empty));
        Assert.False(File.Exists(Path.Combine(Scratch, "out.bin")));
    }

    [StoreFact]
    public async Task ReadRangeAsync_ReturnsTheRequestedBytes_AndFewerAtTheEnd()
    {
        var content = TestContent.Bytes(14, 1000);
        await Store.PutAsync(OddKey, new MemoryStream(content), content.Length);

        Assert.Equal(content[10..20], await Store.ReadRangeAsync(OddKey, 10, 10));
        Assert.Equal(content[..1], await Store.ReadRangeAsync(OddKey, 0, 1));
        Assert.Equal(content[990..], await Store.ReadRangeAsync(OddKey, 990, 100));
        Assert.Equal(content, await Store.ReadRangeAsync(OddKey, 0, 1000));
        Assert.Equal(content[999..], await Store.ReadRangeAsync(OddKey, 999, int.MaxValue));
        Assert.Empty(await Store.ReadRangeAsync(OddKey, 1000, 10));
        Assert.Empty(await Store.ReadRangeAsync(OddKey, 5000, 10));
        Assert.Empty(await Store.ReadRangeAsync(OddKey, 10, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ReadRangeAsync(OddKey, -1, 10));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ReadRangeAsync(OddKey, 0, -1));
    }

    [StoreFact]
    public async Task GetFileAsync_WhenTheStoredBytesAreCorrupt_ThrowsAndLeavesTheDestinationUntouched()
    {
        var content = TestContent.Bytes(15, 20_000);
        await Store.PutAsync("models/m/5/weights.bin", new MemoryStream(content), content.Length);
        await CorruptAsync("models/m/5/weights.bin");
        var destination = Path.Combine(Scratch, "weights.bin");
        await File.WriteAllTextAsync(destination, "previous download");

        var error = await Assert.ThrowsAsync<ArtifactChecksumException>(() => Store.GetFileAsync("models/m/5/weights.bin", destination));

        Assert.Contains(TestContent.Sha256(content), error.Message, StringComparison.Ordinal);
        Assert.Contains("models/m/5/weights.bin", error.Message, StringComparison.Ordinal);
        Assert.Equal("previous download", await File.ReadAllTextAsync(destination));
        Assert.Equal(["weights.bin"], Directory.EnumerateFileSystemEntries(Scratch).Select(Path.GetFileName));
    }

    protected async Task<List<ArtifactInfo>> ListAsync(string prefix)
    {
        var items = new List<ArtifactInfo>();
        await foreach (var item in Store.ListAsync(prefix))
        {
            items.Add(item);
        }

        return items;
    }

    /// <summary>Asserts the object's bytes, recorded checksum and verified download are all <paramref name="expected"/>.</summary>
    protected async Task AssertStoredAsync(string key, byte[] expected)
    {
        await using (var read = await Store.OpenReadAsync(key))
        {
            Assert.Equal(expected, await TestContent.ReadAllAsync(read));
        }

        var stat = await Store.StatAsync(key);
        Assert.Equal(expected.Length, stat?.Length);
        Assert.Equal(TestContent.Sha256(expected), stat?.Sha256);
        var local = Path.Combine(Scratch, $"verify-{Guid.NewGuid():N}.bin");
        await Store.GetFileAsync(key, local);
        Assert.Equal(expected, await File.ReadAllBytesAsync(local));
        File.Delete(local);
    }
}

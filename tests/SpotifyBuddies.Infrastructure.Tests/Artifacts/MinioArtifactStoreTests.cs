using Minio;
using Minio.DataModel.Args;
using SpotifyBuddies.Core.Artifacts;
using SpotifyBuddies.Infrastructure.Artifacts;
using SpotifyBuddies.Infrastructure.Tests.Artifacts.Testing;

namespace SpotifyBuddies.Infrastructure.Tests.Artifacts;

/// <summary>
/// The shared behaviour (<see cref="ArtifactStoreBehaviour"/>) against a real S3-protocol server
/// (<c>SPOTIFYBUDDIES_TEST_S3</c>; s3rver under ./test.sh), plus what only S3 can get wrong. Every test works in
/// fresh buckets of its own, removed afterwards.
/// </summary>
[RequiresS3]
public sealed class MinioArtifactStoreTests : ArtifactStoreBehaviour
{
    private readonly List<MinioArtifactStore> _stores = [];
    private readonly List<string> _buckets = [];
    private IMinioClient? _raw;

    private IMinioClient Raw => _raw ??= TestS3.RawClient();

    private string Bucket => _buckets[0];

    protected override Task<IArtifactStore> CreateStoreAsync() => Task.FromResult<IArtifactStore>(NewStore(NewBucket()));

    protected override async Task CorruptAsync(string key)
    {
        // Replace the bytes (same length) but keep the metadata, so the recorded SHA-256 no longer matches.
        var stat = await Raw.StatObjectAsync(new StatObjectArgs().WithBucket(Bucket).WithObject(key));
        var bytes = new byte[stat.Size];
        Array.Fill(bytes, (byte)0x5A);
        await RawPutAsync(key, bytes, new Dictionary<string, string>(StringComparer.Ordinal) { ["x-amz-meta-sha256"] = stat.MetaData["sha256"] });
    }

    protected override async Task DisposeStoresAsync()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        if (_buckets.Count > 0)
        {
            foreach (var bucket in _buckets)
            {
                await TestS3.DeleteBucketAsync(Raw, bucket);
            }
        }

        _raw?.Dispose();
    }

    [S3Fact]
    public void Location_IsTheBucketUri_WithThePrefixWhenThereIsOne()
    {
        Assert.Equal($"s3://{Bucket}", Store.Location);
        Assert.Equal($"s3://{Bucket}/team-a/prod", NewStore(Bucket, "team-a/prod").Location);
    }

    [S3Fact]
    public async Task FirstUse_CreatesTheBucket_WhenItIsMissing()
    {
        var bucket = NewBucket();
        var store = NewStore(bucket);
        Assert.False(await Raw.BucketExistsAsync(new BucketExistsArgs().WithBucket(bucket)));

        Assert.Null(await store.StatAsync("models/m/1/model.json"));

        Assert.True(await Raw.BucketExistsAsync(new BucketExistsArgs().WithBucket(bucket)));
    }

    [S3Fact]
    public async Task PutAsync_RecordsTheSha256AsUserMetadata()
    {
        var content = TestContent.Bytes(1, 1000);

        await Store.PutAsync("models/m/1/model.json", new MemoryStream(content), content.Length);

        var stat = await Raw.StatObjectAsync(new StatObjectArgs().WithBucket(Bucket).WithObject("models/m/1/model.json"));
        Assert.Equal(TestContent.Sha256(content), stat.MetaData["sha256"]);
    }

    [S3Fact]
    public async Task PutAsync_OfALargeStreamOfUnknownLength_UploadsItWhole_AndTheDownloadVerifies()
    {
        const long Size = 48L * 1024 * 1024 + 12_345; // several multipart parts, and a ragged last one
        string expected;
        await using (var reference = GeneratedStream.PseudoRandom(seed: 7, Size))
        {
            expected = await TestContent.Sha256Async(reference);
        }

        var info = await Store.PutAsync("datasets/big/1/interactions.parquet", GeneratedStream.PseudoRandom(seed: 7, Size), length: null);
        var local = Path.Combine(Scratch, "interactions.parquet");
        await Store.GetFileAsync("datasets/big/1/interactions.parquet", local);

        Assert.Equal((Size, expected), (info.Length, info.Sha256));
        Assert.Equal(info, await Store.StatAsync("datasets/big/1/interactions.parquet"));
        Assert.Equal(Size, new FileInfo(local).Length);
        await using (var downloaded = File.OpenRead(local))
        {
            Assert.Equal(expected, await TestContent.Sha256Async(downloaded));
        }

        // A range across the 16 MiB mark, and the ragged end, read back through presigned GETs.
        var across = await Store.ReadRangeAsync("datasets/big/1/interactions.parquet", 16L * 1024 * 1024 - 100, 200);
        var end = await Store.ReadRangeAsync("datasets/big/1/interactions.parquet", Size - 50, 1000);
        Assert.Equal(Expected(16L * 1024 * 1024 - 100, 200), across);
        Assert.Equal(Expected(Size - 50, 50), end);

        static byte[] Expected(long offset, int count)
        {
            var bytes = new byte[count];
            using var all = GeneratedStream.PseudoRandom(seed: 7, Size);
            var skip = new byte[1 << 20];
            for (var left = offset; left > 0;)
            {
                left -= all.Read(skip, 0, (int)Math.Min(left, skip.Length));
            }

            all.ReadExactly(bytes);
            return bytes;
        }
    }

    [S3Fact]
    public async Task Prefix_PlacesEveryObjectUnderIt_AndKeysComeBackWithoutIt()
    {
        var prefixed = NewStore(Bucket, "team-a/prod");
        await prefixed.PutAsync("models/m/1/model.json", new MemoryStream([1, 2, 3]), 3);
        await Store.PutAsync("models/m/1/model.json", new MemoryStream([9]), 1);

        Assert.Equal(["models/m/1/model.json"], await KeysAsync(prefixed, string.Empty));
        Assert.Equal(["models/m/1/model.json", "team-a/prod/models/m/1/model.json"], await KeysAsync(Store, string.Empty));
        Assert.Equal(3, (await prefixed.StatAsync("models/m/1/model.json"))?.Length);
        Assert.Equal([1, 2, 3], await prefixed.ReadRangeAsync("models/m/1/model.json", 0, 10));
        await prefixed.DeleteAsync("models/m/1/model.json");
        Assert.Equal(["models/m/1/model.json"], await KeysAsync(Store, string.Empty));
    }

    [S3Fact]
    public async Task AnObjectWrittenWithoutTheStore_HasNoChecksum_AndDownloadsUnverified()
    {
        await RawPutAsync("datasets/d/1/by-hand.csv", [1, 2, 3], new Dictionary<string, string>(StringComparer.Ordinal));

        var stat = await Store.StatAsync("datasets/d/1/by-hand.csv");
        var local = Path.Combine(Scratch, "by-hand.csv");
        await Store.GetFileAsync("datasets/d/1/by-hand.csv", local);

        Assert.Equal(3, stat?.Length);
        Assert.Null(stat?.Sha256);
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(local));
    }

    [S3Fact]
    public async Task GetFileAsync_WhenTheRecordedChecksumWasTamperedWith_Throws()
    {
        var content = TestContent.Bytes(2, 500);
        var other = TestContent.Sha256(TestContent.Bytes(3, 500));
        await RawPutAsync("models/m/2/weights.bin", content, new Dictionary<string, string>(StringComparer.Ordinal) { ["x-amz-meta-sha256"] = other });

        var error = await Assert.ThrowsAsync<ArtifactChecksumException>(() => Store.GetFileAsync("models/m/2/weights.bin", Path.Combine(Scratch, "w.bin")));

        Assert.Contains(other, error.Message, StringComparison.Ordinal);
        Assert.Contains(TestContent.Sha256(content), error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Scratch, "w.bin")));
    }

    private string NewBucket()
    {
        var bucket = TestS3.NewBucketName();
        _buckets.Add(bucket);
        return bucket;
    }

    private MinioArtifactStore NewStore(string bucket, string prefix = "")
    {
        var store = new MinioArtifactStore(TestS3.Options(bucket, prefix));
        _stores.Add(store);
        return store;
    }

    private async Task RawPutAsync(string name, byte[] bytes, Dictionary<string, string> headers)
    {
        if (!await Raw.BucketExistsAsync(new BucketExistsArgs().WithBucket(Bucket)))
        {
            await Raw.MakeBucketAsync(new MakeBucketArgs().WithBucket(Bucket));
        }

        await Raw.PutObjectAsync(new PutObjectArgs().WithBucket(Bucket).WithObject(name)
            .WithStreamData(new MemoryStream(bytes)).WithObjectSize(bytes.Length).WithHeaders(headers));
    }

    private static async Task<List<string>> KeysAsync(IArtifactStore store, string prefix)
    {
        var keys = new List<string>();
        await foreach (var item in store.ListAsync(prefix))
        {
            keys.Add(item.Key);
        }

        return keys;
    }
}

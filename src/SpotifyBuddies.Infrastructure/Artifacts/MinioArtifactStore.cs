using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Minio;
using Minio.DataModel.Args;
using Minio.Exceptions;
using SpotifyBuddies.Core.Artifacts;

namespace SpotifyBuddies.Infrastructure.Artifacts;

/// <summary>
/// The Production profile's artifact store: an S3-protocol server (MinIO; s3rver in tests) through the Minio 7.0.0 SDK.
/// Key <c>k</c> is object <c>[Prefix/]k</c> in <see cref="MinioArtifactOptions.Bucket"/>, which is created on first use.
/// </summary>
/// <remarks>
/// <para><b>Puts.</b> One <c>PutObjectAsync</c> per put: the SDK sends content under 5 MiB as a single PUT and larger
/// content as a multipart upload, which S3 makes visible only once complete, so a put is atomic either way. The
/// content's SHA-256 is recorded as user metadata <c>x-amz-meta-sha256</c>. Metadata must travel with the request, so
/// the checksum is computed first: a seekable stream is hashed and rewound; any other stream is spooled while it is
/// hashed (in memory up to 8 MiB, beyond that to a temp file in <see cref="MinioArtifactOptions.SpoolDirectory"/>).
/// The bytes actually uploaded are hashed again; if they differ (the source changed in between) the object is removed
/// and the put fails.</para>
/// <para><b>Reads.</b> <see cref="OpenReadAsync"/>, <see cref="ReadRangeAsync"/> and <see cref="GetFileAsync"/> GET a
/// presigned URL with <see cref="HttpClient"/>. The SDK's ranged GET is broken in 7.0.0 (minio/minio-dotnet#1342,
/// fixed after the release by #1343): its <c>GetObjectAsync</c> first sends a HEAD carrying the same <c>Range</c>
/// header and turns the 206 answer into a <see cref="PartialContentException"/>, against real MinIO too. A plain GET
/// also returns the object's metadata with its bytes, so the checksum <see cref="GetFileAsync"/> verifies always
/// belongs to the content it downloaded, even while another writer replaces the object.</para>
/// <para><b>Listing</b> asks for each listed object's metadata (one HEAD each), because S3 listings carry no user
/// metadata; the artifact folders listed are small.</para>
/// <para><b>Atomicity</b> of puts, and of a GET's bytes with its metadata, is the server's: S3 and MinIO provide it.
/// s3rver (the test server) does not: it writes an object's bytes and its metadata as two files, so a read racing
/// an overwrite there can see one version's bytes with the other's checksum (and fail verification, loudly).</para>
/// <para>ETags are never used: s3rver's differ from S3's for multipart objects.</para>
/// </remarks>
public sealed class MinioArtifactStore : IArtifactStore, IDisposable
{
    /// <summary>The user-metadata name of the recorded checksum (header <c>x-amz-meta-sha256</c>).</summary>
    public const string Sha256MetadataName = "sha256";

    private const string Sha256Header = "x-amz-meta-" + Sha256MetadataName;
    private const int MemorySpoolLimit = 8 << 20;
    private static readonly TimeSpan PresignedUrlLifetime = TimeSpan.FromMinutes(10);

    private readonly MinioArtifactOptions _options;
    private readonly IMinioClient _client;
    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private readonly string _objectPrefix;
    private readonly SemaphoreSlim _bucketGate = new(1, 1);
    private volatile bool _bucketReady;
    private int _disposed;

    public MinioArtifactStore(MinioArtifactOptions options, ILogger<MinioArtifactStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new MinioArtifactOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new ArgumentException($"Invalid MinIO artifact store options: {result.FailureMessage}", nameof(options));
        }

        _options = new MinioArtifactOptions
        {
            Endpoint = options.Endpoint,
            AccessKey = options.AccessKey,
            SecretKey = options.SecretKey,
            Bucket = options.Bucket,
            Secure = options.Secure,
            Prefix = options.Prefix,
            Region = options.Region,
            RequestTimeout = options.RequestTimeout,
            SpoolDirectory = options.SpoolDirectory,
        };
        _logger = logger ?? NullLogger<MinioArtifactStore>.Instance;
        _objectPrefix = _options.Prefix.Length == 0 ? string.Empty : _options.Prefix + "/";
        Location = _options.Location;
        _client = new MinioClient()
            .WithEndpoint(_options.Endpoint)
            .WithCredentials(_options.AccessKey, _options.SecretKey)
            .WithSSL(_options.Secure)
            .WithRegion(_options.Region)
            .WithTimeout((int)_options.RequestTimeout.TotalMilliseconds)
            .Build();
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            // Per request instead: a timeout until the headers arrive, none on reading a large body.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary><c>s3://bucket</c> or <c>s3://bucket/prefix</c>.</summary>
    public string Location { get; }

    public async Task<ArtifactInfo> PutAsync(string key, Stream content, long? length, CancellationToken cancellationToken = default)
    {
        var name = ObjectName(key);
        ArgumentNullException.ThrowIfNull(content);
        if (length < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "The content length must not be negative.");
        }

        await EnsureBucketAsync(cancellationToken);
        string sha256;
        long size;
        if (content.CanSeek)
        {
            var start = content.Position;
            (sha256, size) = await ContentHash.CopyAsync(content, null, cancellationToken);
            CheckLength(key, length, size);
            content.Position = start;
            await UploadAsync(key, name, content, size, sha256, cancellationToken);
        }
        else
        {
            var directory = _options.SpoolDirectory.Length > 0 ? _options.SpoolDirectory : Path.GetTempPath();
            await using var spool = await UploadSpool.CreateAsync(content, MemorySpoolLimit, directory, cancellationToken);
            (sha256, size) = (spool.Sha256, spool.Length);
            CheckLength(key, length, size);
            await UploadAsync(key, name, spool.Content, size, sha256, cancellationToken);
        }

        _logger.ArtifactStored(Location, key, size, sha256);
        // S3 answers a PUT without Last-Modified; ask, unless another writer has replaced the object already.
        var stored = await StatAsync(key, cancellationToken);
        return stored is not null && stored.Sha256 == sha256 && stored.Length == size
            ? stored
            : new ArtifactInfo(key, size, DateTimeOffset.UtcNow, sha256);
    }

    public async Task<ArtifactInfo> PutFileAsync(string key, string localPath, CancellationToken cancellationToken = default)
    {
        ArtifactKeys.Validate(key);
        ArgumentException.ThrowIfNullOrEmpty(localPath);
        await using var source = new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return await PutAsync(key, source, source.Length, cancellationToken);
    }

    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var name = ObjectName(key);
        var response = await GetAsync(key, name, null, cancellationToken);
        try
        {
            await EnsureStatusAsync(key, response, cancellationToken, HttpStatusCode.OK);
            return new ResponseStream(response, await response.Content.ReadAsStreamAsync(cancellationToken));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public async Task<byte[]> ReadRangeAsync(string key, long offset, int length, CancellationToken cancellationToken = default)
    {
        var name = ObjectName(key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0)
        {
            return await StatAsync(key, cancellationToken) is null ? throw new ArtifactNotFoundException(key, Location) : [];
        }

        using var response = await GetAsync(key, name, new RangeHeaderValue(offset, checked(offset + length - 1)), cancellationToken);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable
            || (response.StatusCode == HttpStatusCode.PartialContent && ContentRangeTotal(response) is { } total && offset >= total))
        {
            // The object exists (else 404) and ends at or before offset. S3 answers 416; s3rver answers an empty
            // object with 206, "Content-Range: bytes 0-0/0" and a Content-Length of 1 it never sends.
            return [];
        }

        await EnsureStatusAsync(key, response, cancellationToken, HttpStatusCode.PartialContent, HttpStatusCode.OK);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        if (response.StatusCode == HttpStatusCode.OK && !await ContentHash.SkipAsync(body, offset, cancellationToken))
        {
            return []; // a server that ignores Range sends everything: skip to the offset ourselves
        }

        return await ContentHash.ReadUpToAsync(body, length, cancellationToken);
    }

    public async Task GetFileAsync(string key, string localPath, CancellationToken cancellationToken = default)
    {
        var name = ObjectName(key);
        ArgumentException.ThrowIfNullOrEmpty(localPath);
        using var response = await GetAsync(key, name, null, cancellationToken);
        await EnsureStatusAsync(key, response, cancellationToken, HttpStatusCode.OK);
        var recorded = response.Headers.TryGetValues(Sha256Header, out var values) ? values.FirstOrDefault() : null;
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await VerifiedDownload.WriteAsync(key, body, localPath,
            (sha256, _) => recorded is null || string.Equals(sha256, recorded.Trim(), StringComparison.OrdinalIgnoreCase),
            () => recorded ?? "none",
            _logger, Location, cancellationToken);
    }

    public async Task<ArtifactInfo?> StatAsync(string key, CancellationToken cancellationToken = default)
    {
        var name = ObjectName(key);
        await EnsureBucketAsync(cancellationToken);
        try
        {
            var stat = await _client.StatObjectAsync(new StatObjectArgs().WithBucket(_options.Bucket).WithObject(name), cancellationToken);
            var recorded = stat.MetaData
                .Where(m => string.Equals(m.Key, Sha256MetadataName, StringComparison.OrdinalIgnoreCase)
                            || string.Equals(m.Key, Sha256Header, StringComparison.OrdinalIgnoreCase))
                .Select(m => m.Value.Trim().ToLowerInvariant())
                .FirstOrDefault(ContentHash.IsSha256Hex);
            return new ArtifactInfo(key, stat.Size, AsUtc(stat.LastModified), recorded);
        }
        catch (Exception ex) when (ex is ObjectNotFoundException or BucketNotFoundException)
        {
            return null;
        }
    }

    public async IAsyncEnumerable<ArtifactInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArtifactKeys.ValidatePrefix(prefix);
        await EnsureBucketAsync(cancellationToken);
        var keys = new List<string>();
        var args = new ListObjectsArgs().WithBucket(_options.Bucket).WithPrefix(_objectPrefix + prefix).WithRecursive(true);
        await foreach (var item in _client.ListObjectsEnumAsync(args, cancellationToken))
        {
            if (!item.IsDir && item.Key.StartsWith(_objectPrefix, StringComparison.Ordinal)
                && ArtifactKeys.Problem(item.Key[_objectPrefix.Length..]) is null)
            {
                keys.Add(item.Key[_objectPrefix.Length..]);
            }
        }

        // S3 lists in UTF-8 byte order, which is ordinal order for keys (ASCII only); sort anyway, cheaply.
        keys.Sort(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (await StatAsync(key, cancellationToken) is { } info)
            {
                yield return info; // else deleted since it was listed
            }
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var name = ObjectName(key);
        await EnsureBucketAsync(cancellationToken);
        // S3 answers 204 for a missing key too, so this is idempotent by itself.
        await _client.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(_options.Bucket).WithObject(name), cancellationToken);
    }

    /// <summary>Releases the SDK client and the HTTP connections; safe to call more than once.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _client.Dispose();
        _http.Dispose();
        _bucketGate.Dispose();
    }

    private string ObjectName(string key) => _objectPrefix + ArtifactKeys.Validate(key);

    private static void CheckLength(string key, long? expected, long actual)
    {
        if (expected is { } length && length != actual)
        {
            throw new InvalidDataException(
                $"Artifact '{key}': the content has {actual} bytes but its length was given as {length}; nothing was stored.");
        }
    }

    private async Task UploadAsync(string key, string name, Stream content, long size, string sha256, CancellationToken cancellationToken)
    {
        await using var hashing = new HashingReadStream(content);
        var args = new PutObjectArgs()
            .WithBucket(_options.Bucket)
            .WithObject(name)
            .WithStreamData(hashing)
            .WithObjectSize(size)
            .WithContentType("application/octet-stream")
            .WithHeaders(new Dictionary<string, string>(StringComparer.Ordinal) { [Sha256Header] = sha256 });
        await _client.PutObjectAsync(args, cancellationToken);
        if (hashing.BytesRead != size || hashing.Sha256 != sha256)
        {
            // The object's bytes do not match its recorded checksum: remove it rather than leave a corrupt object.
            var uploaded = hashing.Sha256;
            await _client.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(_options.Bucket).WithObject(name), CancellationToken.None);
            _logger.SourceChangedDuringUpload(Location, key, uploaded, sha256);
            throw new IOException($"Artifact '{key}': the content changed while it was uploaded to {Location} " +
                                  $"({hashing.BytesRead} bytes with SHA-256 {uploaded} sent; {size} bytes with {sha256} hashed first). " +
                                  "The object was removed.");
        }
    }

    private async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        if (_bucketReady)
        {
            return;
        }

        await _bucketGate.WaitAsync(cancellationToken);
        try
        {
            if (_bucketReady)
            {
                return;
            }

            var exists = new BucketExistsArgs().WithBucket(_options.Bucket);
            if (!await _client.BucketExistsAsync(exists, cancellationToken))
            {
                try
                {
                    await _client.MakeBucketAsync(new MakeBucketArgs().WithBucket(_options.Bucket), cancellationToken);
                    _logger.BucketCreated(_options.Bucket, _options.Endpoint);
                }
                catch (MinioException)
                {
                    // Another process may have created it meanwhile; anything else is worth the SDK's exception.
                    if (!await _client.BucketExistsAsync(exists, cancellationToken))
                    {
                        throw;
                    }
                }
            }

            _bucketReady = true;
        }
        finally
        {
            _bucketGate.Release();
        }
    }

    /// <summary>GETs the object through a presigned URL (see the remarks for why not the SDK). Throws not-found on 404.</summary>
    private async Task<HttpResponseMessage> GetAsync(string key, string name, RangeHeaderValue? range, CancellationToken cancellationToken)
    {
        await EnsureBucketAsync(cancellationToken);
        var url = await _client.PresignedGetObjectAsync(new PresignedGetObjectArgs()
            .WithBucket(_options.Bucket)
            .WithObject(name)
            .WithExpiry((int)PresignedUrlLifetime.TotalSeconds));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = range;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"GET of artifact '{key}' from {Location} ({_options.Endpoint}) got no answer within " +
                                       $"{_options.RequestTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.", ex);
        }

        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            response.Dispose();
            throw new ArtifactNotFoundException(key, Location);
        }

        return response;
    }

    /// <summary>Throws, with the S3 error code and message from the body, unless the status is one of <paramref name="expected"/>.</summary>
    private async Task EnsureStatusAsync(string key, HttpResponseMessage response, CancellationToken cancellationToken, params HttpStatusCode[] expected)
    {
        if (expected.Contains(response.StatusCode))
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        string? detail = null;
        try
        {
            var error = XDocument.Parse(body).Root;
            detail = $"{error?.Element("Code")?.Value}: {error?.Element("Message")?.Value}";
        }
        catch (System.Xml.XmlException)
        {
            // Not an S3 error document; the status says enough.
        }

        throw new HttpRequestException(
            $"GET of artifact '{key}' from {Location} ({_options.Endpoint}) failed: {(int)response.StatusCode} {response.ReasonPhrase}" +
            (detail is null ? "." : $" ({detail})."),
            null, response.StatusCode);
    }

    /// <summary>
    /// The object size from <c>Content-Range: bytes a-b/size</c>, read unvalidated: .NET rejects s3rver's
    /// <c>bytes 0-0/0</c> for an empty object, as it names a byte that does not exist.
    /// </summary>
    private static long? ContentRangeTotal(HttpResponseMessage response)
    {
        if (!response.Content.Headers.NonValidated.TryGetValues("Content-Range", out var values))
        {
            return null;
        }

        var value = values.FirstOrDefault() ?? string.Empty;
        var slash = value.LastIndexOf('/');
        return slash >= 0 && long.TryParse(value.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var total) ? total : null;
    }

    /// <summary>The SDK parses Last-Modified with <see cref="DateTime.Parse(string, IFormatProvider)"/>: usually local time.</summary>
    private static DateTimeOffset AsUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Local => new DateTimeOffset(value.ToUniversalTime(), TimeSpan.Zero),
        DateTimeKind.Utc => new DateTimeOffset(value, TimeSpan.Zero),
        _ => new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc), TimeSpan.Zero),
    };

    /// <summary>A response body that disposes its response with it.</summary>
    private sealed class ResponseStream(HttpResponseMessage response, Stream body) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => response.Content.Headers.ContentLength ?? throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => body.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => body.Read(buffer);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            body.ReadAsync(buffer, offset, count, cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            body.ReadAsync(buffer, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                body.Dispose();
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

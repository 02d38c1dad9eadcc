namespace SpotifyBuddies.Core.Artifacts;

/// <summary>
/// Object storage for datasets, checkpoints and model artifacts: MinIO/S3 in Production, a local directory in the
/// Local profile. Keys are '/'-separated relative paths (see <see cref="ArtifactKeys"/>); every key is validated.
/// </summary>
/// <remarks>
/// <para><b>Atomicity.</b> A put is all or nothing: readers see the previous object or the complete new one, never a
/// partial write (local: temp file + rename; S3: single PUT or completed multipart upload).</para>
/// <para><b>Checksums.</b> Every put records the SHA-256 of the content (S3: user metadata <c>sha256</c>; local: a
/// sidecar outside the listed tree) and <see cref="StatAsync"/> returns it; <see cref="GetFileAsync"/> verifies it.</para>
/// </remarks>
public interface IArtifactStore
{
    /// <summary>Where objects live, for logs and manifests: <c>file:///abs/root</c> or <c>s3://bucket/prefix</c>.</summary>
    string Location { get; }

    /// <summary>Stores <paramref name="content"/> under <paramref name="key"/>, replacing any object there.</summary>
    /// <param name="length">The content length when known (enables a single PUT); null streams it (multipart for large content).</param>
    Task<ArtifactInfo> PutAsync(string key, Stream content, long? length, CancellationToken cancellationToken = default);

    /// <summary>Stores a local file under <paramref name="key"/>.</summary>
    Task<ArtifactInfo> PutFileAsync(string key, string localPath, CancellationToken cancellationToken = default);

    /// <summary>Opens an object for reading. The caller disposes the stream.</summary>
    /// <exception cref="ArtifactNotFoundException">No object has that key.</exception>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Reads <paramref name="length"/> bytes from <paramref name="offset"/> (fewer at the end of the object).</summary>
    /// <exception cref="ArtifactNotFoundException">No object has that key.</exception>
    Task<byte[]> ReadRangeAsync(string key, long offset, int length, CancellationToken cancellationToken = default);

    /// <summary>Downloads an object to a local file (written to a temp sibling, checksum verified, then renamed).</summary>
    /// <exception cref="ArtifactNotFoundException">No object has that key.</exception>
    /// <exception cref="ArtifactChecksumException">The downloaded bytes do not match the recorded SHA-256.</exception>
    Task GetFileAsync(string key, string localPath, CancellationToken cancellationToken = default);

    /// <summary>The object's size, time and checksum, or null when there is none.</summary>
    Task<ArtifactInfo?> StatAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Every object whose key starts with <paramref name="prefix"/> (recursively), in ordinal key order.</summary>
    IAsyncEnumerable<ArtifactInfo> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Deletes an object; deleting a missing key is not an error (idempotent).</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);
}

/// <summary>What the store knows about one object.</summary>
/// <param name="Sha256">Lower-case hex SHA-256 of the content, when the object was written through a store that records it.</param>
public sealed record ArtifactInfo(string Key, long Length, DateTimeOffset LastModified, string? Sha256);

/// <summary>The requested key holds no object.</summary>
public sealed class ArtifactNotFoundException : Exception
{
    public ArtifactNotFoundException(string key, string location)
        : base($"No artifact '{key}' in {location}.")
    {
        Key = key;
    }

    public ArtifactNotFoundException()
    {
        Key = string.Empty;
    }

    public ArtifactNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
        Key = string.Empty;
    }

    public string Key { get; }
}

/// <summary>Downloaded content does not match its recorded checksum (the local file is not written).</summary>
public sealed class ArtifactChecksumException : Exception
{
    public ArtifactChecksumException(string key, string expected, string actual)
        : base($"Artifact '{key}' is corrupt: SHA-256 {actual}, expected {expected}.")
    {
    }

    public ArtifactChecksumException()
    {
    }

    public ArtifactChecksumException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

using Microsoft.Extensions.Logging;

namespace SpotifyBuddies.Infrastructure.Artifacts;

/// <summary>Artifact store log messages: event ids 4100–4199.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information,
        Message = "Created bucket {Bucket} on {Endpoint}")]
    public static partial void BucketCreated(this ILogger logger, string bucket, string endpoint);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Debug,
        Message = "Stored {Key} in {Location}: {Length} bytes, SHA-256 {Sha256}")]
    public static partial void ArtifactStored(this ILogger logger, string location, string key, long length, string sha256);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning,
        Message = "Artifact {Key} in {Location} is corrupt: SHA-256 {Actual}, expected {Expected}; the download was discarded")]
    public static partial void ChecksumMismatch(this ILogger logger, string location, string key, string actual, string expected);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning,
        Message = "The content for {Key} changed while it was uploaded to {Location} (SHA-256 {Uploaded}, hashed first as {Hashed}); the object was removed")]
    public static partial void SourceChangedDuringUpload(this ILogger logger, string location, string key, string uploaded, string hashed);
}

using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using SpotifyBuddies.Core.Artifacts;

namespace SpotifyBuddies.Infrastructure.Artifacts;

/// <summary>Where the Production profile keeps artifacts: an S3-protocol server (configuration section <c>Artifacts:Minio</c>).</summary>
public sealed partial class MinioArtifactOptions : IValidatableObject
{
    public const string SectionName = "Artifacts:Minio";

    /// <summary>The server as <c>host</c> or <c>host:port</c> (no scheme: <see cref="Secure"/> picks https).</summary>
    [Required]
    public string Endpoint { get; set; } = string.Empty;

    [Required]
    public string AccessKey { get; set; } = string.Empty;

    [Required]
    public string SecretKey { get; set; } = string.Empty;

    /// <summary>The bucket; created on first use when missing.</summary>
    [Required]
    public string Bucket { get; set; } = string.Empty;

    /// <summary>True for https.</summary>
    public bool Secure { get; set; }

    /// <summary>
    /// Optional key prefix inside the bucket (a valid artifact key, without leading or trailing '/'), so several
    /// deployments can share a bucket: key <c>k</c> is stored as <c>Prefix/k</c>.
    /// </summary>
    public string Prefix { get; set; } = string.Empty;

    /// <summary>The signing region. MinIO accepts any; set it so the SDK never asks the server.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>How long one request may take to answer (for reads: until the response headers arrive).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// Where a put of a non-seekable stream larger than a few MiB is spooled first (its SHA-256 must be known before
    /// the upload starts, as S3 metadata travels with the request); the system temp directory when empty.
    /// </summary>
    public string SpoolDirectory { get; set; } = string.Empty;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(Endpoint) && EndpointProblem(Endpoint) is { } endpoint)
        {
            yield return new ValidationResult(endpoint, [nameof(Endpoint)]);
        }

        if (!string.IsNullOrWhiteSpace(Bucket) && BucketProblem(Bucket) is { } bucket)
        {
            yield return new ValidationResult(bucket, [nameof(Bucket)]);
        }

        if (Prefix.Length > 0 && ArtifactKeys.Problem(Prefix) is { } prefix)
        {
            yield return new ValidationResult($"Prefix is not a valid artifact key prefix: {prefix}.", [nameof(Prefix)]);
        }

        if (string.IsNullOrWhiteSpace(Region))
        {
            yield return new ValidationResult("Region must not be empty (MinIO accepts any region; use us-east-1).", [nameof(Region)]);
        }

        if (RequestTimeout <= TimeSpan.Zero || RequestTimeout > TimeSpan.FromHours(1))
        {
            yield return new ValidationResult(
                $"RequestTimeout must be more than 0 and at most 1 hour, not {RequestTimeout.ToString("c", CultureInfo.InvariantCulture)}.",
                [nameof(RequestTimeout)]);
        }

        if (SpoolDirectory.Length > 0 && File.Exists(SpoolDirectory))
        {
            yield return new ValidationResult($"SpoolDirectory '{SpoolDirectory}' is a file, not a directory.", [nameof(SpoolDirectory)]);
        }
    }

    /// <summary>The <see cref="IArtifactStore.Location"/> of a store with these options.</summary>
    public string Location => Prefix.Length == 0 ? $"s3://{Bucket}" : $"s3://{Bucket}/{Prefix}";

    private static string? EndpointProblem(string endpoint)
    {
        if (endpoint.Contains("://", StringComparison.Ordinal))
        {
            return $"Endpoint '{endpoint}' must be host or host:port without a scheme (set Secure=true for https).";
        }

        // The port first: Uri rejects an out-of-range port with everything else, and that message would be vaguer.
        var colon = endpoint.LastIndexOf(':');
        var hasPort = !endpoint.Contains('/', StringComparison.Ordinal) && colon > endpoint.LastIndexOf(']');
        if (hasPort && (!int.TryParse(endpoint[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535))
        {
            return $"Endpoint '{endpoint}' has an invalid port (1-65535).";
        }

        if (!Uri.TryCreate("http://" + endpoint, UriKind.Absolute, out var uri)
            || uri.PathAndQuery != "/" || uri.UserInfo.Length > 0 || uri.Fragment.Length > 0 || endpoint.EndsWith('/'))
        {
            return $"Endpoint '{endpoint}' must be host or host:port (no path, user or query).";
        }

        return null;
    }

    /// <summary>S3's bucket naming rules, which MinIO enforces too.</summary>
    private static string? BucketProblem(string bucket)
    {
        if (!BucketPattern().IsMatch(bucket))
        {
            return $"Bucket '{bucket}' must be 3-63 characters of lower-case letters, digits, '.' and '-', starting and ending with a letter or digit.";
        }

        if (bucket.Contains("..", StringComparison.Ordinal) || bucket.Contains(".-", StringComparison.Ordinal) || bucket.Contains("-.", StringComparison.Ordinal))
        {
            return $"Bucket '{bucket}' must not contain '..', '.-' or '-.'.";
        }

        if (IPAddress.TryParse(bucket, out _) && bucket.Count(c => c == '.') == 3)
        {
            return $"Bucket '{bucket}' must not look like an IP address.";
        }

        return null;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketPattern();
}

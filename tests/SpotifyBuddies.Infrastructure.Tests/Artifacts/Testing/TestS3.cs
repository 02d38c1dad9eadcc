using Minio;
using Minio.DataModel.Args;
using Minio.Exceptions;
using SpotifyBuddies.Infrastructure.Artifacts;

namespace SpotifyBuddies.Infrastructure.Tests.Artifacts.Testing;

/// <summary>
/// Where tests find an S3-protocol server: <c>SPOTIFYBUDDIES_TEST_S3</c>, <c>http://ACCESS:SECRET@host:port</c>
/// (https for TLS), which <c>./test.sh</c> always sets after starting a throwaway s3rver
/// (<c>infra/ci/s3rver-start.sh</c>). Unset on a developer machine, S3 tests are skipped with a reason; unset in CI
/// (<c>CI=true</c>) they fail, so a broken setup can never pass silently. Each test works in buckets of its own.
/// </summary>
public static class TestS3
{
    public const string EndpointVariable = "SPOTIFYBUDDIES_TEST_S3";

    public static string? Endpoint => NullIfBlank(Environment.GetEnvironmentVariable(EndpointVariable));

    /// <summary>The reason to skip an S3 test, or null to run it (and let it fail in CI when unset).</summary>
    public static string? SkipReason(string? endpoint, string? ci) =>
        NullIfBlank(endpoint) is null && !string.Equals(ci?.Trim(), "true", StringComparison.OrdinalIgnoreCase)
            ? $"{EndpointVariable} is not set: run ./test.sh, which starts a throwaway s3rver and sets it " +
              $"(or run `infra/ci/s3rver-start.sh DIR` and export {EndpointVariable}=<the URL it prints>, http://ACCESS:SECRET@host:port)."
            : null;

    /// <summary>Store options for <paramref name="bucket"/> on the configured server.</summary>
    /// <exception cref="InvalidOperationException">The variable is unset (only reached in CI) or malformed.</exception>
    public static MinioArtifactOptions Options(string bucket, string prefix = "")
    {
        var endpoint = Endpoint ?? throw new InvalidOperationException(
            $"{EndpointVariable} is not set, but this run is in CI (CI=true), where tests that need an S3 server must run " +
            "and not be skipped. Run the tests through ./test.sh (CI runs .ci/run), which starts s3rver and sets it.");
        var options = Parse(endpoint);
        options.Bucket = bucket;
        options.Prefix = prefix;
        return options;
    }

    /// <summary>Parses <c>http[s]://ACCESS:SECRET@host[:port]</c> (user and password percent-encoded) into store options without a bucket.</summary>
    /// <exception cref="InvalidOperationException">The value is not in that form; the message shows the form (never the secret).</exception>
    public static MinioArtifactOptions Parse(string value)
    {
        const string Form = "http://ACCESS:SECRET@host:port (or https://...)";
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException($"{EndpointVariable} must be a URL of the form {Form}.");
        }

        var user = uri.UserInfo.Split(':', 2);
        if (user.Length != 2 || user[0].Length == 0 || user[1].Length == 0)
        {
            throw new InvalidOperationException($"{EndpointVariable} must carry the access key and secret: {Form}.");
        }

        if (uri.AbsolutePath != "/" || uri.Query.Length > 0)
        {
            throw new InvalidOperationException($"{EndpointVariable} must have no path or query: {Form}.");
        }

        return new MinioArtifactOptions
        {
            Endpoint = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}",
            AccessKey = Uri.UnescapeDataString(user[0]),
            SecretKey = Uri.UnescapeDataString(user[1]),
            Secure = uri.Scheme == Uri.UriSchemeHttps,
        };
    }

    /// <summary>A new bucket name no other test uses (not yet created).</summary>
    public static string NewBucketName() => $"sbtest-{Guid.NewGuid():N}";

    /// <summary>A plain SDK client for the configured server, for arranging and inspecting what a store did.</summary>
    public static IMinioClient RawClient()
    {
        var options = Options("unused");
        return new MinioClient()
            .WithEndpoint(options.Endpoint)
            .WithCredentials(options.AccessKey, options.SecretKey)
            .WithSSL(options.Secure)
            .WithRegion(options.Region)
            .Build();
    }

    /// <summary>Removes every object of <paramref name="bucket"/> and the bucket itself; a missing bucket is fine.</summary>
    public static async Task DeleteBucketAsync(IMinioClient client, string bucket)
    {
        try
        {
            var names = new List<string>();
            await foreach (var item in client.ListObjectsEnumAsync(new ListObjectsArgs().WithBucket(bucket).WithRecursive(true)))
            {
                names.Add(item.Key);
            }

            foreach (var name in names)
            {
                await client.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(bucket).WithObject(name));
            }

            await client.RemoveBucketAsync(new RemoveBucketArgs().WithBucket(bucket));
        }
        catch (BucketNotFoundException)
        {
            // Never created (the test did not get that far).
        }
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

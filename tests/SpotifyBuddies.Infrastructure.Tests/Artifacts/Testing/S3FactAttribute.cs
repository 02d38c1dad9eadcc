namespace SpotifyBuddies.Infrastructure.Tests.Artifacts.Testing;

/// <summary>A fact that needs an S3 server: skipped with a reason when <c>SPOTIFYBUDDIES_TEST_S3</c> is unset, except in CI.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class S3FactAttribute : FactAttribute
{
    public S3FactAttribute()
    {
        if (TestS3.SkipReason(TestS3.Endpoint, Environment.GetEnvironmentVariable("CI")) is { } reason)
        {
            Skip = reason;
        }
    }
}

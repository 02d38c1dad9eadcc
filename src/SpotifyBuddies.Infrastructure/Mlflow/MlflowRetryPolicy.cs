using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace SpotifyBuddies.Infrastructure.Mlflow;

/// <summary>
/// When the resilience handler retries an MLflow request: only requests <see cref="MlflowClient"/> marked idempotent,
/// and only after 408, 429, 502, 503, 504 or a transport error. A 500 is not retried: MLflow answers 500 for
/// deterministic failures too (a missing artifact, A13; deleting an artifact file on 2.12.2, A16).
/// </summary>
public static class MlflowRetryPolicy
{
    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    public static ValueTask<bool> ShouldRetry(RetryPredicateArguments<HttpResponseMessage> args)
    {
        var request = args.Context.GetRequestMessage();
        if (request is null || !MlflowClient.IsIdempotent(request) || args.Context.CancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromResult(false);
        }

        var retry = args.Outcome switch
        {
            { Exception: HttpRequestException or TimeoutRejectedException } => true,
            { Result: { } response } => IsTransient(response.StatusCode),
            _ => false,
        };
        return ValueTask.FromResult(retry);
    }

    /// <summary>The retry strategy: <paramref name="options"/>' count and first delay, exponential backoff with jitter,
    /// honouring Retry-After.</summary>
    public static HttpRetryStrategyOptions Create(MlflowOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = Math.Max(1, options.MaxRetries),
            Delay = options.RetryDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            ShouldRetryAfterHeader = true,
            ShouldHandle = ShouldRetry,
        };
    }
}

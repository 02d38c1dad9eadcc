namespace SpotifyBuddies.Api;

/// <summary>The API host's log messages (EventIds 1000–1099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Warning,
        Message = "No API keys are configured: admin endpoints (run, cancel, retry, webhooks) and the Hangfire dashboard refuse every request. Set Api:Keys (e.g. the environment variable Api__Keys__0=<a random key of at least 16 characters>).")]
    public static partial void NoApiKeys(ILogger logger);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning,
        Message = "Refused {Method} {Path}: no API keys are configured. Set Api:Keys (e.g. the environment variable Api__Keys__0).")]
    public static partial void NoApiKeysRefused(ILogger logger, string method, PathString path);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information,
        Message = "API host: profile {Profile}, workflows from {Directory}, Hangfire {Storage} storage, server {Server}")]
    public static partial void Composed(ILogger logger, string profile, string directory, string storage, string server);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information,
        Message = "Alertmanager webhook: alert {AlertName} ({Fingerprint}) started run {RunId} of {Workflow}")]
    public static partial void WebhookStarted(ILogger logger, string alertName, string fingerprint, Guid runId, string workflow);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information,
        Message = "Alertmanager webhook: alert {AlertName} ({Fingerprint}) was seen before: run {RunId} of {Workflow}")]
    public static partial void WebhookDuplicate(ILogger logger, string alertName, string fingerprint, Guid runId, string workflow);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning,
        Message = "Alertmanager webhook: alert {AlertName} ({Fingerprint}) did not start {Workflow}: {Reason}")]
    public static partial void WebhookRefused(ILogger logger, string alertName, string fingerprint, string workflow, string reason);
}

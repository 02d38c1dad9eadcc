using System.Text.Json;
using SpotifyBuddies.Core.Workflows;

namespace SpotifyBuddies.Infrastructure.Workflows;

/// <summary>
/// How both workflow run stores write values: statuses as lower-case names, instants truncated to microseconds
/// (PostgreSQL's precision, so both stores return the same value), JSON checked before it is stored.
/// </summary>
internal static class StoreValues
{
    /// <summary>The status names the stores' CHECK constraints allow.</summary>
    public static string Name(RunStatus status) => status switch
    {
        RunStatus.Pending => "pending",
        RunStatus.Running => "running",
        RunStatus.Succeeded => "succeeded",
        RunStatus.Failed => "failed",
        RunStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Not a RunStatus value."),
    };

    public static string Name(StepStatus status) => status switch
    {
        StepStatus.Pending => "pending",
        StepStatus.Running => "running",
        StepStatus.Succeeded => "succeeded",
        StepStatus.Failed => "failed",
        StepStatus.Skipped => "skipped",
        StepStatus.Cancelled => "cancelled",
        StepStatus.TimedOut => "timed_out",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Not a StepStatus value."),
    };

    public static RunStatus ParseRunStatus(string name, Guid runId) => name switch
    {
        "pending" => RunStatus.Pending,
        "running" => RunStatus.Running,
        "succeeded" => RunStatus.Succeeded,
        "failed" => RunStatus.Failed,
        "cancelled" => RunStatus.Cancelled,
        _ => throw new InvalidOperationException($"Workflow run {runId} has status '{name}', which this build does not know."),
    };

    public static StepStatus ParseStepStatus(string name, Guid runId, string stepId, int item) => name switch
    {
        "pending" => StepStatus.Pending,
        "running" => StepStatus.Running,
        "succeeded" => StepStatus.Succeeded,
        "failed" => StepStatus.Failed,
        "skipped" => StepStatus.Skipped,
        "cancelled" => StepStatus.Cancelled,
        "timed_out" => StepStatus.TimedOut,
        _ => throw new InvalidOperationException(
            $"Step execution (run {runId}, step '{stepId}', item {item}) has status '{name}', which this build does not know."),
    };

    /// <summary>The instant in UTC, truncated to whole microseconds.</summary>
    public static DateTimeOffset Microseconds(DateTimeOffset at)
    {
        var ticks = at.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % 10), TimeSpan.Zero);
    }

    public static DateTimeOffset? Microseconds(DateTimeOffset? at) => at is { } value ? Microseconds(value) : null;

    /// <summary>Throws unless <paramref name="json"/> (when not null) is one well-formed JSON value.</summary>
    /// <exception cref="ArgumentException">The text is not JSON; the message names <paramref name="field"/>.</exception>
    public static void RequireJson(string? json, string field)
    {
        if (json is null)
        {
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"{field} is not valid JSON: {ex.Message}", field, ex);
        }
    }

    /// <summary>The names of a compare-and-set's expected statuses, each once.</summary>
    public static string[] Names(IReadOnlyCollection<RunStatus> expected) =>
        expected.Distinct().Select(Name).ToArray();

    public static InvalidOperationException NoStepRow(Guid runId, string stepId, int item) =>
        new($"No step execution (run {runId}, step '{stepId}', item {item}) exists to append logs to.");

    public static void ValidateLimit(RunQuery query)
    {
        if (query.Limit is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Limit, "RunQuery.Limit must be between 1 and 1000.");
        }
    }
}

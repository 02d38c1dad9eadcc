using SpotifyBuddies.Core.Tracking;

namespace SpotifyBuddies.Infrastructure.Tracking;

/// <summary>MLflow's names for <see cref="RunStatus"/> (enums travel by name in its REST API).</summary>
public static class RunStatusNames
{
    public static string ToMlflow(RunStatus status) => status switch
    {
        RunStatus.Running => "RUNNING",
        RunStatus.Scheduled => "SCHEDULED",
        RunStatus.Finished => "FINISHED",
        RunStatus.Failed => "FAILED",
        RunStatus.Killed => "KILLED",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown run status."),
    };

    /// <exception cref="TrackingException">Not one of MLflow's five statuses.</exception>
    public static RunStatus FromMlflow(string? name) => name switch
    {
        "RUNNING" => RunStatus.Running,
        "SCHEDULED" => RunStatus.Scheduled,
        "FINISHED" => RunStatus.Finished,
        "FAILED" => RunStatus.Failed,
        "KILLED" => RunStatus.Killed,
        _ => throw new TrackingException("INTERNAL_ERROR", $"Unknown run status '{name}' (expected RUNNING, SCHEDULED, FINISHED, FAILED or KILLED)."),
    };

    /// <summary>FINISHED, FAILED and KILLED end a run.</summary>
    public static bool IsTerminal(RunStatus status) => status is RunStatus.Finished or RunStatus.Failed or RunStatus.Killed;
}

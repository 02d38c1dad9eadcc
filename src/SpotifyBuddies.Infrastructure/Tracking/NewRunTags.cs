using SpotifyBuddies.Core.Tracking;

namespace SpotifyBuddies.Infrastructure.Tracking;

/// <summary>The tags a new run starts with, the same for both backends.</summary>
public static class NewRunTags
{
    /// <summary>
    /// <c>mlflow.runName</c> (from <see cref="NewRun.RunName"/>), <c>mlflow.parentRunId</c> (from
    /// <see cref="NewRun.ParentRunId"/>), the run's own tags, then <c>mlflow.user</c> = <paramref name="userId"/> unless
    /// the run sets it. Every key and value is validated.
    /// </summary>
    /// <exception cref="TrackingException">A tag breaks <see cref="TrackingRules"/>.</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> Build(NewRun run, string? userId)
    {
        ArgumentNullException.ThrowIfNull(run);
        var tags = new List<KeyValuePair<string, string>>();
        if (!string.IsNullOrEmpty(run.RunName))
        {
            tags.Add(new(TrackingTags.RunName, run.RunName));
        }

        if (!string.IsNullOrEmpty(run.ParentRunId))
        {
            tags.Add(new(TrackingTags.ParentRunId, run.ParentRunId));
        }

        foreach (var (key, value) in run.Tags)
        {
            if ((key == TrackingTags.RunName && !string.IsNullOrEmpty(run.RunName))
                || (key == TrackingTags.ParentRunId && !string.IsNullOrEmpty(run.ParentRunId)))
            {
                continue; // the dedicated property wins
            }

            tags.Add(new(key, value));
        }

        if (!string.IsNullOrEmpty(userId) && !run.Tags.ContainsKey(TrackingTags.User))
        {
            tags.Add(new(TrackingTags.User, userId));
        }

        foreach (var (key, value) in tags)
        {
            TrackingRules.ValidateKey("tag", key);
            TrackingRules.ValidateTagValue(key, value);
        }

        return tags;
    }
}

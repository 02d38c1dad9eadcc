using System.Text.RegularExpressions;
using SpotifyBuddies.Core.Tracking;

namespace SpotifyBuddies.Infrastructure.Tracking;

/// <summary>
/// MLflow's <c>order_by</c> for runs: clauses like <c>metrics.val_mrr DESC</c>, <c>params.factors</c>,
/// <c>tags.`mlflow.runName` ASC</c>, <c>attributes.start_time</c> (ASC when not said). Runs that lack the value sort
/// last in either direction; ties go to start time descending, then run id (SVC SearchRuns).
/// </summary>
public sealed partial class RunOrder : IComparer<TrackedRun>
{
    private readonly IReadOnlyList<(Func<TrackedRun, IComparable?> Key, bool Descending)> _keys;

    private RunOrder(IReadOnlyList<(Func<TrackedRun, IComparable?> Key, bool Descending)> keys) => _keys = keys;

    /// <exception cref="TrackingException">A clause names no supported column.</exception>
    public static RunOrder Parse(IReadOnlyList<string>? orderBy)
    {
        var keys = new List<(Func<TrackedRun, IComparable?>, bool)>();
        foreach (var clause in orderBy ?? [])
        {
            var match = ClausePattern().Match(clause);
            if (!match.Success)
            {
                throw TrackingRules.Invalid($"Invalid order_by clause '{clause}': expected e.g. 'metrics.val_mrr DESC'.");
            }

            var entity = match.Groups["entity"].Success ? match.Groups["entity"].Value.ToLowerInvariant() : "attributes";
            var key = match.Groups["quoted"].Success ? match.Groups["quoted"].Value : match.Groups["key"].Value;
            var descending = match.Groups["dir"].Success && match.Groups["dir"].Value.Equals("DESC", StringComparison.OrdinalIgnoreCase);
            Func<TrackedRun, IComparable?> selector = entity switch
            {
                "metrics" or "metric" => run => run.Metrics.TryGetValue(key, out var v) ? v : null,
                "params" or "param" or "parameters" or "parameter" => run => run.Params.GetValueOrDefault(key),
                "tags" or "tag" => run => run.Tags.GetValueOrDefault(key),
                "attributes" or "attribute" or "attr" or "run" => Attribute(clause, key.ToLowerInvariant()),
                _ => throw TrackingRules.Invalid($"Invalid order_by clause '{clause}': unknown entity '{entity}'."),
            };
            keys.Add((selector, descending));
        }

        return new RunOrder(keys);
    }

    public int Compare(TrackedRun? x, TrackedRun? y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        foreach (var (key, descending) in _keys)
        {
            var a = key(x);
            var b = key(y);
            if (a is null || b is null)
            {
                if (a is null && b is null)
                {
                    continue;
                }

                return a is null ? 1 : -1; // missing values last, whatever the direction
            }

            var order = a is string sa && b is string sb ? string.CompareOrdinal(sa, sb) : a.CompareTo(b);
            if (order != 0)
            {
                return descending ? -order : order;
            }
        }

        var byStart = y.StartTime.CompareTo(x.StartTime);
        return byStart != 0 ? byStart : string.CompareOrdinal(x.RunId, y.RunId);
    }

    private static Func<TrackedRun, IComparable?> Attribute(string clause, string key) => key switch
    {
        "start_time" => run => run.StartTime.ToUnixTimeMilliseconds(),
        "end_time" => run => run.EndTime?.ToUnixTimeMilliseconds(),
        "run_name" => run => run.RunName,
        "status" => run => RunStatusNames.ToMlflow(run.Status),
        "run_id" => run => run.RunId,
        _ => throw TrackingRules.Invalid($"Invalid order_by clause '{clause}': unsupported attribute '{key}'."),
    };

    [GeneratedRegex("""^\s*(?:(?<entity>[A-Za-z]+)\.)?(?:[`"](?<quoted>[^`"]+)[`"]|(?<key>[A-Za-z0-9_\-./:]+?))(?:\s+(?<dir>ASC|DESC|asc|desc))?\s*$""")]
    private static partial Regex ClausePattern();
}

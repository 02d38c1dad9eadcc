using System.Globalization;
using System.Text.Json;
using SpotifyBuddies.Data.Reports;

namespace SpotifyBuddies.Models.Pairing;

/// <summary>The statistics of a pairing run as a readable table (<c>stats.md</c>, the CLI's table) and as JSON (<c>stats.json</c>).</summary>
public static class PairingReport
{
    public static string ToJson(PairingStats stats) =>
        JsonSerializer.Serialize(stats, PairingJsonContext.Default.PairingStats) + "\n";

    public static IReadOnlyList<ReportRow> Rows(PairingStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var i = stats.Input;
        var c = stats.Candidates;
        var s = stats.Selection;
        var p = stats.Popularity;
        var r = stats.Reachable;
        var o = stats.Pools;
        return
        [
            new("input", "users (empty library)", $"{N(i.Users)} ({N(i.UsersWithEmptyLibrary)})"),
            new("", "playlists / owned / owners", $"{N(i.Playlists)} / {N(i.OwnedPlaylists)} / {N(i.Owners)}"),
            new("", "train positives (excluded from pools)", N(i.TrainPositives)),
            new("candidates", "engine / K", $"{c.Engine} / {N(c.K)}"),
            new("", "candidates per user", D(c.CandidatesPerUser)),
            new("", "users without candidates / with a full K", $"{N(c.UsersWithoutCandidates)} / {N(c.UsersWithFullK)}"),
            new("", "similarity of the first candidate", F(c.TopSimilarity)),
            new("", "similarity of the last candidate", F(c.LastSimilarity)),
            new("selection", "walk order", s.ShuffleCandidates ? "shuffled (as the original)" : "similarity"),
            new("", "stop at neighbours / reachable playlists", $"≥ {N(s.MinNeighbours)} / ≥ {N(s.MinPlaylists)}"),
            new("", "neighbours per user", D(s.NeighboursPerUser)),
            new("", "users meeting both minimums / keeping every owner", $"{N(s.UsersMetMinimums)} / {N(s.UsersKeptAllOwners)}"),
            new("", "candidates walked / skipped (own no playlist)", $"{N(s.CandidatesWalked)} / {N(s.CandidatesSkippedAsNonOwners)}"),
            new("popularity", "users chosen as a neighbour / never", $"{N(p.UsersChosen)} / {N(p.UsersNeverChosen)}"),
            new("", "times chosen (chosen users)", D(p.TimesChosen)),
            new("", "Gini / top 1% share / top 10% share", $"{G(p.Gini)} / {P(p.Top1PercentShare)} / {P(p.Top10PercentShare)}"),
            new("reachable", "reachable playlists per user", D(r.ReachablePerUser)),
            new("", "users under 1 / 5 / 20 reachable", $"{N(r.UsersUnder1)} / {N(r.UsersUnder5)} / {N(r.UsersUnder20)}"),
            new("", "own or train-liked playlists left out (users)", $"{N(r.ExcludedOwnOrTrainLiked)} ({N(r.UsersWithExclusions)})"),
            new("pools", "pool size (users with a pool)", $"≤ {N(o.PoolSize)}: {D(o.PoolSizePerUser)}"),
            new("", "users with / without a pool", $"{N(o.UsersWithPool)} / {N(o.UsersWithoutPool)}"),
            new("", "no pool: no candidate / no owner / all excluded", $"{N(o.NoCandidates)} / {N(o.NoOwnerAmongCandidates)} / {N(o.AllExcluded)}"),
            new("", "pool rows / distinct playlists (share of owned)", $"{N(o.PoolRows)} / {N(o.DistinctPlaylists)} ({P(o.OwnedPlaylistCoverage)})"),
        ];
    }

    /// <summary>The table as GitHub-flavoured Markdown, with a title and the histogram images.</summary>
    public static string ToMarkdown(PairingStats stats, IEnumerable<string> images)
        => ReportMarkdown.Render("KNN pairing statistics", Rows(stats), images);

    private static string N(long value) => ReportMarkdown.Count(value);

    private static string G(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string P(double share) => ReportMarkdown.Share(share);

    private static string D(DistributionSummary d) => ReportMarkdown.Distribution(d);

    private static string F(DistributionSummary d) =>
        d.Count == 0
            ? "-"
            : string.Create(CultureInfo.InvariantCulture, $"{d.Min:0.###} / {d.Median:0.###} / {d.Mean:0.###} / {d.P90:0.###} / {d.Max:0.###}");
}

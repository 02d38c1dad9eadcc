using System.Globalization;
using System.Text.Json;
using SpotifyBuddies.Data.Preparation;

namespace SpotifyBuddies.Data.Reports;

/// <summary>One line of the readable statistics table.</summary>
public sealed record ReportRow(string Section, string Measure, string Value);

/// <summary>
/// The statistics of a prepared dataset as a readable table (<c>stats.md</c>, and the CLI's table) and as JSON
/// (<c>stats.json</c>). Same layout and the same quantities the original reported (likes per user, ownership
/// Gini and top shares, triplets per user), plus every count of what was dropped and why.
/// </summary>
public static class PreparationReport
{
    public static string ToJson(PreparationStats stats) =>
        JsonSerializer.Serialize(stats, PreparationJsonContext.Default.PreparationStats) + "\n";

    public static IReadOnlyList<ReportRow> Rows(PreparationStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var i = stats.Input;
        var o = stats.Overlap;
        var s = stats.Sampling;
        var sp = stats.Splits;
        var ow = stats.Ownership;
        var t = stats.Triplets;
        var e = stats.Evaluation;
        return
        [
            new("inputs", "MSD rows / song ids / blank title or artist", $"{N(i.MsdRecords)} / {N(i.MsdSongIds)} / {N(i.MsdBlankTitleOrArtist)}"),
            new("", "MSD repeated song ids (conflicting)", $"{N(i.MsdDuplicateSongIds)} ({N(i.MsdConflictingDuplicates)})"),
            new("", "ENTP rows / users", $"{N(i.EntpRows)} / {N(i.EntpUsers)}"),
            new("", "ENTP rows dropped: unknown song id / blank title or artist", $"{N(i.EntpRowsUnknownSongId)} / {N(i.EntpRowsBlankTitleOrArtist)}"),
            new("", "ENTP users without a known song (dropped)", N(i.EntpUsersWithoutKnownSongs)),
            new("", "MPD slices / playlists / tracks", $"{N(i.MpdSlices)} / {N(i.MpdPlaylists)} / {N(i.MpdTracks)}"),
            new("", "MPD tracks with blank title or artist / playlists without songs", $"{N(i.MpdTracksBlankTitleOrArtist)} / {N(i.MpdPlaylistsWithoutSongs)}"),
            new("", "song keys: ENTP / MPD / shared / union", $"{N(i.EntpSongKeys)} / {N(i.MpdSongKeys)} / {N(i.SharedSongKeys)} / {N(i.SongKeys)}"),
            new("", "malformed records skipped", N(i.SkippedMalformedRecords)),
            new("overlap", "users indexed / with an overlapping playlist / without", $"{N(o.UsersIndexed)} / {N(o.UsersWithOverlap)} / {N(o.UsersWithoutOverlap)}"),
            new("", "users scored / pairs with overlap", $"{N(o.UsersScored)} / {N(o.PairsWithOverlap)}"),
            new("", "overlapping playlists per user", D(o.OverlappingPlaylistsPerUser)),
            new("", "score min / mean / max", $"{G(o.ScoreMin)} / {G(o.ScoreMean)} / {G(o.ScoreMax)}"),
            new("", "exploration e (min / median / mean / p99 / max)", string.Create(CultureInfo.InvariantCulture, $"{o.Exploration.Min:0.####} / {o.Exploration.Median:0.####} / {o.Exploration.Mean:0.####} / {o.Exploration.P99:0.####} / {o.Exploration.Max:0.####}")),
            new("likes", "liked pairs", N(o.Likes)),
            new("", "likes per user", D(o.LikesPerUser)),
            new("sampling", "fraction of users kept", G(s.SampleUsers)),
            new("", "users before / after", $"{N(s.UsersBefore)} / {N(s.UsersAfter)}"),
            new("", "playlists before / after (dropped: liked by nobody)", $"{N(s.PlaylistsBefore)} / {N(s.PlaylistsAfter)} ({N(s.PlaylistsDropped)})"),
            new("", "songs before / after", $"{N(s.SongsBefore)} / {N(s.SongsAfter)}"),
            new("splits", "cold users (their likes)", $"{N(sp.ColdUsers)} ({N(sp.ColdUserLikes)})"),
            new("", "warm users / all in train (few positives)", $"{N(sp.WarmUsers)} / {N(sp.UsersAllTrain)}"),
            new("", "positives train / validation / test", $"{N(sp.TrainPositives)} / {N(sp.ValidationPositives)} / {N(sp.TestPositives)}"),
            new("ownership", "candidates / owners (share of users)", $"{N(ow.Candidates)} / {N(ow.Owners)} ({P(ow.OwnerShareOfUsers)})"),
            new("", "owned / unowned playlists (all candidates at cap / no candidate)", $"{N(ow.OwnedPlaylists)} / {N(ow.UnownedPlaylists)} ({N(ow.UnownedAllCandidatesAtCap)} / {N(ow.UnownedWithoutCandidates)})"),
            new("", "owned per owner", D(ow.OwnedPerOwner)),
            new("", "Gini", string.Create(CultureInfo.InvariantCulture, $"{ow.Gini:0.0000}")),
            new("", "share held by the top 1% / 5% / 10% / 25% of owners", $"{P(ow.Top1PercentShare)} / {P(ow.Top5PercentShare)} / {P(ow.Top10PercentShare)} / {P(ow.Top25PercentShare)}"),
            new("triplets", "triplets / users with triplets", $"{N(t.Triplets)} / {N(t.UsersWithTriplets)}"),
            new("", "triplets per user", D(t.TripletsPerUser)),
            new("", "users: sampled / no train positives / no pool / pool too small", $"{N(t.Outcomes.Sampled)} / {N(t.Outcomes.NoTrainPositives)} / {N(t.Outcomes.NoNegativePool)} / {N(t.Outcomes.PoolTooSmall)}"),
            new("", "negative pool per user", D(t.NegativePoolPerUser)),
            new("", "hard pool per user", D(t.HardPoolPerUser)),
            new("evaluation", "negatives per row / universe playlists", $"{N(e.Negatives)} / {N(e.UniversePlaylists)}"),
            new("", "validation rows (users)", $"{N(e.ValidationRows)} ({N(e.ValidationUsers)})"),
            new("", "test rows (users)", $"{N(e.TestRows)} ({N(e.TestUsers)})"),
            new("", "short rows (padded with -1)", N(e.ShortRows)),
        ];
    }

    /// <summary>The table as GitHub-flavoured Markdown, with a title and the histogram images.</summary>
    public static string ToMarkdown(PreparationStats stats, IEnumerable<string> images)
        => ReportMarkdown.Render("Prepared dataset statistics", Rows(stats), images);

    private static string N(long value) => ReportMarkdown.Count(value);

    private static string G(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    private static string P(double share) => ReportMarkdown.Share(share);

    private static string D(DistributionSummary d) => ReportMarkdown.Distribution(d);
}

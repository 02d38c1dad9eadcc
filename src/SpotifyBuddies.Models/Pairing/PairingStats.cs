using System.Text.Json.Serialization;
using SpotifyBuddies.Core.Pairing;
using SpotifyBuddies.Core.Preparation;
using SpotifyBuddies.Data.Reports;

namespace SpotifyBuddies.Models.Pairing;

/// <summary>
/// The statistics of a pairing run: the ones the original reported (neighbours per user, how often a user is chosen
/// as a neighbour, reachable playlists per user, users under 1/5/20 reachable playlists) plus the pools and why
/// users have none. Depends only on the content, never on timings or threads.
/// </summary>
public sealed record PairingStats
{
    public required PairingInputStats Input { get; init; }
    public required CandidateStats Candidates { get; init; }
    public required SelectionStats Selection { get; init; }
    public required PopularityStats Popularity { get; init; }
    public required ReachStats Reachable { get; init; }
    public required PoolStats Pools { get; init; }

    /// <summary>Computes the statistics of <paramref name="outcome"/>.</summary>
    public static PairingStats Compute(
        UserLibraries libraries,
        UserPlaylists owned,
        UserPlaylists trainLiked,
        int playlists,
        string engine,
        PairingParameters parameters,
        NeighbourLists lists,
        PairingOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(libraries);
        ArgumentNullException.ThrowIfNull(owned);
        ArgumentNullException.ThrowIfNull(trainLiked);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentNullException.ThrowIfNull(outcome);
        var users = lists.Users;

        long emptyLibraries = 0, owners = 0, withoutCandidates = 0, fullK = 0, met = 0, walked = 0, neighbourTotal = 0;
        var tops = new List<double>(users);
        var lasts = new List<double>(users);
        for (var u = 0; u < users; u++)
        {
            emptyLibraries += libraries.Offsets[u + 1] == libraries.Offsets[u] ? 1 : 0;
            owners += owned.CountOf(u) > 0 ? 1 : 0;
            var count = lists.Counts[u];
            withoutCandidates += count == 0 ? 1 : 0;
            fullK += count == lists.K ? 1 : 0;
            if (count > 0)
            {
                var similarities = lists.SimilaritiesOf(u);
                tops.Add(similarities[0]);
                lasts.Add(similarities[^1]);
            }

            met += outcome.MetMinimums[u] ? 1 : 0;
            walked += outcome.Walked[u];
            neighbourTotal += outcome.NeighbourCounts[u];
        }

        var chosen = Array.FindAll(TimesChosen(lists, outcome), t => t > 0);
        var inPool = new bool[playlists];
        long under1 = 0, under5 = 0, under20 = 0, withExclusions = 0, excludedTotal = 0, poolRows = 0;
        var reasons = new long[4];
        for (var u = 0; u < users; u++)
        {
            var reachable = outcome.Reachable[u];
            under1 += reachable < 1 ? 1 : 0;
            under5 += reachable < 5 ? 1 : 0;
            under20 += reachable < 20 ? 1 : 0;
            withExclusions += outcome.Excluded[u] > 0 ? 1 : 0;
            excludedTotal += outcome.Excluded[u];
            reasons[(int)outcome.Reasons[u]]++;
            poolRows += outcome.PoolCounts[u];
            foreach (var playlist in outcome.PoolOf(u))
            {
                inPool[playlist] = true;
            }
        }

        var distinctInPools = Array.FindAll(inPool, x => x).Length;
        var pools = Array.FindAll(outcome.PoolCounts, c => c > 0);
        return new PairingStats
        {
            Input = new PairingInputStats
            {
                Users = users,
                UsersWithEmptyLibrary = emptyLibraries,
                Playlists = playlists,
                OwnedPlaylists = owned.Count,
                Owners = owners,
                TrainPositives = trainLiked.Count,
            },
            Candidates = new CandidateStats
            {
                Engine = engine,
                K = lists.K,
                CandidatesPerUser = DistributionSummary.Of(lists.Counts),
                UsersWithoutCandidates = withoutCandidates,
                UsersWithFullK = fullK,
                TopSimilarity = DistributionSummary.Of(tops.ToArray()),
                LastSimilarity = DistributionSummary.Of(lasts.ToArray()),
            },
            Selection = new SelectionStats
            {
                MinNeighbours = parameters.MinNeighbours,
                MinPlaylists = parameters.MinPlaylists,
                ShuffleCandidates = parameters.ShuffleCandidates,
                NeighboursPerUser = DistributionSummary.Of(outcome.NeighbourCounts),
                UsersMetMinimums = met,
                UsersKeptAllOwners = users - met,
                CandidatesWalked = walked,
                CandidatesSkippedAsNonOwners = walked - neighbourTotal,
            },
            Popularity = new PopularityStats
            {
                UsersChosen = chosen.Length,
                UsersNeverChosen = users - chosen.Length,
                TimesChosen = DistributionSummary.Of(chosen),
                Gini = Concentration.Gini(chosen),
                Top1PercentShare = Concentration.TopShare(chosen, 0.01),
                Top10PercentShare = Concentration.TopShare(chosen, 0.10),
            },
            Reachable = new ReachStats
            {
                ReachablePerUser = DistributionSummary.Of(outcome.Reachable),
                UsersUnder1 = under1,
                UsersUnder5 = under5,
                UsersUnder20 = under20,
                UsersWithExclusions = withExclusions,
                ExcludedOwnOrTrainLiked = excludedTotal,
            },
            Pools = new PoolStats
            {
                PoolSize = parameters.PoolSize,
                PoolSizePerUser = DistributionSummary.Of(pools),
                UsersWithPool = pools.Length,
                UsersWithoutPool = users - pools.Length,
                NoCandidates = reasons[(int)NoPoolReason.NoCandidates],
                NoOwnerAmongCandidates = reasons[(int)NoPoolReason.NoOwnerAmongCandidates],
                AllExcluded = reasons[(int)NoPoolReason.AllExcluded],
                PoolRows = poolRows,
                DistinctPlaylists = distinctInPools,
                OwnedPlaylistCoverage = owned.Count == 0 ? 0 : distinctInPools / (double)owned.Count,
            },
        };
    }

    /// <summary>How often each user was kept as someone's neighbour (the "user popularity as neighbour" plot's input).</summary>
    public static int[] TimesChosen(NeighbourLists lists, PairingOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentNullException.ThrowIfNull(outcome);
        var times = new int[lists.Users];
        for (var u = 0; u < lists.Users; u++)
        {
            var candidates = lists.Of(u);
            var selected = outcome.SelectedOf(u, candidates.Length);
            for (var i = 0; i < candidates.Length; i++)
            {
                times[candidates[i]] += selected[i];
            }
        }

        return times;
    }
}

public sealed record PairingInputStats
{
    public required long Users { get; init; }
    public required long UsersWithEmptyLibrary { get; init; }
    public required long Playlists { get; init; }
    public required long OwnedPlaylists { get; init; }
    public required long Owners { get; init; }
    public required long TrainPositives { get; init; }
}

public sealed record CandidateStats
{
    public required string Engine { get; init; }
    public required int K { get; init; }

    /// <summary>Candidates found per user (fewer than K when fewer users share a song with them).</summary>
    public required DistributionSummary CandidatesPerUser { get; init; }
    public required long UsersWithoutCandidates { get; init; }
    public required long UsersWithFullK { get; init; }

    /// <summary>Similarity of each user's most similar candidate (users with candidates).</summary>
    public required DistributionSummary TopSimilarity { get; init; }

    /// <summary>Similarity of each user's last (least similar) candidate.</summary>
    public required DistributionSummary LastSimilarity { get; init; }
}

public sealed record SelectionStats
{
    public required int MinNeighbours { get; init; }
    public required int MinPlaylists { get; init; }
    public required bool ShuffleCandidates { get; init; }

    /// <summary>Neighbours kept per user (the original: min 0 / max 50 / mean 36.79 / median 39).</summary>
    public required DistributionSummary NeighboursPerUser { get; init; }

    /// <summary>Users whose walk met both minimums and stopped.</summary>
    public required long UsersMetMinimums { get; init; }

    /// <summary>Users whose walk ran out of candidates and kept every owner among them.</summary>
    public required long UsersKeptAllOwners { get; init; }
    public required long CandidatesWalked { get; init; }
    public required long CandidatesSkippedAsNonOwners { get; init; }
}

public sealed record PopularityStats
{
    /// <summary>Users kept as somebody's neighbour at least once (the original: 39,634).</summary>
    public required long UsersChosen { get; init; }
    public required long UsersNeverChosen { get; init; }

    /// <summary>Times each chosen user was kept (the original: mean 94.41, max 2,348).</summary>
    public required DistributionSummary TimesChosen { get; init; }
    public required double Gini { get; init; }
    public required double Top1PercentShare { get; init; }
    public required double Top10PercentShare { get; init; }
}

public sealed record ReachStats
{
    /// <summary>Distinct playlists the kept neighbours own, less the user's own and train-liked ones (the original, without that exclusion: min 0 / max 1,248 / mean 266.27 / median 221).</summary>
    public required DistributionSummary ReachablePerUser { get; init; }

    /// <summary>Users with fewer than 1 / 5 / 20 reachable playlists (the original: 82 / 594 / 2,875).</summary>
    public required long UsersUnder1 { get; init; }
    public required long UsersUnder5 { get; init; }
    public required long UsersUnder20 { get; init; }
    public required long UsersWithExclusions { get; init; }

    /// <summary>Neighbour-owned playlists left out because the user owns or liked them in training (the original kept them).</summary>
    public required long ExcludedOwnOrTrainLiked { get; init; }
}

public sealed record PoolStats
{
    public required int PoolSize { get; init; }

    /// <summary>Pool size per user with a pool.</summary>
    public required DistributionSummary PoolSizePerUser { get; init; }
    public required long UsersWithPool { get; init; }
    public required long UsersWithoutPool { get; init; }
    public required long NoCandidates { get; init; }
    public required long NoOwnerAmongCandidates { get; init; }
    public required long AllExcluded { get; init; }
    public required long PoolRows { get; init; }
    public required long DistinctPlaylists { get; init; }

    /// <summary>Share of the owned playlists that appear in some pool.</summary>
    public required double OwnedPlaylistCoverage { get; init; }
}

[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(PairingStats))]
[JsonSerializable(typeof(PairingParameters))]
internal sealed partial class PairingJsonContext : JsonSerializerContext;

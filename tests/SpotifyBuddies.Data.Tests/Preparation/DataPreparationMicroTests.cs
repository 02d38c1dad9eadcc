using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Core.Preparation;
using SpotifyBuddies.Core.Randomness;
using SpotifyBuddies.Data.Datasets;
using SpotifyBuddies.Data.Inspection;

namespace SpotifyBuddies.Data.Tests.Preparation;

/// <summary>A hand-made dataset small enough to state every expected like and score.</summary>
public sealed class DataPreparationMicroTests : IDisposable
{
    // Source playlist order (file order): p0 {A,B}, p1 {A,C,D}, p2 {E,F}, p3 {G,H}, p4 {B,A} (the same set as p0).
    // alice {A,B,C}: p0 m=2, p1 m=2, p4 m=2 (p0 and p4 tie exactly); bob {A,D}: p0 m=1, p1 m=2, p4 m=1; carol {E}: p2 m=1;
    // dave {Z}: no playlist has Z; erin: only an unknown song id. p3 overlaps nobody.
    private static readonly MicroDataset.Song[] Songs =
    [
        new("SOA", "Alpha", "Band"), new("SOB", "Beta", "Band"), new("SOC", "Gamma", "Band"), new("SOD", "Delta", "Duo"),
        new("SOE", "Epsilon", "Solo"), new("SOZ", "Zeta", "Nobody"),
    ];

    private static readonly (string, string)[] Rows =
    [
        ("alice", "SOA"), ("alice", "SOB"), ("alice", "SOC"), ("alice", "SOB"),
        ("bob", "SOA"), ("bob", "SOD"),
        ("carol", "SOE"),
        ("dave", "SOZ"),
        ("erin", "SO-UNKNOWN"),
    ];

    // MPD spells some keys differently: normalisation (trim, lower case) must join them.
    private static readonly MicroDataset.Playlist[] Playlists =
    [
        new(100, "p0", ("alpha", "band"), (" BETA ", "Band")),
        new(101, "p1", ("Alpha", "Band"), ("Gamma", "BAND"), ("Delta", "Duo")),
        new(102, "p2", ("Epsilon", "Solo"), ("Phi", "Solo")),
        new(103, "p3", ("Eta", "X"), ("Theta", "X")),
        new(104, "p4", ("Beta", "Band"), ("Alpha", "Band"), ("Alpha", "Band")),
    ];

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task RunAsync_WhenEveryOverlapIsLiked_WritesExactScoresInTheLikeOrder()
    {
        var inputs = MicroDataset.Write(_temp.Sub("raw"), Songs, Rows, Playlists);
        var parameters = new PreparationParameters { LikedFraction = 1.0 };

        var result = await Prepare.RunAsync(inputs, _temp.Sub("out"), parameters);

        var e = Exploration(parameters.Seed, 3);
        // Kept playlists p0, p1, p2, p4 become 0, 1, 2, 3; users alice, bob, carol become 0, 1, 2.
        var expected = new List<(int User, int Playlist, int Matches, double Score)>
        {
            (0, 0, 2, LikeScoring.Score(2, e[0], 3, 2)),
            (0, 3, 2, LikeScoring.Score(2, e[0], 3, 2)), // ties p0 exactly: the lower playlist index comes first
            (0, 1, 2, LikeScoring.Score(2, e[0], 3, 3)),
            (2, 2, 1, LikeScoring.Score(1, e[2], 1, 2)),
        };
        var bob = new[] { (1, 0, 1, LikeScoring.Score(1, e[1], 2, 2)), (1, 1, 2, LikeScoring.Score(2, e[1], 2, 3)), (1, 3, 1, LikeScoring.Score(1, e[1], 2, 2)) }
            .OrderByDescending(l => l.Item4).ThenBy(l => l.Item2);
        expected.InsertRange(3, bob);

        Assert.Equal(expected, await ReadLikesAsync(result.OutputDir));
        var users = Path.Combine(result.OutputDir, PreparedDatasetLayout.Users);
        var playlists = Path.Combine(result.OutputDir, PreparedDatasetLayout.Playlists);
        var userIds = await ParquetTableReader.ReadStringAsync(users, "user_id");
        var librarySizes = await ParquetTableReader.ReadInt32Async(users, "songs");
        var pids = await ParquetTableReader.ReadInt32Async(playlists, "pid");
        var sources = await ParquetTableReader.ReadInt32Async(playlists, "source_playlist_idx");
        Assert.Equal(["alice", "bob", "carol"], userIds);
        Assert.Equal([3, 2, 1], librarySizes);
        Assert.Equal([100, 101, 102, 104], pids);
        Assert.Equal([0, 1, 2, 4], sources);
    }

    [Fact]
    public async Task RunAsync_OnMicroDataset_CountsEveryDropInsteadOfFailing()
    {
        var inputs = MicroDataset.Write(_temp.Sub("raw"), Songs, Rows, Playlists);

        var result = await Prepare.RunAsync(inputs, _temp.Sub("out"), new PreparationParameters { LikedFraction = 1.0 });

        var stats = result.Stats;
        Assert.Equal(1, stats.Input.EntpRowsUnknownSongId);
        Assert.Equal(1, stats.Input.EntpUsersWithoutKnownSongs); // erin
        Assert.Equal(4, stats.Input.EntpUsers - stats.Input.EntpUsersWithoutKnownSongs);
        Assert.Equal(1, stats.Overlap.UsersWithoutOverlap); // dave
        Assert.Equal(5, stats.Input.SharedSongKeys); // alpha, beta, gamma, delta, epsilon
        Assert.Equal(7, stats.Overlap.PairsWithOverlap);
        Assert.Equal(1, stats.Sampling.PlaylistsDropped); // p3
        Assert.Equal(3, stats.Triplets.Outcomes.NoNegativePool); // everything overlapping is liked
        Assert.Equal(0, stats.Evaluation.ValidationRows); // fewer than 5 positives: all train
        Assert.Contains(result.Warnings, w => w.Contains("users share no song", StringComparison.Ordinal));
        Assert.Equal(0, await ParquetTableReader.CountRowsAsync(Path.Combine(result.OutputDir, PreparedDatasetLayout.ValidationBatches)));
        Assert.Equal(0, await ParquetTableReader.CountRowsAsync(Path.Combine(result.OutputDir, PreparedDatasetLayout.Triplets)));
    }

    [Fact]
    public async Task RunAsync_WithAPartialLikedFraction_LikesTheTopOfTheRuleSort()
    {
        var inputs = MicroDataset.Write(_temp.Sub("raw"), Songs, Rows, Playlists);
        var parameters = new PreparationParameters { LikedFraction = 0.5 };

        var result = await Prepare.RunAsync(inputs, _temp.Sub("out"), parameters);

        // Users keep their source order; playlists are re-indexed after dropping unliked ones, so compare by pid.
        var e = Exploration(parameters.Seed, 3);
        var library = new[] { 3, 2, 1 };
        var overlaps = new[]
        {
            new[] { (100, 2, 2), (101, 2, 3), (104, 2, 2) },
            new[] { (100, 1, 2), (101, 2, 3), (104, 1, 2) },
            new[] { (102, 1, 2) },
        };
        var expected = new List<(int User, int Pid, double Score)>();
        for (var u = 0; u < 3; u++)
        {
            var scored = overlaps[u].Select(o => new ScoredPlaylist(new PlaylistIdx(o.Item1), o.Item2, LikeScoring.Score(o.Item2, e[u], library[u], o.Item3))).ToArray();
            var liked = LikeScoring.SelectLiked(scored, parameters.LikedFraction);
            expected.AddRange(scored.Take(liked).Select(s => (u, s.Playlist.Value, s.Score)));
        }

        var likes = await ReadLikesAsync(result.OutputDir);
        var pids = await ParquetTableReader.ReadInt32Async(Path.Combine(result.OutputDir, PreparedDatasetLayout.Playlists), "pid");
        Assert.Equal(expected, likes.Select(l => (l.User, pids[l.Playlist], l.Score)));
    }

    [Fact]
    public async Task RunAsync_WhenNoSongKeyIsShared_FailsWithCountsAndWritesNothing()
    {
        MicroDataset.Playlist[] strangers = [new(7, "elsewhere", ("Unheard", "Stranger"), ("Unsung", "Stranger"))];
        var inputs = MicroDataset.Write(_temp.Sub("raw"), Songs, Rows, strangers);

        var error = await Assert.ThrowsAsync<InvalidDatasetException>(() => Prepare.RunAsync(inputs, _temp.Sub("out")));

        var problem = Assert.Single(error.Problems);
        Assert.Contains("share no song key", problem, StringComparison.Ordinal);
        Assert.Contains("ENTP has 6 keys over 4 users", problem, StringComparison.Ordinal);
        Assert.Contains("MPD has 2 keys over 1 playlists", problem, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Sub("out")));
        Assert.Empty(_temp.Leftovers());
    }

    [Fact]
    public async Task RunAsync_WhenNoEntpSongHasMetadata_FailsNamingTheJoin()
    {
        var inputs = MicroDataset.Write(_temp.Sub("raw"), Songs, [("zed", "SO-NOPE"), ("zed", "SO-NADA")], Playlists);

        var error = await Assert.ThrowsAsync<InvalidDatasetException>(() => Prepare.RunAsync(inputs, _temp.Sub("out")));

        Assert.Contains(error.Problems, p => p.Contains("no ENTP user has a song with MSD metadata", StringComparison.Ordinal)
            && p.Contains("2 with a song id missing from the MSD file", StringComparison.Ordinal));
        Assert.Empty(_temp.Leftovers());
    }

    private static double[] Exploration(ulong seed, int users)
    {
        // The documented stream: Fork("exploration").Fork(source user index), one Beta(1.3, 3.3) draw.
        var root = new DeterministicRandom(seed).Fork("exploration");
        return [.. Enumerable.Range(0, users).Select(u => root.Fork((ulong)u).NextBeta(1.3, 3.3))];
    }

    private static async Task<List<(int User, int Playlist, int Matches, double Score)>> ReadLikesAsync(string dataset)
    {
        var path = Path.Combine(dataset, PreparedDatasetLayout.Likes);
        var users = await ParquetTableReader.ReadInt32Async(path, "user_idx");
        var playlists = await ParquetTableReader.ReadInt32Async(path, "playlist_idx");
        var matches = await ParquetTableReader.ReadInt32Async(path, "matches");
        var scores = await ParquetTableReader.ReadDoubleAsync(path, "score");
        return [.. users.Select((u, i) => (u, playlists[i], matches[i], scores[i]))];
    }
}

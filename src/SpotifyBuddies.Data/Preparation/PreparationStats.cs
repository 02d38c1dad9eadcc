using System.Text.Json.Serialization;
using SpotifyBuddies.Data.Reports;

namespace SpotifyBuddies.Data.Preparation;

/// <summary>
/// Everything a run counted, section by section (the quantities the original reported, and the drops it did
/// not). Deterministic: it depends on the inputs and parameters only, so <c>stats.json</c> has a stable hash.
/// </summary>
public sealed record PreparationStats
{
    public required InputStats Input { get; init; }
    public required OverlapStats Overlap { get; init; }
    public required SamplingStats Sampling { get; init; }
    public required SplitStats Splits { get; init; }
    public required OwnershipStats Ownership { get; init; }
    public required TripletStats Triplets { get; init; }
    public required EvaluationStats Evaluation { get; init; }
}

/// <summary>What the readers saw and what the join dropped.</summary>
public sealed record InputStats
{
    public required long MsdRecords { get; init; }
    public required long MsdSongIds { get; init; }
    /// <summary>Rows repeating a song id (the first row wins).</summary>
    public required long MsdDuplicateSongIds { get; init; }
    /// <summary>Repeated song ids whose title/artist give a different key than the first row.</summary>
    public required long MsdConflictingDuplicates { get; init; }
    public required long MsdBlankTitleOrArtist { get; init; }
    public required long EntpRows { get; init; }
    /// <summary>ENTP rows dropped because the song id has no MSD metadata.</summary>
    public required long EntpRowsUnknownSongId { get; init; }
    /// <summary>ENTP rows dropped because the song's MSD title or artist is blank.</summary>
    public required long EntpRowsBlankTitleOrArtist { get; init; }
    public required long EntpUsers { get; init; }
    /// <summary>Users all of whose rows were dropped: not indexed.</summary>
    public required long EntpUsersWithoutKnownSongs { get; init; }
    public required long MpdSlices { get; init; }
    public required long MpdPlaylists { get; init; }
    public required long MpdTracks { get; init; }
    public required long MpdTracksBlankTitleOrArtist { get; init; }
    public required long MpdPlaylistsWithoutSongs { get; init; }
    public required long EntpSongKeys { get; init; }
    public required long MpdSongKeys { get; init; }
    /// <summary>Keys in both universes: the only way users and playlists can meet.</summary>
    public required long SharedSongKeys { get; init; }
    /// <summary>Size of the song index (the union).</summary>
    public required long SongKeys { get; init; }
    public required long SkippedMalformedRecords { get; init; }
}

/// <summary>The sparse overlap, the scores and the "liked" labels.</summary>
public sealed record OverlapStats
{
    /// <summary>Users with at least one known song.</summary>
    public required long UsersIndexed { get; init; }
    /// <summary>Users sharing at least one song key with some playlist.</summary>
    public required long UsersWithOverlap { get; init; }
    /// <summary>Users sharing no song key with any playlist: dropped (they can like nothing).</summary>
    public required long UsersWithoutOverlap { get; init; }
    /// <summary>Users whose overlaps were scored (after sampling).</summary>
    public required long UsersScored { get; init; }
    /// <summary>(user, playlist) pairs with m &gt; 0 over the scored users.</summary>
    public required long PairsWithOverlap { get; init; }
    public required DistributionSummary OverlappingPlaylistsPerUser { get; init; }
    public required double ScoreMin { get; init; }
    public required double ScoreMean { get; init; }
    public required double ScoreMax { get; init; }
    public required DistributionSummary Exploration { get; init; }
    public required long Likes { get; init; }
    public required DistributionSummary LikesPerUser { get; init; }
}

/// <summary>Down-sampling of users and the playlists liked by nobody left.</summary>
public sealed record SamplingStats
{
    public required double SampleUsers { get; init; }
    /// <summary>Users eligible for sampling (those with an overlap).</summary>
    public required long UsersBefore { get; init; }
    public required long UsersAfter { get; init; }
    public required long PlaylistsBefore { get; init; }
    public required long PlaylistsAfter { get; init; }
    /// <summary>Playlists liked by no kept user: dropped.</summary>
    public required long PlaylistsDropped { get; init; }
    public required long SongsBefore { get; init; }
    /// <summary>Songs in a kept user's library or a kept playlist.</summary>
    public required long SongsAfter { get; init; }
}

/// <summary>Cold users and the 70/20/10 split of the warm users' positives.</summary>
public sealed record SplitStats
{
    public required long ColdUsers { get; init; }
    public required long ColdUserLikes { get; init; }
    public required long WarmUsers { get; init; }
    /// <summary>Warm users with fewer than MinPositivesToSplit positives: all in train.</summary>
    public required long UsersAllTrain { get; init; }
    public required long TrainPositives { get; init; }
    public required long ValidationPositives { get; init; }
    public required long TestPositives { get; init; }
}

/// <summary>Who owns which playlist.</summary>
public sealed record OwnershipStats
{
    /// <summary>Liked pairs eligible to own (all likes minus each user's own validation positives).</summary>
    public required long Candidates { get; init; }
    public required long Owners { get; init; }
    /// <summary>Owners as a share of all kept users.</summary>
    public required double OwnerShareOfUsers { get; init; }
    public required long OwnedPlaylists { get; init; }
    public required long UnownedPlaylists { get; init; }
    /// <summary>Unowned because every candidate already owned the cap.</summary>
    public required long UnownedAllCandidatesAtCap { get; init; }
    /// <summary>Unowned because every user who liked it has it as a validation positive.</summary>
    public required long UnownedWithoutCandidates { get; init; }
    public required DistributionSummary OwnedPerOwner { get; init; }
    public required double Gini { get; init; }
    public required double Top1PercentShare { get; init; }
    public required double Top5PercentShare { get; init; }
    public required double Top10PercentShare { get; init; }
    public required double Top25PercentShare { get; init; }
}

/// <summary>Negative pools and training triplets.</summary>
public sealed record TripletStats
{
    public required long Triplets { get; init; }
    public required long UsersWithTriplets { get; init; }
    /// <summary>Over users with triplets.</summary>
    public required DistributionSummary TripletsPerUser { get; init; }
    /// <summary>Warm users by <c>TripletOutcome</c>.</summary>
    public required TripletOutcomeCounts Outcomes { get; init; }
    /// <summary>Negative pool size (overlapping, not liked, not owned) over warm users.</summary>
    public required DistributionSummary NegativePoolPerUser { get; init; }
    public required DistributionSummary HardPoolPerUser { get; init; }
    /// <summary>Buckets of the two-pass shuffle that orders <c>triplets.i32</c>.</summary>
    public required int ShuffleBuckets { get; init; }
}

/// <summary>Warm users by what happened to their triplets.</summary>
public sealed record TripletOutcomeCounts(long Sampled, long NoTrainPositives, long NoNegativePool, long PoolTooSmall);

/// <summary>Validation and test batches.</summary>
public sealed record EvaluationStats
{
    /// <summary>Negatives per row (the row width).</summary>
    public required int Negatives { get; init; }
    /// <summary>Playlists negatives are drawn from: all train and validation positives and owned playlists.</summary>
    public required long UniversePlaylists { get; init; }
    public required long ValidationRows { get; init; }
    public required long ValidationUsers { get; init; }
    public required long TestRows { get; init; }
    public required long TestUsers { get; init; }
    /// <summary>Rows with fewer negatives than the width (too few eligible playlists), padded with -1.</summary>
    public required long ShortRows { get; init; }
}

[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(PreparationStats))]
[JsonSerializable(typeof(Core.Preparation.PreparationParameters))]
internal sealed partial class PreparationJsonContext : JsonSerializerContext;

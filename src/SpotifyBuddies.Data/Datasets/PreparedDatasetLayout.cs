namespace SpotifyBuddies.Data.Datasets;

/// <summary>
/// The files of a prepared dataset (<c>kind = prepared-dataset</c>), their columns and what they mean. All
/// indexes are dense and 0-based: <c>user_idx</c> into <see cref="Users"/>, <c>playlist_idx</c> into
/// <see cref="Playlists"/>, <c>song_idx</c> into <see cref="Songs"/>.
/// </summary>
public static class PreparedDatasetLayout
{
    public const string Kind = "prepared-dataset";

    public const string Users = "users.parquet";
    public const string Playlists = "playlists.parquet";
    public const string Songs = "songs.parquet";
    public const string UserSongs = "user_songs.parquet";
    public const string PlaylistSongs = "playlist_songs.parquet";
    public const string Likes = "likes.parquet";
    public const string Positives = "positives.parquet";
    public const string ColdUsers = "cold_users.parquet";
    public const string Ownership = "ownership.parquet";
    public const string Triplets = "triplets.parquet";
    public const string TripletsRaw = "triplets.i32";
    public const string ValidationBatches = "val_batches.parquet";
    public const string ValidationBatchesRaw = "val_batches.i32";
    public const string TestBatches = "test_batches.parquet";
    public const string TestBatchesRaw = "test_batches.i32";
    public const string StatsJson = "stats.json";
    public const string StatsMarkdown = "stats.md";
    public const string LikesHistogram = "likes_per_user.svg";
    public const string OwnershipHistogram = "owned_per_owner.svg";
    public const string TripletsHistogram = "triplets_per_user.svg";

    /// <summary>Split codes of <see cref="Positives"/>.</summary>
    public const int SplitTrain = 0;
    public const int SplitValidation = 1;
    public const int SplitTest = 2;

    /// <summary>Padding of an evaluation row that has fewer negatives than the width (only when few playlists are eligible).</summary>
    public const int MissingNegative = -1;

    public static IReadOnlyList<ColumnSchema> UsersColumns { get; } =
    [
        new("user_idx", ColumnType.I32, "dense user index of this dataset (0..users-1), ENTP first-appearance order"),
        new("user_id", ColumnType.Text, "ENTP user hash"),
        new("source_user_idx", ColumnType.I32, "index among all ENTP users with a known song, before filtering and sampling (the original's user_idx space)"),
        new("songs", ColumnType.I32, "s: the user's unique song keys (whole library)"),
        new("exploration", ColumnType.F64, "e ~ Beta(alpha, beta), the user's exploration draw"),
    ];

    public static IReadOnlyList<ColumnSchema> PlaylistsColumns { get; } =
    [
        new("playlist_idx", ColumnType.I32, "dense playlist index of this dataset, MPD file order"),
        new("pid", ColumnType.I32, "MPD pid"),
        new("name", ColumnType.Text, "MPD playlist name"),
        new("source_playlist_idx", ColumnType.I32, "running counter over all MPD playlists in slice-file order (the original's playlist_idx space)"),
        new("songs", ColumnType.I32, "p: the playlist's unique song keys"),
    ];

    public static IReadOnlyList<ColumnSchema> SongsColumns { get; } =
    [
        new("song_idx", ColumnType.I32, "dense song index, in ordinal order of the key"),
        new("song_key", ColumnType.Text, "lower(trim(title)) + '@@' + lower(trim(artist))"),
    ];

    public static IReadOnlyList<ColumnSchema> UserSongsColumns { get; } =
    [
        new("user_idx", ColumnType.I32, "user"),
        new("song_idx", ColumnType.I32, "a song of the user's library (unique per user, ascending)"),
    ];

    public static IReadOnlyList<ColumnSchema> PlaylistSongsColumns { get; } =
    [
        new("playlist_idx", ColumnType.I32, "playlist"),
        new("song_idx", ColumnType.I32, "a song of the playlist (unique per playlist, ascending)"),
    ];

    public static IReadOnlyList<ColumnSchema> LikesColumns { get; } =
    [
        new("user_idx", ColumnType.I32, "user"),
        new("playlist_idx", ColumnType.I32, "a liked playlist"),
        new("matches", ColumnType.I32, "m: song keys shared by the user and the playlist"),
        new("score", ColumnType.F64, "((1-e)*ln(1+m)+e)/(sqrt(s)*sqrt(p))"),
        new("rank", ColumnType.I32, "position in the user's like order (score descending, playlist_idx ascending), from 0"),
    ];

    public static IReadOnlyList<ColumnSchema> PositivesColumns { get; } =
    [
        new("user_idx", ColumnType.I32, "a warm (non-cold) user"),
        new("playlist_idx", ColumnType.I32, "one of the user's liked playlists"),
        new("split", ColumnType.I32, "0 = train, 1 = validation, 2 = test"),
    ];

    public static IReadOnlyList<ColumnSchema> ColdUsersColumns { get; } =
    [
        new("user_idx", ColumnType.I32, "a user held out with all their likes (no positives, triplets or batches)"),
    ];

    public static IReadOnlyList<ColumnSchema> OwnershipColumns { get; } =
    [
        new("playlist_idx", ColumnType.I32, "an owned playlist (unowned playlists have no row)"),
        new("owner_user_idx", ColumnType.I32, "its owner"),
    ];

    public static IReadOnlyList<ColumnSchema> TripletColumns { get; } =
    [
        new("user_idx", ColumnType.I32, "user"),
        new("pos_playlist_idx", ColumnType.I32, "a train positive of the user"),
        new("neg_playlist_idx", ColumnType.I32, "a negative: overlapping, not liked, not owned by the user"),
    ];

    /// <summary>user_idx, pos_playlist_idx, then neg_0 … neg_{width-1} (padded with <see cref="MissingNegative"/>).</summary>
    public static IReadOnlyList<ColumnSchema> EvaluationColumns(int negatives)
    {
        var columns = new List<ColumnSchema>(negatives + 2)
        {
            new("user_idx", ColumnType.I32, "user"),
            new("pos_playlist_idx", ColumnType.I32, "a held-out positive (validation or test)"),
        };
        for (var i = 0; i < negatives; i++)
        {
            columns.Add(new ColumnSchema(
                FormattableString.Invariant($"neg_{i}"),
                ColumnType.I32,
                "a playlist the user never interacted with (-1 pads a short row)"));
        }

        return columns;
    }
}

using SpotifyBuddies.Data.Datasets;

namespace SpotifyBuddies.Models.Pairing;

/// <summary>
/// The files of a pairing output (<c>kind = pairing</c>), derived from a prepared dataset (its <c>parent</c>), their
/// columns and what they mean. Indexes are those of the parent dataset.
/// </summary>
public static class PairingLayout
{
    public const string Kind = "pairing";

    public const string Neighbours = "neighbours.parquet";
    public const string Pools = "pools.parquet";
    public const string NoPoolUsers = "no_pool_users.parquet";
    public const string StatsJson = "stats.json";
    public const string StatsMarkdown = "stats.md";
    public const string NeighboursHistogram = "neighbours_per_user.svg";
    public const string ChosenHistogram = "times_chosen_as_neighbour.svg";
    public const string ReachableHistogram = "reachable_playlists_per_user.svg";

    public static IReadOnlyList<ColumnSchema> NeighbourColumns { get; } =
    [
        new("user_idx", ColumnType.I32, "user"),
        new("rank", ColumnType.I32, "position in the user's top-K, 0 = most similar (ties: smaller neighbour_user_idx first)"),
        new("neighbour_user_idx", ColumnType.I32, "a candidate neighbour (never the user; shares at least one song)"),
        new("similarity", ColumnType.F64, "cosine of the binary song libraries: shared / (sqrt(|a|)·sqrt(|b|)), float precision"),
        new("selected", ColumnType.I32, "1 if the walk kept this candidate as a neighbour (it owns a playlist and came before the stop), else 0"),
    ];

    public static IReadOnlyList<ColumnSchema> PoolColumns { get; } =
    [
        new("user_idx", ColumnType.I32, "user"),
        new("playlist_idx", ColumnType.I32, "a candidate playlist: owned by a selected neighbour, not owned or train-liked by the user (uniform sample of at most pool_size)"),
    ];

    public static IReadOnlyList<ColumnSchema> NoPoolUserColumns { get; } =
    [
        new("user_idx", ColumnType.I32, "a user with an empty pool (served as a cold user)"),
        new("reason", ColumnType.I32, "1 = no candidate (shares no song with anyone), 2 = no candidate owns a playlist, 3 = every reachable playlist is the user's own or train-liked"),
    ];
}

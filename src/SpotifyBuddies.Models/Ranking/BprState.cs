using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Models.Ranking;

/// <summary>
/// Everything a backend learns and needs to continue: both embedding tables (row-major, rows × <see cref="Dimensions"/>)
/// and the optimizer's state. This is what a checkpoint stores and what <see cref="IBprTrainer.Load"/> takes.
/// </summary>
public sealed class BprState
{
    public required int Users { get; init; }

    public required int Playlists { get; init; }

    public required int Dimensions { get; init; }

    /// <summary>Users × Dimensions, row-major.</summary>
    public required float[] UserEmbeddings { get; init; }

    /// <summary>Playlists × Dimensions, row-major.</summary>
    public required float[] PlaylistEmbeddings { get; init; }

    public required BprOptimizerState Optimizer { get; init; }

    /// <summary>
    /// Fresh tables, Xavier-uniform as <c>nn.init.xavier_uniform_</c> on an (rows × d) embedding weight:
    /// U(−b, b) with b = √(6 / (rows + d)). Users draw from the seed's fork "init/users", playlists from "init/playlists",
    /// so every backend starts from the same numbers. Optimizer state is empty (zeros, step 0).
    /// </summary>
    public static BprState Initialize(int users, int playlists, BprHyperparameters hyperparameters)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(users);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(playlists);
        var d = hyperparameters.Dimensions;
        var root = new DeterministicRandom(hyperparameters.Seed);
        return new BprState
        {
            Users = users,
            Playlists = playlists,
            Dimensions = d,
            UserEmbeddings = XavierUniform(users, d, root.Fork("init/users")),
            PlaylistEmbeddings = XavierUniform(playlists, d, root.Fork("init/playlists")),
            Optimizer = BprOptimizerState.Empty(hyperparameters.Optimizer, users, playlists, d),
        };
    }

    private static float[] XavierUniform(int rows, int d, DeterministicRandom random)
    {
        var bound = Math.Sqrt(6.0 / (rows + d));
        var values = new float[checked(rows * d)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(((2 * random.NextDouble()) - 1) * bound);
        }

        return values;
    }
}

/// <summary>
/// An optimizer's state: its kind, the global step count, and named per-table slot arrays.
/// <list type="bullet">
/// <item>lazy-adam: <c>user_m</c>, <c>user_v</c>, <c>playlist_m</c>, <c>playlist_v</c> (same shape as the tables);
/// <see cref="Step"/> = batches applied (SparseAdam's bias correction uses this one global count).</item>
/// <item>adagrad: <c>user_sum</c>, <c>playlist_sum</c> (squared-gradient sums, same shape as the tables).</item>
/// <item>sgd: no slots.</item>
/// </list>
/// </summary>
public sealed class BprOptimizerState
{
    public required BprOptimizer Kind { get; init; }

    public long Step { get; set; }

    public required IReadOnlyDictionary<string, float[]> Slots { get; init; }

    public static BprOptimizerState Empty(BprOptimizer kind, int users, int playlists, int dimensions)
    {
        var userSize = checked(users * dimensions);
        var playlistSize = checked(playlists * dimensions);
        var slots = new Dictionary<string, float[]>(StringComparer.Ordinal);
        switch (kind)
        {
            case BprOptimizer.LazyAdam:
                slots["user_m"] = new float[userSize];
                slots["user_v"] = new float[userSize];
                slots["playlist_m"] = new float[playlistSize];
                slots["playlist_v"] = new float[playlistSize];
                break;
            case BprOptimizer.Adagrad:
                slots["user_sum"] = new float[userSize];
                slots["playlist_sum"] = new float[playlistSize];
                break;
            case BprOptimizer.Sgd:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }

        return new BprOptimizerState { Kind = kind, Step = 0, Slots = slots };
    }
}

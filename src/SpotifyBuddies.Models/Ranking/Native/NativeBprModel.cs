using System.Globalization;

namespace SpotifyBuddies.Models.Ranking.Native;

/// <summary>
/// The native trainer's live model: both embedding tables and the optimizer slots as flat float arrays
/// (row r of a table is [r·d, (r+1)·d)), plus the global step count, which Hogwild workers advance atomically.
/// </summary>
internal sealed class NativeBprModel
{
    private long _step;

    private NativeBprModel(BprState state)
    {
        Users = state.Users;
        Playlists = state.Playlists;
        Dimensions = state.Dimensions;
        Optimizer = state.Optimizer.Kind;
        UserTable = AlignedBuffer<float>.CopyOf(state.UserEmbeddings);
        PlaylistTable = AlignedBuffer<float>.CopyOf(state.PlaylistEmbeddings);
        (var userFirst, var userSecond, var playlistFirst, var playlistSecond) = SlotNames(Optimizer);
        UserFirst = CloneSlot(state, userFirst);
        UserSecond = CloneSlot(state, userSecond);
        PlaylistFirst = CloneSlot(state, playlistFirst);
        PlaylistSecond = CloneSlot(state, playlistSecond);
        _step = state.Optimizer.Step;
    }

    public int Users { get; }

    public int Playlists { get; }

    public int Dimensions { get; }

    public BprOptimizer Optimizer { get; }

    public AlignedBuffer<float> UserTable { get; }

    public AlignedBuffer<float> PlaylistTable { get; }

    /// <summary>lazy-adam: <c>user_m</c>; adagrad: <c>user_sum</c>; sgd: empty.</summary>
    public AlignedBuffer<float> UserFirst { get; }

    /// <summary>lazy-adam: <c>user_v</c>; otherwise empty.</summary>
    public AlignedBuffer<float> UserSecond { get; }

    /// <summary>lazy-adam: <c>playlist_m</c>; adagrad: <c>playlist_sum</c>; sgd: empty.</summary>
    public AlignedBuffer<float> PlaylistFirst { get; }

    /// <summary>lazy-adam: <c>playlist_v</c>; otherwise empty.</summary>
    public AlignedBuffer<float> PlaylistSecond { get; }

    /// <summary>Batches applied so far (SparseAdam's global step).</summary>
    public long Step => Volatile.Read(ref _step);

    /// <summary>Counts one more batch and returns its step number (1 for the first batch ever).</summary>
    public long NextStep() => Interlocked.Increment(ref _step);

    /// <summary>A deep copy of <paramref name="state"/>, after checking it fits <paramref name="hyperparameters"/>.</summary>
    /// <exception cref="ArgumentException">Every mismatch, in one message.</exception>
    public static NativeBprModel CopyOf(BprState state, BprHyperparameters hyperparameters)
    {
        var problems = Check(state, hyperparameters);
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Cannot load this BPR state into the native trainer: {string.Join(" ", problems)}", nameof(state));
        }

        return new NativeBprModel(state);
    }

    /// <summary>A deep copy of the model and optimizer state, slots named as <see cref="BprOptimizerState"/> documents.</summary>
    public BprState ToState()
    {
        var slots = new Dictionary<string, float[]>(StringComparer.Ordinal);
        (var userFirst, var userSecond, var playlistFirst, var playlistSecond) = SlotNames(Optimizer);
        AddSlot(slots, userFirst, UserFirst);
        AddSlot(slots, userSecond, UserSecond);
        AddSlot(slots, playlistFirst, PlaylistFirst);
        AddSlot(slots, playlistSecond, PlaylistSecond);
        return new BprState
        {
            Users = Users,
            Playlists = Playlists,
            Dimensions = Dimensions,
            UserEmbeddings = UserTable.Span.ToArray(),
            PlaylistEmbeddings = PlaylistTable.Span.ToArray(),
            Optimizer = new BprOptimizerState { Kind = Optimizer, Step = Step, Slots = slots },
        };
    }

    private static List<string> Check(BprState state, BprHyperparameters hyperparameters)
    {
        var problems = new List<string>();
        void Problem(FormattableString message) => problems.Add(message.ToString(CultureInfo.InvariantCulture));

        if (state.Dimensions != hyperparameters.Dimensions)
        {
            Problem($"the state has Dimensions = {state.Dimensions} but the trainer's hyperparameters say {hyperparameters.Dimensions}.");
        }

        if (state.Optimizer.Kind != hyperparameters.Optimizer)
        {
            Problem($"the state holds {BprOptimizers.Name(state.Optimizer.Kind)} optimizer state but the trainer's hyperparameters say {BprOptimizers.Name(hyperparameters.Optimizer)}.");
        }

        if (state.Users <= 0 || state.Playlists <= 0 || state.Dimensions <= 0)
        {
            Problem($"Users, Playlists and Dimensions must be positive; got {state.Users}, {state.Playlists}, {state.Dimensions}.");
            return problems;
        }

        if (state.Optimizer.Step < 0)
        {
            Problem($"the optimizer step must not be negative; got {state.Optimizer.Step}.");
        }

        var userValues = (long)state.Users * state.Dimensions;
        var playlistValues = (long)state.Playlists * state.Dimensions;
        if (userValues > Array.MaxLength || playlistValues > Array.MaxLength)
        {
            Problem($"{state.Users} users or {state.Playlists} playlists × {state.Dimensions} dimensions do not fit one array.");
            return problems;
        }

        void CheckLength(string name, float[]? values, long expected, int rows)
        {
            if (values is null)
            {
                Problem($"{name} is missing.");
            }
            else if (values.Length != expected)
            {
                Problem($"{name} has {values.Length} values; expected {rows} × {state.Dimensions} = {expected}.");
            }
        }

        CheckLength(nameof(BprState.UserEmbeddings), state.UserEmbeddings, userValues, state.Users);
        CheckLength(nameof(BprState.PlaylistEmbeddings), state.PlaylistEmbeddings, playlistValues, state.Playlists);
        if (state.Optimizer.Kind == hyperparameters.Optimizer)
        {
            (var userFirst, var userSecond, var playlistFirst, var playlistSecond) = SlotNames(state.Optimizer.Kind);
            foreach ((var name, var values, var rows) in new[] { (userFirst, userValues, state.Users), (userSecond, userValues, state.Users), (playlistFirst, playlistValues, state.Playlists), (playlistSecond, playlistValues, state.Playlists) })
            {
                if (name is not null)
                {
                    CheckLength($"optimizer slot '{name}'", state.Optimizer.Slots.GetValueOrDefault(name), values, rows);
                }
            }
        }

        return problems;
    }

    private static (string? UserFirst, string? UserSecond, string? PlaylistFirst, string? PlaylistSecond) SlotNames(BprOptimizer optimizer) => optimizer switch
    {
        BprOptimizer.LazyAdam => ("user_m", "user_v", "playlist_m", "playlist_v"),
        BprOptimizer.Adagrad => ("user_sum", null, "playlist_sum", null),
        BprOptimizer.Sgd => (null, null, null, null),
        _ => throw new ArgumentOutOfRangeException(nameof(optimizer), optimizer, "Unknown optimizer."),
    };

    private static AlignedBuffer<float> CloneSlot(BprState state, string? name) =>
        AlignedBuffer<float>.CopyOf(name is null ? [] : state.Optimizer.Slots[name]);

    private static void AddSlot(Dictionary<string, float[]> slots, string? name, AlignedBuffer<float> values)
    {
        if (name is not null)
        {
            slots[name] = values.Span.ToArray();
        }
    }
}

namespace SpotifyBuddies.Models.Ranking;

/// <summary>
/// A BPR training backend: holds the model and optimizer state and applies batches of triplets to it.
/// The training loop (<c>BprTraining</c>) owns everything else — batch order, evaluation, early stopping,
/// checkpoints, tracking — so backends differ only in how fast (and on what device) they do the same math.
/// </summary>
/// <remarks>
/// <para><b>The math</b> (both backends): for a batch B of triplets (u, i, j): x = ⟨e_u, e_i⟩ − ⟨e_u, e_j⟩,
/// loss = −(1/|B|) Σ log σ(x); ∂loss/∂x = −σ(−x)/|B|; so g_u += c·(e_i − e_j), g_i += c·e_u, g_j −= c·e_u with
/// c = −σ(−x)/|B|, summed per row over the batch (a row touched twice gets the sum). Then the optimizer updates
/// only touched rows (<see cref="BprOptimizer"/>). No regularisation, no bias (as the original).</para>
/// <para><b>Threads.</b> A backend may apply a batch's updates from several threads without locks (Hogwild); then
/// results vary slightly between runs. With one thread every backend is deterministic.</para>
/// </remarks>
public interface IBprTrainer : IDisposable
{
    /// <summary><c>native</c> or <c>torch</c>.</summary>
    string Backend { get; }

    /// <summary>Where the math runs: <c>cpu</c> or <c>cuda</c> (torch on a CUDA build with a GPU).</summary>
    string Device { get; }

    /// <summary>Takes the model and optimizer state to continue from (a fresh <see cref="BprState.Initialize"/> or a checkpoint).
    /// The trainer copies what it needs; the caller may reuse <paramref name="state"/>.</summary>
    /// <exception cref="ArgumentException">The state's optimizer or dimensions do not match the trainer's hyperparameters.</exception>
    void Load(BprState state);

    /// <summary>
    /// Applies the batches <paramref name="batches"/> in that order; batch b is triplet rows
    /// [b·BatchSize, min((b+1)·BatchSize, Count)) of <paramref name="triplets"/>.
    /// </summary>
    /// <param name="progress">Receives the number of triplets applied since the last report (roughly every batch).</param>
    /// <returns>The summed loss and the number of triplets applied.</returns>
    BprSegmentResult Train(TripletSource triplets, ReadOnlySpan<int> batches, IProgress<long>? progress, CancellationToken cancellationToken);

    /// <summary>A copy of the current model and optimizer state (for checkpoints and the final artifact).</summary>
    BprState Save();

    /// <summary>The current embedding tables for scoring. May be the live arrays: valid until the next <see cref="Train"/>.</summary>
    BprEmbeddings Embeddings();
}

/// <param name="LossSum">Σ over batches of (mean loss of the batch × triplets in the batch): divide by <see cref="Triplets"/> for the mean.</param>
public readonly record struct BprSegmentResult(double LossSum, long Triplets);

/// <summary>Read-only embedding tables, row-major.</summary>
public sealed record BprEmbeddings(int Users, int Playlists, int Dimensions, ReadOnlyMemory<float> UserEmbeddings, ReadOnlyMemory<float> PlaylistEmbeddings)
{
    public ReadOnlySpan<float> User(int user) => UserEmbeddings.Span.Slice(user * Dimensions, Dimensions);

    public ReadOnlySpan<float> Playlist(int playlist) => PlaylistEmbeddings.Span.Slice(playlist * Dimensions, Dimensions);
}

/// <summary>Settings every backend receives when it is created.</summary>
public sealed record BprTrainerSettings
{
    public required BprHyperparameters Hyperparameters { get; init; }

    /// <summary>Worker threads (native: Hogwild workers; torch: <c>torch.set_num_threads</c>).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
}

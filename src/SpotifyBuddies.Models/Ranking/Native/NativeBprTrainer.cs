using System.Runtime.ExceptionServices;

namespace SpotifyBuddies.Models.Ranking.Native;

/// <summary>
/// The <c>native</c> BPR backend: a fused C# CPU kernel that applies each batch by gathering only the rows the batch
/// touches, summing their gradients in a per-thread scratch buffer, and updating those rows (and their optimizer
/// slots) in place. No per-batch allocation; SIMD at the widest width the CPU accelerates (512-bit on AVX-512).
/// </summary>
/// <remarks>
/// <para><b>Math.</b> The mini-batch BPR gradient of <see cref="IBprTrainer"/>, computed in float32 from the parameters
/// as they were before the batch (the loss is accumulated in double), then the optimizer on the touched rows:</para>
/// <list type="bullet">
/// <item><b>lazy-adam</b> is torch <c>SparseAdam</c> exactly: per touched element m ← m + (g − m)(1 − β₁),
/// v ← v + (g² − v)(1 − β₂), p ← p − s·m/(√v + ε) with s = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) computed in double from the
/// global step t (batches applied, one count for both tables). ε is added to √v of the bias-<em>uncorrected</em> v,
/// as torch does; untouched rows keep their p, m and v (no momentum carried into them).</item>
/// <item><b>adagrad</b> is torch <c>Adagrad</c>'s sparse path with its defaults (initial accumulator 0, lr_decay 0,
/// ε = 1e-10): sum ← sum + g²; p ← p − lr·g/(√sum + ε).</item>
/// <item><b>sgd</b>: p ← p − lr·g.</item>
/// </list>
/// <para>The state's step counts batches for every optimizer (only lazy-adam uses it).</para>
/// <para><b>Threads and determinism.</b> With <see cref="BprTrainerSettings.Threads"/> = 1 (or a single batch) batches
/// run in order on the calling thread and the result is deterministic, bit for bit. With more threads the trainer runs
/// Hogwild: each worker takes the next batch of the list and applies it, with its own scratch, straight to the shared
/// tables without locks, and draws its step number from an atomic counter. Results then vary between runs, in three
/// places: a worker's pass 1 may read rows another worker is updating (so its gradient sees a mix of old and new
/// values); two workers updating the same row may interleave, so one's write of an element of p, m or v (or the
/// Adagrad sum) can overwrite the other's; and which batch gets which step number (and so which bias correction)
/// depends on timing. The batches, their triplets and the total step count are the same as with one thread.</para>
/// <para><b>Memory.</b> <see cref="Load"/> copies the tables and slots into 64-byte-aligned pinned buffers (on Linux
/// asking for transparent huge pages, which saves a TLB miss on most random row accesses). Each worker adds a row → slot map (4 bytes per user and
/// playlist) and a gradient buffer of min(B, users) + min(2B, playlists) rows: 24 MiB at B = 16,384 and d = 128.</para>
/// <para><b>Progress</b> is reported once per batch; with several threads, from the worker threads (possibly at the
/// same time), so the <see cref="IProgress{T}"/> must be thread-safe (<see cref="Progress{T}"/> is).</para>
/// </remarks>
public sealed class NativeBprTrainer : IBprTrainer
{
    private readonly BprHyperparameters _hyperparameters;
    private readonly NativeSimdWidth _width;
    private NativeBprModel? _model;
    private BprBatchWorkspace[] _workspaces = [];
    private bool _disposed;

    /// <exception cref="ArgumentException">The hyperparameters are invalid or <see cref="BprTrainerSettings.Threads"/> is below 1.</exception>
    public NativeBprTrainer(BprTrainerSettings settings)
        : this(settings, NativeSimd.Best)
    {
    }

    /// <summary>For tests: a trainer forced to one SIMD width (one the machine accelerates).</summary>
    internal NativeBprTrainer(BprTrainerSettings settings, NativeSimdWidth width)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(settings.Hyperparameters);
        var problems = settings.Hyperparameters.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid BPR hyperparameters: {string.Join(" ", problems)}", nameof(settings));
        }

        if (settings.Threads < 1)
        {
            throw new ArgumentException($"Threads must be at least 1; got {settings.Threads}.", nameof(settings));
        }

        if (!NativeSimd.IsAccelerated(width))
        {
            throw new ArgumentException($"This CPU does not accelerate {width}.", nameof(width));
        }

        _hyperparameters = settings.Hyperparameters;
        Threads = settings.Threads;
        _width = width;
    }

    public string Backend => "native";

    public string Device => "cpu";

    /// <summary>Hogwild workers per <see cref="Train"/> call (at most one per batch).</summary>
    public int Threads { get; }

    /// <summary>Floats per SIMD vector in the kernel (16 on AVX-512, 8 on AVX2, 4 on SSE/NEON, 1 without SIMD).</summary>
    public int SimdWidth => (int)_width;

    /// <inheritdoc />
    /// <remarks>Deep-copies the state. The slots must be named as <see cref="BprOptimizerState"/> documents; others are ignored.</remarks>
    public void Load(BprState state)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(state.Optimizer, nameof(state));
        var model = NativeBprModel.CopyOf(state, _hyperparameters);
        if (_workspaces.Length > 0 && (_workspaces[0].Users != model.Users || _workspaces[0].Playlists != model.Playlists))
        {
            _workspaces = [];
        }

        _model = model;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Cancellation is checked before each batch: batches already applied stay applied (the state is whole batches,
    /// so <see cref="Save"/> afterwards is a consistent checkpoint) and an <see cref="OperationCanceledException"/> is thrown.
    /// </remarks>
    /// <exception cref="InvalidOperationException">No state was loaded.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A batch index is outside the triplet source.</exception>
    /// <exception cref="InvalidDataException">A triplet names a row outside the model (that batch is not applied).</exception>
    public BprSegmentResult Train(TripletSource triplets, ReadOnlySpan<int> batches, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(triplets);
        var model = _model ?? throw new InvalidOperationException("Load a BprState (BprState.Initialize or a checkpoint) before training.");
        var batchSize = _hyperparameters.BatchSize;
        var batchCount = triplets.BatchCount(batchSize);
        foreach (var batch in batches)
        {
            if ((uint)batch >= (uint)batchCount)
            {
                throw new ArgumentOutOfRangeException(nameof(batches), batch, $"Batch {batch} does not exist: {triplets.Count} triplets make {batchCount} batches of {batchSize}.");
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var workers = Math.Min(Threads, batches.Length);
        EnsureWorkspaces(model, Math.Max(workers, 1));
        return workers <= 1
            ? TrainInOrder(model, triplets, batches, progress, cancellationToken)
            : TrainHogwild(model, triplets, batches.ToArray(), workers, progress, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">No state was loaded.</exception>
    public BprState Save()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return (_model ?? throw new InvalidOperationException("Nothing to save: no BprState was loaded.")).ToState();
    }

    /// <inheritdoc />
    /// <remarks>The live arrays: they change under the caller during the next <see cref="Train"/>.</remarks>
    /// <exception cref="InvalidOperationException">No state was loaded.</exception>
    public BprEmbeddings Embeddings()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var model = _model ?? throw new InvalidOperationException("No embeddings: no BprState was loaded.");
        return new BprEmbeddings(model.Users, model.Playlists, model.Dimensions, model.UserTable.Memory, model.PlaylistTable.Memory);
    }

    public void Dispose()
    {
        _disposed = true;
        _model = null;
        _workspaces = [];
    }

    private BprSegmentResult TrainInOrder(NativeBprModel model, TripletSource triplets, ReadOnlySpan<int> batches, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var workspace = _workspaces[0];
        var batchSize = _hyperparameters.BatchSize;
        var loss = 0.0;
        var applied = 0L;
        foreach (var batch in batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = triplets.Batch(batch, batchSize);
            loss += workspace.Apply(model, _hyperparameters, _width, rows, (long)batch * batchSize);
            var count = rows.Length / TripletSource.Columns;
            applied += count;
            progress?.Report(count);
        }

        return new BprSegmentResult(loss, applied);
    }

    private BprSegmentResult TrainHogwild(NativeBprModel model, TripletSource triplets, int[] batches, int workers, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var batchSize = _hyperparameters.BatchSize;
        var next = -1;
        var losses = new double[workers];
        var applied = new long[workers];
        var appliedBatches = 0;
        ExceptionDispatchInfo? failure = null;

        void Work(int worker)
        {
            try
            {
                var workspace = _workspaces[worker];
                while (!cancellationToken.IsCancellationRequested && Volatile.Read(ref failure) is null)
                {
                    var index = Interlocked.Increment(ref next);
                    if (index >= batches.Length)
                    {
                        break;
                    }

                    var batch = batches[index];
                    var rows = triplets.Batch(batch, batchSize);
                    losses[worker] += workspace.Apply(model, _hyperparameters, _width, rows, (long)batch * batchSize);
                    var count = rows.Length / TripletSource.Columns;
                    applied[worker] += count;
                    Interlocked.Increment(ref appliedBatches);
                    progress?.Report(count);
                }
            }
#pragma warning disable CA1031 // Any failure of a worker is rethrown on the calling thread below.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(exception), null);
            }
        }

        var threads = new Thread[workers - 1];
        for (var w = 1; w < workers; w++)
        {
            var worker = w;
            threads[w - 1] = new Thread(() => Work(worker)) { IsBackground = true, Name = $"bpr-native-{worker}" };
            threads[w - 1].Start();
        }

        Work(0);
        foreach (var thread in threads)
        {
            thread.Join();
        }

        failure?.Throw();
        if (appliedBatches < batches.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        return new BprSegmentResult(losses.Sum(), applied.Sum());
    }

    private void EnsureWorkspaces(NativeBprModel model, int count)
    {
        if (_workspaces.Length >= count)
        {
            return;
        }

        var workspaces = new BprBatchWorkspace[count];
        _workspaces.CopyTo(workspaces, 0);
        for (var w = _workspaces.Length; w < count; w++)
        {
            workspaces[w] = new BprBatchWorkspace(model.Users, model.Playlists, model.Dimensions, _hyperparameters.BatchSize);
        }

        _workspaces = workspaces;
    }
}

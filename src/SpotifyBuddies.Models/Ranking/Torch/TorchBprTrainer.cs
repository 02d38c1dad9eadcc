using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace SpotifyBuddies.Models.Ranking.Torch;

/// <summary>
/// The <c>torch</c> BPR backend: both embedding tables and the optimizer slots are float32 tensors on the best device
/// TorchSharp offers (CUDA when present, else CPU), and each batch is applied without autograd: gather the batch's
/// rows, compute the BPR gradient by hand (<see cref="IBprTrainer"/> remarks), sum it per distinct row with
/// <c>index_add_</c>, and let the optimizer update those rows only (<see cref="TorchRowOptimizer"/>).
/// </summary>
/// <remarks>
/// Why by hand: TorchSharp has no <c>SparseAdam</c>, and its Adam and Adagrad reject sparse gradients, while dense
/// gradients over whole tables cost a table-sized allocation per step (shared/reference/torchsharp-and-bpr-performance.md).
/// Per batch it allocates only batch-sized tensors, freed by a dispose scope. Only the CPU libtorch is served to this
/// project, so the CUDA path (build with <c>-p:TorchBackend=cuda</c>) is written but untested here.
/// Deterministic with <see cref="BprTrainerSettings.Threads"/> = 1.
/// <para>Threads: libtorch parallelises with OpenMP, whose idle workers spin. On a machine whose cores are busy with
/// other work, set <c>OMP_WAIT_POLICY=PASSIVE</c> in the process environment (it is read when libtorch loads): measured
/// here with 2 threads on an oversubscribed 2-core VM, 139k triplets/s instead of 19k/s.</para>
/// </remarks>
public sealed class TorchBprTrainer : IBprTrainer
{
    private static readonly string[] TableNames = ["user", "playlist"];

    static TorchBprTrainer() => OpenMpEnvironment.Apply();

    /// <summary>Whether TorchSharp sees a CUDA device (false when only the CPU libtorch is installed).</summary>
    public static bool CudaAvailable() => cuda.is_available();

    private readonly BprHyperparameters _hyperparameters;
    private readonly int _threads;
    private readonly torch.Device _device;
    private readonly TorchRowOptimizer _optimizer;
    private readonly long[] _staging;
    private readonly Tensor _hostIndices;
    private TorchEmbeddingTable? _users;
    private TorchEmbeddingTable? _playlists;
    private long _step;
    private BprEmbeddings? _embeddings;
    private bool _disposed;

    /// <exception cref="ArgumentException">The hyperparameters are invalid, or <see cref="BprTrainerSettings.Threads"/> is below 1.</exception>
    /// <exception cref="NotSupportedException">TorchSharp's native libraries cannot be loaded.</exception>
    public TorchBprTrainer(BprTrainerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var problems = settings.Hyperparameters.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid BPR hyperparameters: {string.Join(" ", problems)}", nameof(settings));
        }

        if (settings.Threads < 1)
        {
            throw new ArgumentException($"Threads must be at least 1; got {settings.Threads}.", nameof(settings));
        }

        _hyperparameters = settings.Hyperparameters;
        _threads = settings.Threads;
        _device = cuda.is_available() ? CUDA : CPU;
        _optimizer = TorchRowOptimizer.Create(_hyperparameters);
        _staging = new long[3L * _hyperparameters.BatchSize];
        _hostIndices = empty([_staging.LongLength], ScalarType.Int64);
        ApplyThreads();
    }

    public string Backend => "torch";

    public string Device => _device.type == DeviceType.CUDA ? "cuda" : "cpu";

    public void Load(BprState state)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(state);
        Validate(state);
        var suffixes = _optimizer.SlotSuffixes;
        var d = state.Dimensions;
        var users = TorchEmbeddingTable.Create(TableNames[0], state.Users, d, state.UserEmbeddings, state.Optimizer.Slots, suffixes, _device);
        TorchEmbeddingTable playlists;
        try
        {
            playlists = TorchEmbeddingTable.Create(TableNames[1], state.Playlists, d, state.PlaylistEmbeddings, state.Optimizer.Slots, suffixes, _device);
        }
        catch
        {
            users.Dispose();
            throw;
        }

        _users?.Dispose();
        _playlists?.Dispose();
        (_users, _playlists) = (users, playlists);
        _step = state.Optimizer.Step;
        _embeddings = null;
    }

    public BprSegmentResult Train(TripletSource triplets, ReadOnlySpan<int> batches, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(triplets);
        var (users, playlists) = Tables();
        _embeddings = null;
        ApplyThreads();
        var batchSize = _hyperparameters.BatchSize;
        var lossSum = 0.0;
        var applied = 0L;
        using var noGrad = no_grad();
        foreach (var batch in batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = triplets.Batch(batch, batchSize);
            var count = rows.Length / TripletSource.Columns;
            if (count == 0)
            {
                continue;
            }

            Stage(rows, count, (long)batch * batchSize, users.Rows, playlists.Rows);
            using (NewDisposeScope())
            {
                lossSum += ApplyBatch(users, playlists, count);
            }

            applied += count;
            progress?.Report(count);
        }

        return new BprSegmentResult(lossSum, applied);
    }

    public BprState Save()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var (users, playlists) = Tables();
        var suffixes = _optimizer.SlotSuffixes;
        var slots = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var (name, values) in users.SlotsToArrays(suffixes).Concat(playlists.SlotsToArrays(suffixes)))
        {
            slots[name] = values;
        }

        return new BprState
        {
            Users = users.Rows,
            Playlists = playlists.Rows,
            Dimensions = users.Dimensions,
            UserEmbeddings = users.WeightsToArray(),
            PlaylistEmbeddings = playlists.WeightsToArray(),
            Optimizer = new BprOptimizerState { Kind = _hyperparameters.Optimizer, Step = _step, Slots = slots },
        };
    }

    /// <summary>Copies of the tables, cached until the next <see cref="Train"/> or <see cref="Load"/>.</summary>
    public BprEmbeddings Embeddings()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var (users, playlists) = Tables();
        return _embeddings ??= new BprEmbeddings(users.Rows, playlists.Rows, users.Dimensions, users.WeightsToArray(), playlists.WeightsToArray());
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _users?.Dispose();
        _playlists?.Dispose();
        _hostIndices.Dispose();
    }

    /// <summary>One batch of <paramref name="count"/> triplets staged in <see cref="_hostIndices"/>; returns Σ −log σ(x) (= mean loss × count).</summary>
    private double ApplyBatch(TorchEmbeddingTable users, TorchEmbeddingTable playlists, int count)
    {
        var indices = _hostIndices.narrow(0, 0, 3L * count);
        if (_device.type != DeviceType.CPU)
        {
            indices = indices.to(_device);
        }

        var userRows = indices.narrow(0, 0, count);
        var playlistRows = indices.narrow(0, count, 2L * count); // positives, then negatives
        var user = users.Weights.index_select(0, userRows);
        var playlist = playlists.Weights.index_select(0, playlistRows);
        var difference = playlist.narrow(0, 0, count).sub(playlist.narrow(0, count, count)); // e_i − e_j
        var x = user.mul(difference).sum(1);
        var loss = -nn.functional.logsigmoid(x).sum(ScalarType.Float64).item<double>();

        // c = −σ(−x)/|B|; g_u = c·(e_i − e_j), g_i = c·e_u, g_j = −c·e_u.
        var c = x.neg().sigmoid_().div_(-(double)count).unsqueeze(1);
        var userGradient = difference.mul_(c);
        var positiveGradient = user.mul_(c);
        var playlistGradient = cat([positiveGradient, positiveGradient.neg()], 0);

        _step++;
        Update(users, userRows, userGradient);
        Update(playlists, playlistRows, playlistGradient);
        return loss;
    }

    /// <summary>Sums the per-triplet gradients per distinct row, then lets the optimizer update those rows.</summary>
    private void Update(TorchEmbeddingTable table, Tensor rows, Tensor gradients)
    {
        var (distinct, maybeInverse, _) = unique(rows, sorted: true, return_inverse: true);
        var inverse = maybeInverse ?? throw new InvalidOperationException("torch.unique returned no inverse indices.");
        var rowGradients = zeros([distinct.shape[0], table.Dimensions], ScalarType.Float32, _device).index_add_(0, inverse, gradients, 1);
        _optimizer.Apply(table.Weights, table.Slots, distinct, rowGradients, _step);
    }

    /// <summary>Copies the batch as int64 [users | positives | negatives] into <see cref="_hostIndices"/>, checking every index.</summary>
    private void Stage(ReadOnlySpan<int> rows, int count, long first, int users, int playlists)
    {
        for (var k = 0; k < count; k++)
        {
            var (u, i, j) = (rows[3 * k], rows[(3 * k) + 1], rows[(3 * k) + 2]);
            if ((uint)u >= (uint)users || (uint)i >= (uint)playlists || (uint)j >= (uint)playlists)
            {
                throw new ArgumentException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Triplet {first + k} is ({u}, {i}, {j}); users must be in 0..{users - 1} and playlists in 0..{playlists - 1}."));
            }

            _staging[k] = u;
            _staging[count + k] = i;
            _staging[(2 * count) + k] = j;
        }

        using var accessor = _hostIndices.data<long>();
        accessor.CopyFrom(_staging.AsSpan(0, 3 * count), 0, 0);
    }

    private void Validate(BprState state)
    {
        var d = _hyperparameters.Dimensions;
        var problems = new List<string>();
        void Check(bool ok, FormattableString message)
        {
            if (!ok)
            {
                problems.Add(message.ToString(CultureInfo.InvariantCulture));
            }
        }

        Check(state.Dimensions == d, $"Dimensions is {state.Dimensions} but the hyperparameters say {d}.");
        Check(state.Optimizer.Kind == _hyperparameters.Optimizer, $"the optimizer state is {BprOptimizers.Name(state.Optimizer.Kind)} but the hyperparameters say {BprOptimizers.Name(_hyperparameters.Optimizer)}.");
        Check(state.Users > 0 && state.Playlists > 0, $"Users ({state.Users}) and Playlists ({state.Playlists}) must be positive.");
        Check(state.Optimizer.Step >= 0, $"the optimizer step is negative ({state.Optimizer.Step}).");
        if (problems.Count == 0)
        {
            var sizes = new Dictionary<string, long>(StringComparer.Ordinal)
            {
                [TableNames[0]] = (long)state.Users * d,
                [TableNames[1]] = (long)state.Playlists * d,
            };
            Check(state.UserEmbeddings.LongLength == sizes["user"], $"UserEmbeddings has {state.UserEmbeddings.LongLength} values; {state.Users} users × {d} needs {sizes["user"]}.");
            Check(state.PlaylistEmbeddings.LongLength == sizes["playlist"], $"PlaylistEmbeddings has {state.PlaylistEmbeddings.LongLength} values; {state.Playlists} playlists × {d} needs {sizes["playlist"]}.");
            var expected = TableNames.SelectMany(t => _optimizer.SlotSuffixes.Select(s => (Table: t, Slot: TorchEmbeddingTable.SlotName(t, s)))).ToList();
            foreach (var (table, slot) in expected)
            {
                var present = state.Optimizer.Slots.TryGetValue(slot, out var values);
                Check(present, $"the optimizer slot '{slot}' is missing.");
                Check(!present || values!.LongLength == sizes[table], $"the optimizer slot '{slot}' has {values?.LongLength} values; expected {sizes[table]}.");
            }

            foreach (var name in state.Optimizer.Slots.Keys.Except(expected.Select(e => e.Slot), StringComparer.Ordinal))
            {
                Check(false, $"the optimizer slot '{name}' does not belong to {BprOptimizers.Name(_hyperparameters.Optimizer)}.");
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"Cannot load BPR state: {string.Join(" ", problems)}", nameof(state));
        }
    }

    private (TorchEmbeddingTable Users, TorchEmbeddingTable Playlists) Tables() =>
        _users is not null && _playlists is not null
            ? (_users, _playlists)
            : throw new InvalidOperationException("No model state: call Load (with BprState.Initialize or a checkpoint) first.");

    /// <summary><c>torch.set_num_threads</c> is process-wide: set it again when another caller changed it.</summary>
    private void ApplyThreads()
    {
        if (get_num_threads() != _threads)
        {
            set_num_threads(_threads);
        }
    }
}

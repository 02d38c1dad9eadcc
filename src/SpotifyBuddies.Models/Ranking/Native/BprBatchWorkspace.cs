using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SpotifyBuddies.Models.Ranking.Native;

/// <summary>
/// One worker's scratch for applying a batch: a row → gradient-slot map per table, the list of rows the batch touched,
/// and a compact gradient buffer with one d-row per touched row. Allocated once and reused for every batch; only the
/// slots of touched rows are written and reset, so a batch costs O(batch · d) whatever the table sizes.
/// </summary>
/// <remarks>
/// A batch is applied in two passes. Pass 1 reads the parameters (never writes them) and, per triplet, computes
/// x = ⟨e_u, e_i⟩ − ⟨e_u, e_j⟩, the loss −log σ(x) and c = −σ(−x)/|B|, and adds c's terms to the gradient rows of u,
/// i and j (a row's first occurrence in the batch claims and zeroes a slot). Pass 2 walks the touched rows in
/// first-occurrence order, applies the optimizer to the parameter and slot rows, and resets the map. So with one
/// worker, every row's gradient is the sum of its occurrences in triplet order, computed from the parameters as they
/// were before the batch: the mini-batch gradient of the mean loss.
/// </remarks>
internal sealed class BprBatchWorkspace
{
    /// <summary>How many triplets (pass 1) or touched rows (pass 2) ahead the rows are prefetched.</summary>
    private const int PrefetchDistance = 8;

    private readonly int _dimensions;
    private readonly int[] _userSlot;
    private readonly int[] _playlistSlot;
    private readonly int[] _touchedUsers;
    private readonly int[] _touchedPlaylists;
    private readonly AlignedBuffer<float> _userGradients;
    private readonly AlignedBuffer<float> _playlistGradients;
    private int _touchedUserCount;
    private int _touchedPlaylistCount;

    public BprBatchWorkspace(int users, int playlists, int dimensions, int batchSize)
    {
        _dimensions = dimensions;
        Users = users;
        Playlists = playlists;
        _userSlot = new int[users];
        _playlistSlot = new int[playlists];
        Array.Fill(_userSlot, -1);
        Array.Fill(_playlistSlot, -1);
        var userCapacity = Math.Min(batchSize, users);
        var playlistCapacity = (int)Math.Min(2L * batchSize, playlists);
        _touchedUsers = new int[userCapacity];
        _touchedPlaylists = new int[playlistCapacity];
        _userGradients = AlignedBuffer<float>.Allocate(checked(userCapacity * dimensions));
        _playlistGradients = AlignedBuffer<float>.Allocate(checked(playlistCapacity * dimensions));
    }

    public int Users { get; }

    public int Playlists { get; }

    /// <summary>Applies one batch of triplet rows to <paramref name="model"/>; returns the batch's summed loss Σ −log σ(x).</summary>
    /// <param name="firstTriplet">Index of the batch's first triplet in the file (for error messages).</param>
    /// <exception cref="InvalidDataException">A triplet names a user or playlist outside the model; nothing was applied.</exception>
    public double Apply(NativeBprModel model, BprHyperparameters hyperparameters, NativeSimdWidth width, ReadOnlySpan<int> rows, long firstTriplet)
    {
        Validate(model, rows, firstTriplet);
        return width switch
        {
            NativeSimdWidth.Vector512 => Apply<Simd512, Vector512<float>>(model, hyperparameters, rows),
            NativeSimdWidth.Vector256 => Apply<Simd256, Vector256<float>>(model, hyperparameters, rows),
            NativeSimdWidth.Vector128 => Apply<Simd128, Vector128<float>>(model, hyperparameters, rows),
            _ => Apply<SimdScalar, float>(model, hyperparameters, rows),
        };
    }

    private static void Validate(NativeBprModel model, ReadOnlySpan<int> rows, long firstTriplet)
    {
        uint users = (uint)model.Users, playlists = (uint)model.Playlists;
        for (var t = 0; t < rows.Length; t += TripletSource.Columns)
        {
            if ((uint)rows[t] >= users || (uint)rows[t + 1] >= playlists || (uint)rows[t + 2] >= playlists)
            {
                throw new InvalidDataException(
                    $"Triplet {firstTriplet + (t / TripletSource.Columns)} is (user {rows[t]}, positive {rows[t + 1]}, negative {rows[t + 2]}), " +
                    $"outside the model's {model.Users} users and {model.Playlists} playlists; no update from its batch was applied.");
            }
        }
    }

    private double Apply<TOps, TVector>(NativeBprModel model, BprHyperparameters hyperparameters, ReadOnlySpan<int> rows)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        var loss = AccumulateGradients<TOps, TVector>(model, rows);
        var step = model.NextStep();
        switch (model.Optimizer)
        {
            case BprOptimizer.LazyAdam:
                UpdateTouchedRows<TOps, TVector, LazyAdamUpdate>(model, OptimizerStep.LazyAdam(hyperparameters, step));
                break;
            case BprOptimizer.Adagrad:
                UpdateTouchedRows<TOps, TVector, AdagradUpdate>(model, OptimizerStep.Adagrad(hyperparameters));
                break;
            default:
                UpdateTouchedRows<TOps, TVector, SgdUpdate>(model, OptimizerStep.Sgd(hyperparameters));
                break;
        }

        _touchedUserCount = 0;
        _touchedPlaylistCount = 0;
        return loss;
    }

    /// <summary>Pass 1: scores, loss and the per-row gradient sums. Reads the tables, writes only this workspace.</summary>
    private double AccumulateGradients<TOps, TVector>(NativeBprModel model, ReadOnlySpan<int> rows)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        var d = _dimensions;
        var users = model.UserTable;
        var playlists = model.PlaylistTable;
        var count = rows.Length / TripletSource.Columns;
        var inverseCount = 1.0 / count;
        var loss = 0.0;
        var prefetchEnd = rows.Length - (PrefetchDistance * TripletSource.Columns);
        for (var t = 0; t < rows.Length; t += TripletSource.Columns)
        {
            if (t < prefetchEnd)
            {
                var ahead = t + (PrefetchDistance * TripletSource.Columns);
                Prefetch(ref users[rows[ahead] * d], d);
                Prefetch(ref playlists[rows[ahead + 1] * d], d);
                Prefetch(ref playlists[rows[ahead + 2] * d], d);
            }

            int user = rows[t], positive = rows[t + 1], negative = rows[t + 2];
            var userSlot = UserSlot(user);
            var positiveSlot = PlaylistSlot(positive);
            var negativeSlot = PlaylistSlot(negative);
            ref var userRow = ref users[user * d];
            ref var positiveRow = ref playlists[positive * d];
            ref var negativeRow = ref playlists[negative * d];

            double x = RowKernels.ScoreDifference<TOps, TVector>(ref userRow, ref positiveRow, ref negativeRow, d);
            loss += NegativeLogSigmoid(x, out var sigmoidOfMinusX);
            var c = (float)(-sigmoidOfMinusX * inverseCount);
            RowKernels.AccumulateGradients<TOps, TVector>(
                ref userRow, ref positiveRow, ref negativeRow,
                ref _userGradients[userSlot * d], ref _playlistGradients[positiveSlot * d], ref _playlistGradients[negativeSlot * d], c, d);
        }

        return loss;
    }

    /// <summary>
    /// Pass 2 for one table: the optimizer on every touched row (with its gradient from pass 1), prefetching the rows a
    /// few slots ahead, then clears the row's slot in the map.
    /// </summary>
    private void UpdateRows<TOps, TVector, TRule>(
        AlignedBuffer<float> table, AlignedBuffer<float> first, AlignedBuffer<float> second,
        int[] touched, int touchedCount, int[] slots, AlignedBuffer<float> gradients, in OptimizerStep step)
        where TOps : ISimdOps<TVector>
        where TVector : struct
        where TRule : IRowUpdate
    {
        var d = _dimensions;
        for (var slot = 0; slot < touchedCount; slot++)
        {
            if (slot + PrefetchDistance < touchedCount)
            {
                var ahead = touched[slot + PrefetchDistance] * d;
                Prefetch(ref table[ahead], d);
                if (first.Length > 0)
                {
                    Prefetch(ref first[ahead], d);
                }

                if (second.Length > 0)
                {
                    Prefetch(ref second[ahead], d);
                }
            }

            var row = touched[slot];
            TRule.Update<TOps, TVector>(table, first, second, row * d, ref gradients[slot * d], d, step);
            slots[row] = -1;
        }
    }

    private void UpdateTouchedRows<TOps, TVector, TRule>(NativeBprModel model, in OptimizerStep step)
        where TOps : ISimdOps<TVector>
        where TVector : struct
        where TRule : IRowUpdate
    {
        UpdateRows<TOps, TVector, TRule>(model.UserTable, model.UserFirst, model.UserSecond, _touchedUsers, _touchedUserCount, _userSlot, _userGradients, step);
        UpdateRows<TOps, TVector, TRule>(model.PlaylistTable, model.PlaylistFirst, model.PlaylistSecond, _touchedPlaylists, _touchedPlaylistCount, _playlistSlot, _playlistGradients, step);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int UserSlot(int user)
    {
        var slot = _userSlot[user];
        if (slot < 0)
        {
            slot = _touchedUserCount++;
            _userSlot[user] = slot;
            _touchedUsers[slot] = user;
            _userGradients.Span.Slice(slot * _dimensions, _dimensions).Clear();
        }

        return slot;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int PlaylistSlot(int playlist)
    {
        var slot = _playlistSlot[playlist];
        if (slot < 0)
        {
            slot = _touchedPlaylistCount++;
            _playlistSlot[playlist] = slot;
            _touchedPlaylists[slot] = playlist;
            _playlistGradients.Span.Slice(slot * _dimensions, _dimensions).Clear();
        }

        return slot;
    }

    /// <summary>Asks the CPU to start loading a row's cache lines (x86 only; a hint that never faults).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch(ref float row, int length)
    {
        if (Sse.IsSupported)
        {
            var start = (byte*)Unsafe.AsPointer(ref row);
            var bytes = length * sizeof(float);
            for (var offset = 0; offset < bytes; offset += 64)
            {
                Sse.Prefetch0(start + offset);
            }

            Sse.Prefetch0(start + bytes - 1);
        }
    }

    /// <summary>−log σ(x) = log(1 + e^(−x)), and σ(−x), from one exp of −|x| (no overflow for any x).</summary>
    internal static double NegativeLogSigmoid(double x, out double sigmoidOfMinusX)
    {
        var e = Math.Exp(-Math.Abs(x));
        var onePlusE = 1 + e;
        if (x >= 0)
        {
            sigmoidOfMinusX = e / onePlusE;
            return Math.Log(onePlusE);
        }

        sigmoidOfMinusX = 1 / onePlusE;
        return -x + Math.Log(onePlusE);
    }
}

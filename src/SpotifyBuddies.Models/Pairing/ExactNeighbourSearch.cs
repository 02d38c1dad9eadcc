using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SpotifyBuddies.Models.Pairing;

/// <summary>
/// Exact top-K cosine neighbours of binary song libraries: cos(a, b) = shared / (√|a|·√|b|).
/// </summary>
/// <remarks>
/// <para><b>Algorithm.</b> An inverted index song → users is built once. Each worker thread owns a dense accumulator
/// of co-occurrence counts (16 bits per user while every library has under 65,536 songs, else 32) and a touched
/// list. For a query user it adds 1 to every user on the postings of every song in the query's library, then
/// collects the touched users and clears them: through the touched list when the postings are short, or, when they
/// add up to a sizeable share of all users, by scanning the whole accumulator with SIMD (16 users per step),
/// testing shared² ≥ bar·|a|·|b| in float before any exact arithmetic. Candidates that beat the bar go to a buffer
/// of 4K; when it fills, a quickselect keeps the K best and raises the bar. Queries are processed in blocks of users
/// with <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/>; nothing is allocated per query.</para>
/// <para><b>Order and ties.</b> Users are ranked by the squared cosine shared² / (|a|·|b|), computed as one correctly
/// rounded double division of exact integers, so mathematically equal similarities compare equal; equal doubles
/// from different counts are re-checked with exact 128-bit integer arithmetic; remaining ties go to the smaller
/// user index. The result is therefore a pure function of the libraries, whatever the thread count or block size.
/// Users sharing no song (similarity 0) are never neighbours, so an empty library has no neighbours and is nobody's
/// neighbour, and a user may get fewer than K.</para>
/// <para><b>Cost.</b> Σ over songs of postings² increments, a scan of users/16 vectors per dense query, and exact
/// work only for the few candidates near the top; memory is the index (4 bytes per library entry), about 10 bytes
/// per user and thread, and the K-slot result.</para>
/// </remarks>
public sealed class ExactNeighbourSearch : INeighbourSearch
{
    public const string EngineName = "exact";

    /// <summary>The phase name this engine reports progress under.</summary>
    public const string PhaseName = "exact neighbour search";

    /// <summary>Query users per unit of parallel work unless told otherwise.</summary>
    public const int DefaultBlockSize = 64;

    private readonly int _maxDegreeOfParallelism;
    private readonly int _blockSize;

    /// <param name="maxDegreeOfParallelism">Worker threads (speed only, never the result); -1 for all cores.</param>
    /// <param name="blockSize">Query users per unit of parallel work (speed only, never the result).</param>
    public ExactNeighbourSearch(int maxDegreeOfParallelism = -1, int blockSize = DefaultBlockSize)
    {
        if (maxDegreeOfParallelism is 0 or < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism, "Must be positive, or -1 for all cores.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        _maxDegreeOfParallelism = maxDegreeOfParallelism;
        _blockSize = blockSize;
    }

    public string Name => EngineName;

    public NeighbourLists Search(UserLibraries libraries, int k, IProgress<SearchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(libraries);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var users = libraries.Users;
        var slots = (long)users * k;
        if (slots > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"users × k = {slots} exceeds the largest array.");
        }

        var result = new NeighbourLists(users, k, new int[users], new int[slots], new float[slots]);
        if (users == 0)
        {
            return result;
        }

        var shared = new SharedState(libraries, k, result);
        progress?.Report(new SearchProgress(PhaseName, 0, users));
        if (shared.MaxLibrary <= ushort.MaxValue)
        {
            Run<ushort>(shared, progress, cancellationToken);
        }
        else
        {
            Run<int>(shared, progress, cancellationToken);
        }

        return result;
    }

    private void Run<TCount>(SharedState shared, IProgress<SearchProgress>? progress, CancellationToken cancellationToken)
        where TCount : unmanaged, IBinaryInteger<TCount>
    {
        var users = shared.Libraries.Users;
        var blockSize = _blockSize;
        var blocks = (users + blockSize - 1) / blockSize;
        long done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = _maxDegreeOfParallelism, CancellationToken = cancellationToken };
        try
        {
            Parallel.For(
                0,
                blocks,
                options,
                () => new Worker<TCount>(shared),
                (block, _, worker) =>
                {
                    var start = block * blockSize;
                    var end = Math.Min(users, start + blockSize);
                    for (var u = start; u < end; u++)
                    {
                        worker.Query(u);
                    }

                    progress?.Report(new SearchProgress(PhaseName, Interlocked.Add(ref done, end - start), users));
                    return worker;
                },
                static _ => { });
        }
        catch (AggregateException aggregate)
        {
            // Surface the first worker exception as itself.
            var flat = aggregate.Flatten().InnerExceptions;
            ExceptionDispatchInfo.Capture(flat.FirstOrDefault(e => e is not OperationCanceledException) ?? flat[0]).Throw();
            throw;
        }
    }

    /// <summary>What every worker reads: the libraries, their transpose (song → users, ascending) and sizes.</summary>
    private sealed class SharedState
    {
        public SharedState(UserLibraries libraries, int k, NeighbourLists result)
        {
            Libraries = libraries;
            K = k;
            Result = result;
            var users = libraries.Users;
            Sizes = new int[users];
            SizesAsFloat = new float[users];
            for (var u = 0; u < users; u++)
            {
                Sizes[u] = libraries.Offsets[u + 1] - libraries.Offsets[u];
                SizesAsFloat[u] = Sizes[u];
                MaxLibrary = Math.Max(MaxLibrary, Sizes[u]);
            }

            var songs = libraries.SongIndexes;
            PostingOffsets = new int[libraries.Songs + 1];
            foreach (var song in songs)
            {
                if ((uint)song >= (uint)libraries.Songs)
                {
                    throw new ArgumentException($"Song index {song} is outside 0..{libraries.Songs - 1}.", nameof(libraries));
                }

                PostingOffsets[song + 1]++;
            }

            for (var s = 0; s < libraries.Songs; s++)
            {
                PostingOffsets[s + 1] += PostingOffsets[s];
            }

            var cursor = PostingOffsets.AsSpan(0, libraries.Songs).ToArray();
            PostingUsers = new int[songs.Length];
            for (var u = 0; u < users; u++)
            {
                for (var i = libraries.Offsets[u]; i < libraries.Offsets[u + 1]; i++)
                {
                    PostingUsers[cursor[songs[i]]++] = u;
                }
            }
        }

        public UserLibraries Libraries { get; }

        public int K { get; }

        public NeighbourLists Result { get; }

        public int[] Sizes { get; }

        public float[] SizesAsFloat { get; }

        public int MaxLibrary { get; }

        public int[] PostingOffsets { get; }

        public int[] PostingUsers { get; }
    }

    /// <summary>A candidate: squared cosine, the user and the songs it shares with the query.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Entry
    {
        public double Score;
        public int User;
        public int Shared;
    }

    /// <summary>Per-thread scratch: the accumulator, the touched list and the top K. Not thread-safe.</summary>
    private sealed class Worker<TCount>
        where TCount : unmanaged, IBinaryInteger<TCount>
    {
        // Prefilter slack: far above the relative rounding error of the threshold products (double: 1e-16, float:
        // 1e-7), so it never rejects a candidate that could enter; those passing are checked exactly.
        private const double Slack = 1 - 1e-9;
        private const float FloatSlack = 1 - 1e-5f;

        private readonly SharedState _shared;
        private readonly TCount[] _accumulator;
        private readonly int[] _touched;
        private readonly TopK _top;
        private readonly long _denseThreshold;

        public Worker(SharedState shared)
        {
            _shared = shared;
            var users = shared.Libraries.Users;
            _accumulator = new TCount[users];
            _touched = new int[users];
            _top = new TopK(shared.K, shared.Sizes);

            // A full scan costs about users/16 vector steps; the touched list costs a branch per posting and a random
            // access per touched user. Scan once the postings add up to a sixteenth of the users.
            _denseThreshold = Math.Max(256, users / 16);
        }

        public void Query(int user)
        {
            var size = _shared.Sizes[user];
            _top.Reset();
            if (size > 0)
            {
                var library = _shared.Libraries.Library(user);
                var offsets = _shared.PostingOffsets;
                long work = 0;
                foreach (var song in library)
                {
                    work += offsets[song + 1] - offsets[song];
                }

                if (work >= _denseThreshold && typeof(TCount) == typeof(ushort) && Vector256.IsHardwareAccelerated)
                {
                    AccumulateDense(library);
                    CollectDense(user, size);
                }
                else
                {
                    var touched = AccumulateSparse(library);
                    CollectSparse(user, size, touched);
                }
            }

            Emit(user);
        }

        private int AccumulateSparse(ReadOnlySpan<int> library)
        {
            var accumulator = _accumulator;
            var touched = _touched;
            var offsets = _shared.PostingOffsets;
            var users = _shared.PostingUsers;
            var count = 0;
            foreach (var song in library)
            {
                foreach (var other in users.AsSpan(offsets[song], offsets[song + 1] - offsets[song]))
                {
                    ref var slot = ref accumulator[other];
                    if (slot == TCount.Zero)
                    {
                        touched[count++] = other;
                    }

                    slot++;
                }
            }

            return count;
        }

        private void AccumulateDense(ReadOnlySpan<int> library)
        {
            ref var accumulator = ref MemoryMarshal.GetArrayDataReference(_accumulator);
            var offsets = _shared.PostingOffsets;
            var users = _shared.PostingUsers;
            foreach (var song in library)
            {
                // Postings hold valid user indexes by construction.
                foreach (var other in users.AsSpan(offsets[song], offsets[song + 1] - offsets[song]))
                {
                    Unsafe.Add(ref accumulator, other)++;
                }
            }
        }

        private void CollectSparse(int user, int size, int touchedCount)
        {
            var accumulator = _accumulator;
            var sizes = _shared.Sizes;
            foreach (var other in _touched.AsSpan(0, touchedCount))
            {
                var shared = int.CreateTruncating(accumulator[other]);
                accumulator[other] = TCount.Zero;

                // Cheap rejection before the division: shared² < bar · |a| · |b| (with slack) cannot enter.
                if (other == user || (_top.HasBar && (double)shared * shared < _top.BarScore * ((double)size * sizes[other]) * Slack))
                {
                    continue;
                }

                Offer(other, shared, size);
            }
        }

        // Scans the whole (16-bit) accumulator, clearing it, 16 users per step. A lane goes on to the exact check only
        // if it is non-zero and passes shared² ≥ bar·|a|·|b| in float with slack.
        private void CollectDense(int user, int size)
        {
            var accumulator = Unsafe.As<ushort[]>(_accumulator);
            ref var counts = ref MemoryMarshal.GetArrayDataReference(accumulator);
            ref var sizes = ref MemoryMarshal.GetArrayDataReference(_shared.SizesAsFloat);
            var length = accumulator.Length;
            var scale = Vector256<float>.Zero;
            var i = 0;
            for (; i <= length - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                var packed = Vector256.LoadUnsafe(ref counts, (nuint)i);
                if (packed == Vector256<ushort>.Zero)
                {
                    continue;
                }

                Vector256<ushort>.Zero.StoreUnsafe(ref counts, (nuint)i);
                var (low, high) = Vector256.Widen(packed);
                var bits = Passing(low.AsInt32(), Vector256.LoadUnsafe(ref sizes, (nuint)i), scale)
                    | (Passing(high.AsInt32(), Vector256.LoadUnsafe(ref sizes, (nuint)(i + Vector256<int>.Count)), scale) << Vector256<int>.Count);
                if (bits == 0)
                {
                    continue;
                }

                do
                {
                    var lane = BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    if (i + lane != user)
                    {
                        Offer(i + lane, packed.GetElement(lane), size);
                    }
                }
                while (bits != 0);

                // The bar only rises; a stale (lower) one is safe.
                scale = Vector256.Create(_top.HasBar ? (float)(_top.BarScore * size) * FloatSlack : 0f);
            }

            for (; i < length; i++)
            {
                int shared = accumulator[i];
                if (shared != 0)
                {
                    accumulator[i] = 0;
                    if (i != user && (!_top.HasBar || (double)shared * shared >= _top.BarScore * ((double)size * _shared.Sizes[i]) * Slack))
                    {
                        Offer(i, shared, size);
                    }
                }
            }
        }

        // Lanes with shared > 0 and shared² ≥ |b|·scale, as bits.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static uint Passing(Vector256<int> shared, Vector256<float> sizes, Vector256<float> scale)
        {
            var sharedF = Vector256.ConvertToSingle(shared);
            var pass = Vector256.GreaterThan(shared, Vector256<int>.Zero).AsSingle()
                & Vector256.GreaterThanOrEqual(sharedF * sharedF, sizes * scale);
            return pass.ExtractMostSignificantBits();
        }

        // Callers have applied the cheap prefilter; this computes the exact score and offers it.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Offer(int other, int shared, int size) =>
            _top.Offer(new Entry
            {
                Score = (double)((long)shared * shared) / (double)((long)size * _shared.Sizes[other]),
                User = other,
                Shared = shared,
            });

        // Writes the best entries, best first, into the user's slots.
        private void Emit(int user)
        {
            var best = _top.Finish();
            var result = _shared.Result;
            result.Counts[user] = best.Length;
            var baseSlot = user * (long)_shared.K;
            for (var n = 0; n < best.Length; n++)
            {
                result.Neighbours[baseSlot + n] = best[n].User;
                result.Similarities[baseSlot + n] = (float)Math.Sqrt(best[n].Score);
            }
        }
    }

    /// <summary>
    /// The K best of a stream of entries. Entries that beat the bar are appended to a buffer of 4K; when it fills, a
    /// quickselect keeps the K best and the K-th becomes the new bar. That costs a few comparisons per entry instead of
    /// a heap's 2·log₂K unpredictable ones.
    /// </summary>
    private sealed class TopK(int k, int[] sizes)
    {
        private readonly Entry[] _buffer = new Entry[Math.Max(4 * k, k + 64)];
        private int _count;
        private Entry _bar;

        /// <summary>Whether K entries have been kept, so that <see cref="BarScore"/> bounds what can still enter.</summary>
        public bool HasBar { get; private set; }

        /// <summary>The score of the K-th best entry kept so far; an entry scoring below it cannot enter.</summary>
        public double BarScore => _bar.Score;

        public void Reset()
        {
            _count = 0;
            HasBar = false;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Offer(in Entry entry)
        {
            if (HasBar && !Better(entry, _bar, sizes))
            {
                return;
            }

            _buffer[_count++] = entry;
            if (_count == _buffer.Length)
            {
                Select(_buffer, k - 1, sizes);
                _count = k;
                _bar = _buffer[k - 1];
                HasBar = true;
            }
        }

        /// <summary>The best min(K, offered) entries, best first.</summary>
        public ReadOnlySpan<Entry> Finish()
        {
            if (_count > k)
            {
                Select(_buffer.AsSpan(0, _count), k - 1, sizes);
                _count = k;
            }

            var best = _buffer.AsSpan(0, _count);
            Sort(best, sizes);
            return best;
        }

        // Rearranges entries so that entries[nth] is the one of rank nth (0 = best), with better ones before it and
        // worse ones after (quickselect).
        private static void Select(Span<Entry> entries, int nth, int[] sizes)
        {
            var lo = 0;
            var hi = entries.Length - 1;
            while (hi - lo > 16)
            {
                var (i, j) = Partition(entries, lo, hi, sizes);
                if (nth <= j)
                {
                    hi = j;
                }
                else if (nth >= i)
                {
                    lo = i;
                }
                else
                {
                    return;
                }
            }

            InsertionSort(entries[lo..(hi + 1)], sizes);
        }

        // Best first (quicksort, recursing into the smaller side).
        private static void Sort(Span<Entry> entries, int[] sizes)
        {
            var lo = 0;
            var hi = entries.Length - 1;
            while (hi - lo > 16)
            {
                var (i, j) = Partition(entries, lo, hi, sizes);
                if (j - lo < hi - i)
                {
                    Sort(entries[lo..(j + 1)], sizes);
                    lo = i;
                }
                else
                {
                    Sort(entries[i..(hi + 1)], sizes);
                    hi = j;
                }
            }

            if (hi > lo)
            {
                InsertionSort(entries[lo..(hi + 1)], sizes);
            }
        }

        // Hoare partition of entries[lo..hi] around a median of three: afterwards entries[lo..j] rank no worse than the
        // pivot, entries[i..hi] no better, and j < i. Entries are distinct users, so the order is total.
        private static (int I, int J) Partition(Span<Entry> entries, int lo, int hi, int[] sizes)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (Better(entries[mid], entries[lo], sizes))
            {
                (entries[mid], entries[lo]) = (entries[lo], entries[mid]);
            }

            if (Better(entries[hi], entries[lo], sizes))
            {
                (entries[hi], entries[lo]) = (entries[lo], entries[hi]);
            }

            if (Better(entries[hi], entries[mid], sizes))
            {
                (entries[hi], entries[mid]) = (entries[mid], entries[hi]);
            }

            var pivot = entries[mid];
            var i = lo;
            var j = hi;
            while (i <= j)
            {
                while (Better(entries[i], pivot, sizes))
                {
                    i++;
                }

                while (Better(pivot, entries[j], sizes))
                {
                    j--;
                }

                if (i <= j)
                {
                    (entries[i], entries[j]) = (entries[j], entries[i]);
                    i++;
                    j--;
                }
            }

            return (i, j);
        }

        private static void InsertionSort(Span<Entry> entries, int[] sizes)
        {
            for (var i = 1; i < entries.Length; i++)
            {
                var entry = entries[i];
                var j = i - 1;
                while (j >= 0 && Better(entry, entries[j], sizes))
                {
                    entries[j + 1] = entries[j];
                    j--;
                }

                entries[j + 1] = entry;
            }
        }
    }

    /// <summary>Whether <paramref name="a"/> ranks before <paramref name="b"/>: higher cosine, then smaller user index.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Better(in Entry a, in Entry b, int[] sizes)
    {
        if (a.Score != b.Score)
        {
            return a.Score > b.Score;
        }

        if (a.Shared != b.Shared)
        {
            // Equal doubles from different counts: compare shared_a² / |a| with shared_b² / |b| exactly (the query's
            // size cancels).
            var left = (Int128)((long)a.Shared * a.Shared) * sizes[b.User];
            var right = (Int128)((long)b.Shared * b.Shared) * sizes[a.User];
            if (left != right)
            {
                return left > right;
            }
        }

        return a.User < b.User;
    }
}

using System.Runtime.InteropServices;
using SpotifyBuddies.Core.Preparation;
using SpotifyBuddies.Core.Randomness;
using SpotifyBuddies.Data.Datasets;

namespace SpotifyBuddies.Data.Preparation;

/// <summary>
/// A uniform shuffle of all triplets with memory bounded by a bucket instead of the whole set (the original
/// held every triplet in one tensor for <c>randperm</c>). Pass 1: each triplet goes to a uniformly random bucket
/// (drawn from its user's stream, appended in user order). Pass 2: each bucket is loaded, shuffled
/// (Fisher–Yates, stream <c>triplet-shuffle/bucket</c>) and appended to the output. A random assignment to
/// buckets followed by a uniform shuffle of each bucket is a uniform permutation of the whole.
/// </summary>
/// <remarks>
/// Buckets are kept in memory when all triplets fit in <see cref="MemoryBudgetBytes"/> (the caller knows an upper
/// bound beforehand), and in temporary files otherwise; the output is the same either way. In pass 2 buckets are
/// shuffled in parallel and written strictly in bucket order by whichever worker finishes the next one, so writing
/// overlaps shuffling.
/// </remarks>
internal sealed class TripletShuffle : IDisposable
{
    public const string Phase = "shuffle triplets";

    /// <summary>Target bytes per bucket (about 5.6M triplets).</summary>
    public const long BucketBytes = 64L << 20;

    public const int MaxBuckets = 64;

    /// <summary>Up to this many bytes of triplets, buckets stay in memory instead of temporary files.</summary>
    public const long MemoryBudgetBytes = 1L << 30;

    private const int BufferInts = 3 * 8192;
    private const int ChunkInts = 3 << 18; // in-memory buckets grow by chunks of 262,144 triplets (3 MiB)

    private readonly string _directory;
    private readonly RawInt32Writer[]? _writers;
    private readonly List<int[]>[]? _chunks;
    private readonly int[][] _buffers;
    private readonly int[] _filled;

    /// <param name="directory">Where bucket files go (created only when the buckets are not kept in memory).</param>
    /// <param name="bucketCount">Buckets (see <see cref="BucketCountFor"/>).</param>
    /// <param name="inMemory">Keep the buckets in memory (see <see cref="FitsInMemory"/>).</param>
    public TripletShuffle(string directory, int bucketCount, bool inMemory)
    {
        _directory = directory;
        _buffers = new int[bucketCount][];
        _filled = new int[bucketCount];
        if (inMemory)
        {
            _chunks = new List<int[]>[bucketCount];
            for (var b = 0; b < bucketCount; b++)
            {
                _chunks[b] = [];
            }
        }
        else
        {
            Directory.CreateDirectory(directory);
            _writers = new RawInt32Writer[bucketCount];
            for (var b = 0; b < bucketCount; b++)
            {
                _writers[b] = new RawInt32Writer(BucketPath(b), 3);
                _buffers[b] = new int[BufferInts];
            }
        }
    }

    public int BucketCount => _buffers.Length;

    public bool InMemory => _chunks is not null;

    public long Triplets { get; private set; }

    /// <summary>Buckets for at most <paramref name="maxTriplets"/> triplets: one per <see cref="BucketBytes"/>, at most <see cref="MaxBuckets"/>.</summary>
    public static int BucketCountFor(long maxTriplets) =>
        (int)Math.Clamp(((maxTriplets * 3 * sizeof(int)) + BucketBytes - 1) / BucketBytes, 1, MaxBuckets);

    /// <summary>Whether at most <paramref name="maxTriplets"/> triplets fit in <see cref="MemoryBudgetBytes"/>.</summary>
    public static bool FitsInMemory(long maxTriplets) => maxTriplets * 3 * sizeof(int) <= MemoryBudgetBytes;

    public void Add(int bucket, Triplet triplet)
    {
        var buffer = _buffers[bucket];
        var filled = _filled[bucket];
        if (buffer is null || filled == buffer.Length)
        {
            buffer = NextBuffer(bucket, filled);
            filled = 0;
        }

        buffer[filled] = triplet.User.Value;
        buffer[filled + 1] = triplet.Positive.Value;
        buffer[filled + 2] = triplet.Negative.Value;
        _filled[bucket] = filled + 3;
        Triplets++;
    }

    /// <summary>Pass 2: shuffles every bucket into <paramref name="target"/> (a raw int32 matrix of rows of 3) and deletes the buckets.</summary>
    public void ShuffleInto(
        string target,
        DeterministicRandom root,
        int maxDegreeOfParallelism,
        IProgress<PreparePhaseProgress>? progress,
        CancellationToken cancellationToken)
    {
        if (_writers is not null)
        {
            for (var b = 0; b < _writers.Length; b++)
            {
                _writers[b].Write(_buffers[b].AsSpan(0, _filled[b]));
                _filled[b] = 0;
                _writers[b].Complete();
            }
        }

        var shuffleRoot = root.Fork("triplet-shuffle");
        using var output = new RawInt32Writer(target, 3);
        var buckets = BucketCount;
        var shuffled = new int[buckets][];
        var nextToShuffle = -1;
        var nextToWrite = 0;
        var writeLock = new Lock();
        progress?.Report(new PreparePhaseProgress(Phase, 0, buckets));

        // Workers take buckets in order, so at most about one shuffled bucket per worker waits to be written.
        Parallelism.Run(() => Parallel.For(
            0,
            Math.Clamp(maxDegreeOfParallelism, 1, buckets),
            new ParallelOptions { CancellationToken = cancellationToken },
            _ =>
            {
                int bucket;
                while ((bucket = Interlocked.Increment(ref nextToShuffle)) < buckets)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var values = Load(bucket);
                    ShuffleRows(values, shuffleRoot.Fork((ulong)bucket));
                    lock (writeLock)
                    {
                        shuffled[bucket] = values;
                        while (nextToWrite < buckets && shuffled[nextToWrite] is { } ready)
                        {
                            output.Write(ready);
                            shuffled[nextToWrite] = null!;
                            nextToWrite++;
                            progress?.Report(new PreparePhaseProgress(Phase, nextToWrite, buckets));
                        }
                    }
                }
            }));

        output.Complete();
        if (_writers is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    public void Dispose()
    {
        foreach (var writer in _writers ?? [])
        {
            writer.Dispose();
        }
    }

    private int[] NextBuffer(int bucket, int filled)
    {
        if (_chunks is null)
        {
            _writers![bucket].Write(_buffers[bucket]);
            return _buffers[bucket];
        }

        // The full chunk is already in the bucket's list; start a new one.
        var chunk = new int[ChunkInts];
        _chunks[bucket].Add(chunk);
        _buffers[bucket] = chunk;
        return chunk;
    }

    // The bucket's triplets as one array (the memory of an in-memory bucket is released as it is copied).
    private int[] Load(int bucket)
    {
        if (_chunks is null)
        {
            var values = RawInt32Writer.ReadAll(BucketPath(bucket));
            File.Delete(BucketPath(bucket));
            return values;
        }

        var chunks = _chunks[bucket];
        var length = chunks.Count == 0 ? 0 : ((chunks.Count - 1) * ChunkInts) + _filled[bucket];
        var all = GC.AllocateUninitializedArray<int>(length);
        for (var c = 0; c < chunks.Count; c++)
        {
            var used = c == chunks.Count - 1 ? _filled[bucket] : ChunkInts;
            chunks[c].AsSpan(0, used).CopyTo(all.AsSpan(c * ChunkInts));
            chunks[c] = [];
        }

        chunks.Clear();
        _buffers[bucket] = null!;
        return all;
    }

    private static void ShuffleRows(int[] values, DeterministicRandom random)
    {
        var rows = MemoryMarshal.Cast<int, Row>(values.AsSpan());
        random.Shuffle(rows);
    }

    private string BucketPath(int bucket) => Path.Combine(_directory, FormattableString.Invariant($"bucket-{bucket:D3}.i32"));

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Row(int User, int Positive, int Negative);
}

using System.Runtime.InteropServices;
using SpotifyBuddies.Core.Preparation;
using SpotifyBuddies.Core.Randomness;
using SpotifyBuddies.Data.Datasets;

namespace SpotifyBuddies.Data.Preparation;

/// <summary>
/// A uniform shuffle of all triplets with memory bounded by a bucket instead of the whole set (the original
/// held every triplet in one tensor for <c>randperm</c>). Pass 1: each triplet goes to a uniformly random bucket
/// file (drawn from its user's stream, appended in user order). Pass 2: each bucket is loaded, shuffled
/// (Fisher–Yates, stream <c>triplet-shuffle/bucket</c>) and appended to the output. A random assignment to
/// buckets followed by a uniform shuffle of each bucket is a uniform permutation of the whole.
/// </summary>
internal sealed class TripletShuffle : IDisposable
{
    public const string Phase = "shuffle triplets";

    /// <summary>Target bytes per bucket (about 5.6M triplets).</summary>
    public const long BucketBytes = 64L << 20;

    public const int MaxBuckets = 64;

    private const int BufferInts = 3 * 8192;

    private readonly string _directory;
    private readonly RawInt32Writer[] _writers;
    private readonly int[][] _buffers;
    private readonly int[] _filled;

    public TripletShuffle(string directory, int bucketCount)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
        _writers = new RawInt32Writer[bucketCount];
        _buffers = new int[bucketCount][];
        _filled = new int[bucketCount];
        for (var b = 0; b < bucketCount; b++)
        {
            _writers[b] = new RawInt32Writer(BucketPath(b), 3);
            _buffers[b] = new int[BufferInts];
        }
    }

    public int BucketCount => _writers.Length;

    public long Triplets { get; private set; }

    /// <summary>Buckets for at most <paramref name="maxTriplets"/> triplets: one per <see cref="BucketBytes"/>, at most <see cref="MaxBuckets"/>.</summary>
    public static int BucketCountFor(long maxTriplets) =>
        (int)Math.Clamp(((maxTriplets * 3 * sizeof(int)) + BucketBytes - 1) / BucketBytes, 1, MaxBuckets);

    public void Add(int bucket, Triplet triplet)
    {
        var buffer = _buffers[bucket];
        var filled = _filled[bucket];
        buffer[filled] = triplet.User.Value;
        buffer[filled + 1] = triplet.Positive.Value;
        buffer[filled + 2] = triplet.Negative.Value;
        filled += 3;
        if (filled == buffer.Length)
        {
            _writers[bucket].Write(buffer);
            filled = 0;
        }

        _filled[bucket] = filled;
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
        for (var b = 0; b < _writers.Length; b++)
        {
            _writers[b].Write(_buffers[b].AsSpan(0, _filled[b]));
            _filled[b] = 0;
            _writers[b].Complete();
        }

        var shuffleRoot = root.Fork("triplet-shuffle");
        using var output = new RawInt32Writer(target, 3);
        var group = Math.Clamp(maxDegreeOfParallelism, 1, 4);
        progress?.Report(new PreparePhaseProgress(Phase, 0, _writers.Length));
        for (var first = 0; first < _writers.Length; first += group)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(group, _writers.Length - first);
            var shuffled = new int[count][];
            Parallelism.Run(() => Parallel.For(
                0,
                count,
                new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism, CancellationToken = cancellationToken },
                i =>
                {
                    var bucket = first + i;
                    var values = RawInt32Writer.ReadAll(BucketPath(bucket));
                    ShuffleRows(values, shuffleRoot.Fork((ulong)bucket));
                    shuffled[i] = values;
                }));

            for (var i = 0; i < count; i++)
            {
                output.Write(shuffled[i]);
                File.Delete(BucketPath(first + i));
                progress?.Report(new PreparePhaseProgress(Phase, first + i + 1, _writers.Length));
            }
        }

        output.Complete();
        Directory.Delete(_directory, recursive: true);
    }

    public void Dispose()
    {
        foreach (var writer in _writers)
        {
            writer.Dispose();
        }
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

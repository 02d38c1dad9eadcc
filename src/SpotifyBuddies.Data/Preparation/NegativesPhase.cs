using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Core.Preparation;
using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Data.Preparation;

/// <summary>Per-user counts of the negatives phase (-1 outcome for cold users).</summary>
internal sealed class NegativesResult(int users)
{
    public int[] TripletsPerUser { get; } = new int[users];

    /// <summary>(int)<see cref="TripletOutcome"/>, or -1 for a cold user.</summary>
    public int[] Outcome { get; } = new int[users];

    public int[] PoolSize { get; } = new int[users];

    public int[] HardSize { get; } = new int[users];

    public long ValidationRows { get; set; }

    public long TestRows { get; set; }

    public long ShortRows { get; set; }

    public int UniverseSize { get; set; }
}

/// <summary>What one block of users produced, in user order.</summary>
internal sealed class BlockOutput
{
    public List<Triplet> Triplets { get; } = [];

    /// <summary>The shuffle bucket of each triplet.</summary>
    public List<int> Buckets { get; } = [];

    public List<EvaluationBatch> Validation { get; } = [];

    public List<EvaluationBatch> Test { get; } = [];

    /// <summary>Empties the lists for reuse by a later block, keeping their capacity.</summary>
    public void Clear()
    {
        Triplets.Clear();
        Buckets.Clear();
        Validation.Clear();
        Test.Clear();
    }
}

/// <summary>
/// Phase "negatives &amp; triplets": per warm user, the overlaps are computed again (one sparse row, never stored),
/// the negative pool is the overlapping kept playlists that the user neither likes nor owns, split into hard (the
/// top <see cref="TripletSampler.HardCount"/> in the like order) and easy (the rest), and
/// <see cref="TripletSampler.Sample"/> draws the triplets; then the validation and test rows are drawn by
/// <see cref="EvaluationBatchSampler"/>. Blocks of users are computed in parallel and written in user
/// order as they complete, with a bounded number in flight, so memory is bounded by the block size and the
/// output does not depend on the scheduling.
/// </summary>
/// <remarks>
/// Hard and easy are each listed in ascending playlist index (the pool is scanned in that order and split by
/// comparing with the h-th best), so the sampler's index draws map to the same playlists on every run.
/// Random streams, all forked from the seed: <c>triplets/u</c>, <c>triplet-buckets/u</c>, <c>val-batches/u</c>,
/// <c>test-batches/u</c>.
/// </remarks>
internal static class NegativesPhase
{
    public const string Phase = "negatives & triplets";

    public static async Task<NegativesResult> RunAsync(
        PreparedState state,
        LoadedInputs inputs,
        PreparationParameters parameters,
        DeterministicRandom root,
        int bucketCount,
        Func<IReadOnlyList<BlockOutput>, CancellationToken, Task> write,
        int blockSize,
        int maxDegreeOfParallelism,
        IProgress<PreparePhaseProgress>? progress,
        CancellationToken cancellationToken)
    {
        var context = new Context(state, inputs, parameters, root, bucketCount);
        var result = new NegativesResult(state.UserCount) { UniverseSize = context.Universe.Ids.Length };
        var blocks = (state.UserCount + blockSize - 1) / blockSize;
        progress?.Report(new PreparePhaseProgress(Phase, 0, blocks));
        if (blocks == 0)
        {
            return result;
        }

        // Workers claim blocks in order and compute them; the writer takes them strictly in block order. At most
        // `window` blocks are claimed but not yet written, which bounds the memory; there is no barrier between
        // groups of blocks, so no worker idles while a slow block finishes.
        var window = Math.Max(2, 2 * maxDegreeOfParallelism);
        using var slots = new SemaphoreSlim(window);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var finished = new TaskCompletionSource<BlockOutput>[blocks];
        for (var b = 0; b < blocks; b++)
        {
            finished[b] = new TaskCompletionSource<BlockOutput>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        var spare = new ConcurrentBag<BlockOutput>(); // block outputs are reused once written: less garbage
        var next = -1;
        var done = 0;
        var workers = new Task[Math.Min(maxDegreeOfParallelism, blocks)];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(
                async () =>
                {
                    var accumulator = new OverlapAccumulator(state.PlaylistSongs);
                    var scratch = new EvaluationSamplerScratch();
                    while (true)
                    {
                        await slots.WaitAsync(stop.Token);
                        var block = Interlocked.Increment(ref next);
                        if (block >= blocks)
                        {
                            slots.Release();
                            return;
                        }

                        try
                        {
                            var output = spare.TryTake(out var emptied) ? emptied : new BlockOutput();
                            var end = Math.Min(state.UserCount, (block + 1) * blockSize);
                            for (var user = block * blockSize; user < end; user++)
                            {
                                ProcessUser(user, context, accumulator, scratch, output, result);
                            }

                            stop.Token.ThrowIfCancellationRequested();
                            finished[block].SetResult(output);
                            progress?.Report(new PreparePhaseProgress(Phase, Interlocked.Increment(ref done), blocks));
                        }
                        catch (Exception error)
                        {
                            finished[block].TrySetException(error);
                            throw;
                        }
                    }
                },
                stop.Token);
        }

        try
        {
            var batch = new List<BlockOutput>(window);
            for (var block = 0; block < blocks;)
            {
                // The next block, and every later one that is already done (written together).
                batch.Clear();
                do
                {
                    batch.Add(await finished[block].Task.WaitAsync(cancellationToken));
                    block++;
                }
                while (block < blocks && finished[block].Task.IsCompleted && batch.Count < window);

                foreach (var output in batch)
                {
                    result.ValidationRows += output.Validation.Count;
                    result.TestRows += output.Test.Count;
                    foreach (var row in output.Validation)
                    {
                        result.ShortRows += row.Negatives.Length < parameters.EvaluationNegatives ? 1 : 0;
                    }

                    foreach (var row in output.Test)
                    {
                        result.ShortRows += row.Negatives.Length < parameters.EvaluationNegatives ? 1 : 0;
                    }
                }

                await write(batch, cancellationToken);
                foreach (var output in batch)
                {
                    output.Clear();
                    spare.Add(output);
                }

                slots.Release(batch.Count);
            }

            await Task.WhenAll(workers);
        }
        catch
        {
            // Stop the workers and wait for them before the caller deletes the directory; the first error wins.
            await stop.CancelAsync();
            await Task.WhenAll(workers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            throw;
        }

        return result;
    }

    private static void ProcessUser(
        int user, Context context, OverlapAccumulator accumulator, EvaluationSamplerScratch scratch, BlockOutput output, NegativesResult result)
    {
        var state = context.State;
        if (state.IsCold[user])
        {
            result.Outcome[user] = -1;
            return;
        }

        var split = state.Splits[user]!;
        var userIdx = new UserIdx(user);
        var owners = state.Ownership!.OwnerByPlaylist;

        // Pool: overlapping kept playlists, not liked (any split), not owned by the user; ascending playlist order.
        var marks = accumulator.Marks;
        var liked = state.Liked[user];
        foreach (var like in liked)
        {
            marks[like.Playlist.Value] = true;
        }

        var songs = context.Inputs.UserSongs[state.UserSource[user]];
        var n = accumulator.Accumulate(songs, context.Postings);
        var poolSize = context.Tables.ScorePool(accumulator, n, state.Exploration[user], state.UserSongCount[user], user, owners);
        foreach (var like in liked)
        {
            marks[like.Playlist.Value] = false;
        }

        // Hard: the top HardCount of the pool in the like order; easy: the rest; both in ascending playlist order.
        var hardCount = TripletSampler.HardCount(poolSize, context.Parameters.HardNegativeFraction);
        var hard = accumulator.Hard.AsSpan(0, hardCount);
        var easy = accumulator.Easy.AsSpan(0, poolSize - hardCount);
        LikeSelection.Split<PlaylistIdx>(
            accumulator.Pool.AsSpan(0, poolSize), accumulator.Scores.AsSpan(0, poolSize), hardCount, accumulator.ScoreScratch, hard, easy);

        result.PoolSize[user] = poolSize;
        result.HardSize[user] = hardCount;

        var before = output.Triplets.Count;
        var outcome = TripletSampler.Sample(
            userIdx, split.Train, hard, easy, context.Parameters, context.TripletRoot.Fork((ulong)user), output.Triplets);
        var produced = output.Triplets.Count - before;
        result.Outcome[user] = (int)outcome;
        result.TripletsPerUser[user] = produced;
        if (produced > 0)
        {
            var buckets = context.BucketRoot.Fork((ulong)user);
            for (var t = 0; t < produced; t++)
            {
                output.Buckets.Add(context.BucketCount == 1 ? 0 : buckets.NextInt(context.BucketCount));
            }
        }

        if (split.Validation.Length == 0 && split.Test.Length == 0)
        {
            return;
        }

        // Excluded: every positive of the user (train, validation, test) and the playlists they own. All four lists are
        // ascending, so a merge gives the ascending, distinct set the sampler wants.
        var owned = state.Owned![user];
        var exclusion = MergeAscending(
            MemoryMarshal.Cast<PlaylistIdx, int>(split.Train.AsSpan()),
            MemoryMarshal.Cast<PlaylistIdx, int>(split.Validation.AsSpan()),
            MemoryMarshal.Cast<PlaylistIdx, int>(split.Test.AsSpan()),
            owned,
            accumulator.Excluded(split.Train.Length + split.Validation.Length + split.Test.Length + owned.Length));
        EvaluationBatchSampler.Sample(
            userIdx, split.Validation, context.Universe, exclusion, context.Parameters.EvaluationNegatives,
            context.ValidationRoot.Fork((ulong)user), output.Validation, scratch);
        EvaluationBatchSampler.Sample(
            userIdx, split.Test, context.Universe, exclusion, context.Parameters.EvaluationNegatives,
            context.TestRoot.Fork((ulong)user), output.Test, scratch);
    }

    /// <summary>The union of four ascending lists, ascending and without repeats, into <paramref name="destination"/>.</summary>
    internal static ReadOnlySpan<int> MergeAscending(ReadOnlySpan<int> a, ReadOnlySpan<int> b, ReadOnlySpan<int> c, ReadOnlySpan<int> d, Span<int> destination)
    {
        var n = 0;
        while (!(a.IsEmpty && b.IsEmpty && c.IsEmpty && d.IsEmpty))
        {
            var next = Math.Min(Math.Min(Head(a), Head(b)), Math.Min(Head(c), Head(d)));
            destination[n++] = next;
            a = SkipEqual(a, next);
            b = SkipEqual(b, next);
            c = SkipEqual(c, next);
            d = SkipEqual(d, next);
        }

        return destination[..n];

        static int Head(ReadOnlySpan<int> list) => list.IsEmpty ? int.MaxValue : list[0];

        static ReadOnlySpan<int> SkipEqual(ReadOnlySpan<int> list, int value)
        {
            while (!list.IsEmpty && list[0] == value)
            {
                list = list[1..];
            }

            return list;
        }
    }

    /// <summary>The read-only inputs every worker shares.</summary>
    private sealed class Context
    {
        public Context(PreparedState state, LoadedInputs inputs, PreparationParameters parameters, DeterministicRandom root, int bucketCount)
        {
            State = state;
            Inputs = inputs;
            Parameters = parameters;
            BucketCount = bucketCount;
            Postings = state.PlaylistSongs.Transpose(inputs.SongKeys.Length);
            Tables = new ScoreTables(state.PlaylistSongs);
            Universe = new EvaluationUniverse(BuildUniverse(state));
            TripletRoot = root.Fork("triplets");
            BucketRoot = root.Fork("triplet-buckets");
            ValidationRoot = root.Fork("val-batches");
            TestRoot = root.Fork("test-batches");
        }

        public PreparedState State { get; }
        public LoadedInputs Inputs { get; }
        public PreparationParameters Parameters { get; }
        public int BucketCount { get; }
        public SparseRows Postings { get; }
        public ScoreTables Tables { get; }
        public EvaluationUniverse Universe { get; }
        public DeterministicRandom TripletRoot { get; }
        public DeterministicRandom BucketRoot { get; }
        public DeterministicRandom ValidationRoot { get; }
        public DeterministicRandom TestRoot { get; }

        // All warm users' train and validation positives and every owned playlist, ascending (original-system.md §1).
        private static int[] BuildUniverse(PreparedState state)
        {
            var member = new bool[state.PlaylistCount];
            foreach (var split in state.Splits)
            {
                if (split is null)
                {
                    continue;
                }

                foreach (var playlist in split.Train)
                {
                    member[playlist.Value] = true;
                }

                foreach (var playlist in split.Validation)
                {
                    member[playlist.Value] = true;
                }
            }

            var owners = state.Ownership!.OwnerByPlaylist;
            for (var p = 0; p < owners.Length; p++)
            {
                member[p] |= owners[p] >= 0;
            }

            var universe = new IntBuffer(state.PlaylistCount);
            for (var p = 0; p < member.Length; p++)
            {
                if (member[p])
                {
                    universe.Add(p);
                }
            }

            return universe.Detach();
        }
    }
}

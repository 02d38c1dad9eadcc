using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Core.Preparation;
using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Data.Preparation;

/// <summary>Per scored user: the liked playlists and what the overlap looked like.</summary>
internal sealed class LikesResult(int users)
{
    /// <summary>Liked playlists in the like order (source playlist indexes until re-indexed).</summary>
    public ScoredPlaylist[][] Liked { get; } = new ScoredPlaylist[users][];

    /// <summary>n: playlists overlapping the user.</summary>
    public int[] Overlapping { get; } = new int[users];

    public double[] Exploration { get; } = new double[users];

    public double[] ScoreSum { get; } = new double[users];

    public double[] ScoreMin { get; } = new double[users];

    public double[] ScoreMax { get; } = new double[users];
}

/// <summary>
/// Phase "score overlaps": for every selected user, m(u, p) for all overlapping playlists (one row of the sparse
/// product), the like score, and the top max(1, ⌈f·n⌉) in the like order. Users are processed in blocks in
/// parallel; each thread owns an <see cref="OverlapAccumulator"/>, and each user's exploration draw comes from
/// its own stream <c>Fork("exploration").Fork(sourceUserIdx)</c>, so nothing depends on the thread count or
/// block size. Only the liked playlists are kept, never the overlapping pairs.
/// </summary>
internal static class LikesPhase
{
    public const string Phase = "score overlaps";

    public static LikesResult Run(
        int[] users,
        LoadedInputs inputs,
        SparseRows postings,
        ScoreTables tables,
        PreparationParameters parameters,
        DeterministicRandom root,
        int blockSize,
        int maxDegreeOfParallelism,
        IProgress<PreparePhaseProgress>? progress,
        CancellationToken cancellationToken)
    {
        var result = new LikesResult(users.Length);
        var explorationRoot = root.Fork("exploration");
        var blocks = (users.Length + blockSize - 1) / blockSize;
        var done = 0;
        var next = -1;
        progress?.Report(new PreparePhaseProgress(Phase, 0, blocks));

        // One worker per thread, each claiming the next block: dynamic load balancing without a tail of idle threads.
        Parallelism.Run(() => Parallel.For(
            0,
            Math.Max(1, Math.Min(maxDegreeOfParallelism, blocks)),
            new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism, CancellationToken = cancellationToken },
            _ =>
            {
                var accumulator = new OverlapAccumulator(inputs.PlaylistSongs);
                int block;
                while ((block = Interlocked.Increment(ref next)) < blocks)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var end = Math.Min(users.Length, (block + 1) * blockSize);
                    for (var i = block * blockSize; i < end; i++)
                    {
                        ScoreUser(i, users[i], inputs, postings, tables, parameters, explorationRoot, accumulator, result);
                    }

                    progress?.Report(new PreparePhaseProgress(Phase, Interlocked.Increment(ref done), blocks));
                }
            }));

        return result;
    }

    private static void ScoreUser(
        int ordinal,
        int sourceUser,
        LoadedInputs inputs,
        SparseRows postings,
        ScoreTables tables,
        PreparationParameters parameters,
        DeterministicRandom explorationRoot,
        OverlapAccumulator accumulator,
        LikesResult result)
    {
        var songs = inputs.UserSongs[sourceUser];
        var exploration = explorationRoot.Fork((ulong)sourceUser).NextBeta(parameters.ExplorationAlpha, parameters.ExplorationBeta);
        result.Exploration[ordinal] = exploration;
        var n = accumulator.Accumulate(songs, postings);
        result.Overlapping[ordinal] = n;
        if (n == 0)
        {
            result.Liked[ordinal] = [];
            return;
        }

        var scores = accumulator.Scores.AsSpan(0, n);
        tables.ScoreAll(accumulator, n, exploration, songs.Length, scores);
        var sum = 0.0;
        var min = double.PositiveInfinity;
        var max = double.NegativeInfinity;
        foreach (var score in scores)
        {
            sum += score;
            min = Math.Min(min, score);
            max = Math.Max(max, score);
        }

        result.ScoreSum[ordinal] = sum;
        result.ScoreMin[ordinal] = min;
        result.ScoreMax[ordinal] = max;

        var liked = LikeScoring.LikedCount(n, parameters.LikedFraction);
        var selected = accumulator.TopIndexes.AsSpan(0, liked);
        LikeSelection.TopIndexes(scores, liked, accumulator.ScoreScratch, selected);
        var top = new ScoredPlaylist[liked];
        for (var i = 0; i < liked; i++)
        {
            var at = selected[i];
            top[i] = new ScoredPlaylist(new PlaylistIdx(accumulator.Playlists[at]), accumulator.Matches[at], scores[at]);
        }

        LikeSelection.SortInLikeOrder(top);
        result.Liked[ordinal] = top;
    }
}

/// <summary><see cref="LikeScoring.Compare"/> as a struct comparer (no delegate allocation when sorting).</summary>
internal readonly struct LikeOrder : IComparer<ScoredPlaylist>
{
    public int Compare(ScoredPlaylist x, ScoredPlaylist y) => LikeScoring.Compare(x, y);
}

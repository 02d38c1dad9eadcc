using System.Numerics.Tensors;
using SpotifyBuddies.Core.Ranking;

namespace SpotifyBuddies.Models.Ranking;

/// <summary>
/// Ranks each evaluation row's positive among its negatives by dot-product score and reports MRR and Hit@1/5/10
/// (<see cref="RankingMetrics"/>: pessimistic ties). Every row of the set is used (the original evaluated one slice).
/// </summary>
/// <remarks>Rows are split into fixed chunks scored in parallel; per-chunk sums are merged in chunk order, so the
/// result does not depend on the thread count.</remarks>
public static class BprEvaluator
{
    private const int ChunkRows = 4096;

    /// <summary>Scores with learned embeddings: s(u, p) = ⟨e_u, e_p⟩.</summary>
    public static RankingScores Evaluate(BprEmbeddings embeddings, EvaluationBatchSet rows, int threads, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        ArgumentNullException.ThrowIfNull(rows);
        return Rank(rows, threads, (user, playlists, scores) =>
        {
            var u = embeddings.User(user);
            for (var i = 0; i < playlists.Length; i++)
            {
                scores[i] = TensorPrimitives.Dot(u, embeddings.Playlist(playlists[i]));
            }
        }, cancellationToken);
    }

    /// <summary>Scores with one number per playlist, whoever the user (the popularity baseline).</summary>
    public static RankingScores Evaluate(float[] playlistScores, EvaluationBatchSet rows, int threads, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(playlistScores);
        ArgumentNullException.ThrowIfNull(rows);
        return Rank(rows, threads, (_, playlists, scores) =>
        {
            for (var i = 0; i < playlists.Length; i++)
            {
                scores[i] = playlistScores[playlists[i]];
            }
        }, cancellationToken);
    }

    private delegate void Scorer(int user, ReadOnlySpan<int> playlists, Span<float> scores);

    private static RankingScores Rank(EvaluationBatchSet rows, int threads, Scorer score, CancellationToken cancellationToken)
    {
        var chunks = (rows.Count + ChunkRows - 1) / ChunkRows;
        var partial = new RankingAccumulator[chunks];
        Parallel.For(
            0,
            chunks,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = cancellationToken },
            () => (Playlists: new int[rows.Negatives + 1], Scores: new float[rows.Negatives + 1]),
            (chunk, _, scratch) =>
            {
                var accumulator = new RankingAccumulator();
                var end = Math.Min(rows.Count, (chunk + 1) * ChunkRows);
                for (var row = chunk * ChunkRows; row < end; row++)
                {
                    scratch.Playlists[0] = rows.Positive(row);
                    var n = 1;
                    foreach (var negative in rows.NegativesOf(row))
                    {
                        if (negative >= 0)
                        {
                            scratch.Playlists[n++] = negative;
                        }
                    }

                    var scores = scratch.Scores.AsSpan(0, n);
                    score(rows.User(row), scratch.Playlists.AsSpan(0, n), scores);
                    accumulator.Add(RankingMetrics.Rank(scores[0], scores[1..]));
                }

                partial[chunk] = accumulator;
                return scratch;
            },
            _ => { });

        var total = new RankingAccumulator();
        foreach (var accumulator in partial)
        {
            total.Merge(accumulator);
        }

        return total.Result();
    }
}

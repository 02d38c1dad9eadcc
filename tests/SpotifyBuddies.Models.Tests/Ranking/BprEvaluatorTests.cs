using SpotifyBuddies.Models.Ranking;

namespace SpotifyBuddies.Models.Tests.Ranking;

public sealed class BprEvaluatorTests
{
    [Fact]
    public void Ranks_by_dot_product_skipping_padding()
    {
        // d = 2; user 0 = (1, 0), user 1 = (0, 1). Playlists: p0 = (3, 0), p1 = (1, 1), p2 = (0, 2), p3 = (2, 2).
        var embeddings = new BprEmbeddings(2, 4, 2, new float[] { 1, 0, 0, 1 }, new float[] { 3, 0, 1, 1, 0, 2, 2, 2 });
        var rows = new EvaluationBatchSet(
        [
            0, 0, 1, 2, -1,  // user 0, positive p0 (3) vs p1 (1), p2 (0): rank 0
            0, 1, 0, 3, 2,   // user 0, positive p1 (1) vs p0 (3), p3 (2), p2 (0): rank 2
            1, 2, 3, 1, -1,  // user 1, positive p2 (2) vs p3 (2, a tie), p1 (1): rank 1
        ], negatives: 3);

        var scores = BprEvaluator.Evaluate(embeddings, rows, threads: 2);

        Assert.Equal(3, scores.Count);
        Assert.Equal((1 + (1.0 / 3) + (1.0 / 2)) / 3, scores.Mrr, 12);
        Assert.Equal(1.0 / 3, scores.HitAt1, 12);
        Assert.Equal(1.0, scores.HitAt5, 12);
    }

    [Fact]
    public void Popularity_scores_ignore_the_user_and_count_ties_against_the_positive()
    {
        var popularity = new float[] { 5, 5, 1, 0 };
        var rows = new EvaluationBatchSet([0, 0, 1, 2, 1, 2, 3, 0], negatives: 2);

        var scores = BprEvaluator.Evaluate(popularity, rows, threads: 1);

        // Row 0: p0 (5) vs p1 (5, tie), p2 (1) → rank 1. Row 1: p2 (1) vs p3 (0), p0 (5) → rank 1.
        Assert.Equal(0.5, scores.Mrr, 12);
        Assert.Equal(0, scores.HitAt1);
    }

    [Fact]
    public void Result_does_not_depend_on_the_thread_count()
    {
        var random = new Random(7);
        var users = Enumerable.Range(0, 50 * 8).Select(_ => (float)random.NextDouble()).ToArray();
        var playlists = Enumerable.Range(0, 80 * 8).Select(_ => (float)random.NextDouble()).ToArray();
        var values = new List<int>();
        for (var row = 0; row < 10_000; row++)
        {
            values.Add(random.Next(50));
            values.AddRange(Enumerable.Range(0, 6).Select(_ => random.Next(80)));
        }

        var rows = new EvaluationBatchSet([.. values], negatives: 5);
        var embeddings = new BprEmbeddings(50, 80, 8, users, playlists);
        Assert.Equal(BprEvaluator.Evaluate(embeddings, rows, 1), BprEvaluator.Evaluate(embeddings, rows, 4));
    }
}

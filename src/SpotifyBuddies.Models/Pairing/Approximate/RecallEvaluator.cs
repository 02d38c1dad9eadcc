namespace SpotifyBuddies.Models.Pairing.Approximate;

/// <summary>Recall of approximate neighbour lists against exact ones.</summary>
public static class RecallEvaluator
{
    /// <summary>Mean recall@K with K the smaller of the two lists' K (see <see cref="RecallAtK(NeighbourLists, NeighbourLists, int)"/>).</summary>
    public static double RecallAtK(NeighbourLists approximate, NeighbourLists exact)
    {
        ArgumentNullException.ThrowIfNull(approximate);
        ArgumentNullException.ThrowIfNull(exact);
        return RecallAtK(approximate, exact, Math.Min(approximate.K, exact.K));
    }

    /// <summary>
    /// Mean over users with at least one exact neighbour of |approx top-k ∩ exact top-k| / |exact top-k|
    /// (a user with fewer than k exact neighbours is scored against those it has). Users without exact
    /// neighbours (empty libraries, or not sampled by the reference) are skipped; NaN when none is left.
    /// Set membership only: similarities are not compared, so the exact side may be the sparse cosine
    /// (<c>ExactNeighbourSearch</c>) or the same dense vectors (<see cref="DenseExactSearch"/>). With ties at
    /// the K-th similarity the exact side's pick (lower user index) is the one that counts.
    /// </summary>
    public static double RecallAtK(NeighbourLists approximate, NeighbourLists exact, int k)
    {
        ArgumentNullException.ThrowIfNull(approximate);
        ArgumentNullException.ThrowIfNull(exact);
        if (approximate.Users != exact.Users)
        {
            throw new ArgumentException($"the lists cover different users ({approximate.Users} and {exact.Users})");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, Math.Min(approximate.K, exact.K));
        var mark = new int[exact.Users];
        Array.Fill(mark, -1);
        var sum = 0.0;
        var evaluated = 0;
        for (var u = 0; u < exact.Users; u++)
        {
            var truth = exact.Of(u);
            truth = truth[..Math.Min(k, truth.Length)];
            if (truth.IsEmpty)
            {
                continue;
            }

            foreach (var v in truth)
            {
                mark[v] = u;
            }

            var found = approximate.Of(u);
            var hits = 0;
            foreach (var v in found[..Math.Min(k, found.Length)])
            {
                hits += mark[v] == u ? 1 : 0;
            }

            sum += (double)hits / truth.Length;
            evaluated++;
        }

        return evaluated == 0 ? double.NaN : sum / evaluated;
    }
}

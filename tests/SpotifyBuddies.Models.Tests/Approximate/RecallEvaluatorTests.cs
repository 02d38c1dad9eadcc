using SpotifyBuddies.Models.Pairing;
using SpotifyBuddies.Models.Pairing.Approximate;

namespace SpotifyBuddies.Models.Tests.Approximate;

public sealed class RecallEvaluatorTests
{
    [Fact]
    public void RecallAtK_WhenListsAreIdentical_IsOne()
    {
        var lists = Lists(k: 2, [1, 2], [0, 2], [0, 1]);

        Assert.Equal(1.0, RecallEvaluator.RecallAtK(lists, lists));
    }

    [Fact]
    public void RecallAtK_WhenListsOverlapPartly_IsTheMeanShareOfExactNeighboursFound()
    {
        var exact = Lists(k: 2, [1, 2], [0, 2], [0, 1], [0, 1]);
        var approximate = Lists(k: 2, [2, 1], [3, 0], [3], [0, 1]);

        // @2 — user 0: 2/2, user 1: 1/2, user 2: 0/2, user 3: 2/2; @1 only user 3 matches.
        Assert.Equal(0.625, RecallEvaluator.RecallAtK(approximate, exact), 10);
        Assert.Equal(0.25, RecallEvaluator.RecallAtK(approximate, exact, k: 1), 10);
    }

    [Fact]
    public void RecallAtK_WhenAUserHasNoExactNeighbours_SkipsThatUser()
    {
        var exact = Lists(k: 2, [1, 2], [], [0], [0, 1]);
        var approximate = Lists(k: 2, [1, 3], [0, 2], [0, 1], [2, 1]);

        // user 0: 1/2; user 1 skipped; user 2 has one exact neighbour, found: 1/1; user 3: 1/2.
        Assert.Equal(2 / 3.0, RecallEvaluator.RecallAtK(approximate, exact), 10);
    }

    private static NeighbourLists Lists(int k, params int[][] rows)
    {
        var counts = rows.Select(r => r.Length).ToArray();
        var neighbours = new int[rows.Length * k];
        for (var u = 0; u < rows.Length; u++)
        {
            rows[u].CopyTo(neighbours, u * k);
        }

        return new NeighbourLists(rows.Length, k, counts, neighbours, new float[neighbours.Length]);
    }
}

using SpotifyBuddies.Core.Pairing;
using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Core.Tests.Pairing;

public sealed class CandidatePoolTests
{
    [Fact]
    public void Exclusions_WhenOwnAndLikedOverlap_ReturnsAscendingDistinctUnion()
    {
        var destination = new int[8];

        var count = CandidatePool.Exclusions([9, 3, 5], [5, 1, 9, 2], destination);

        Assert.Equal([1, 2, 3, 5, 9], destination[..count]);
    }

    [Fact]
    public void Exclusions_WhenBothEmpty_ReturnsZero()
    {
        Assert.Equal(0, CandidatePool.Exclusions([], [], []));
    }

    [Fact]
    public void Exclusions_WhenDestinationIsTooShort_Throws()
    {
        Assert.Throws<ArgumentException>(() => CandidatePool.Exclusions([1, 2], [3], new int[2]));
    }

    [Fact]
    public void Sample_WhenNoMoreThanPoolSize_KeepsAllAscendingAndDistinct()
    {
        int[] reachable = [7, 3, 7, 1, 3];

        var count = CandidatePool.Sample(reachable, 75, new DeterministicRandom(42));

        Assert.Equal([1, 3, 7], reachable[..count]);
    }

    [Fact]
    public void Sample_WhenEmpty_ReturnsZero()
    {
        Assert.Equal(0, CandidatePool.Sample([], 75, new DeterministicRandom(42)));
    }

    [Fact]
    public void Sample_WhenMoreThanPoolSize_ReturnsPoolSizeDistinctMembersAscending()
    {
        var population = Enumerable.Range(0, 300).Select(i => i * 3).ToArray();
        var reachable = population.ToArray();

        var count = CandidatePool.Sample(reachable, 75, new DeterministicRandom(42).Fork(5));

        var pool = reachable[..count];
        Assert.Equal(75, count);
        Assert.Equal(pool.Order(), pool);
        Assert.Equal(75, pool.Distinct().Count());
        Assert.All(pool, p => Assert.Contains(p, population));
    }

    [Fact]
    public void Sample_WhenTheSameSetComesInAnotherOrder_DrawsTheSamePool()
    {
        var ascending = Enumerable.Range(0, 200).ToArray();
        var shuffled = ascending.Reverse().Concat([5, 6, 7]).ToArray();

        var a = CandidatePool.Sample(ascending, 20, new DeterministicRandom(9));
        var b = CandidatePool.Sample(shuffled, 20, new DeterministicRandom(9));

        Assert.Equal(ascending[..a], shuffled[..b]);
    }

    [Fact]
    public void Sample_WhenDrawnManyTimes_EveryMemberIsEquallyLikely()
    {
        const int Population = 20;
        const int PoolSize = 5;
        const int Draws = 20_000;
        var hits = new int[Population];
        var root = new DeterministicRandom(123);
        var buffer = new int[Population];
        for (var d = 0; d < Draws; d++)
        {
            for (var i = 0; i < Population; i++)
            {
                buffer[i] = i;
            }

            var count = CandidatePool.Sample(buffer, PoolSize, root.Fork((ulong)d));
            foreach (var p in buffer[..count])
            {
                hits[p]++;
            }
        }

        // Expected 5,000 each; the binomial standard deviation is about 61.
        Assert.All(hits, h => Assert.InRange(h, 4_700, 5_300));
    }

    [Fact]
    public void SortDistinct_WhenRepeats_MovesDistinctValuesToTheFront()
    {
        int[] values = [4, 4, 2, 9, 2, 2];

        var count = CandidatePool.SortDistinct(values);

        Assert.Equal([2, 4, 9], values[..count]);
    }
}

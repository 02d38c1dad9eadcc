using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Core.Tests.Randomness;

public sealed class ZipfSamplerTests
{
    [Fact]
    public void Probability_WhenExponentIsOne_HalvesFromRankZeroToRankOne()
    {
        var sampler = new ZipfSampler(100, 1.0);

        Assert.Equal(2.0, sampler.Probability(0) / sampler.Probability(1), 9);
        Assert.Equal(10.0, sampler.Probability(0) / sampler.Probability(9), 9);
    }

    [Fact]
    public void Probability_WhenOffsetIsGiven_FollowsZipfMandelbrot()
    {
        var sampler = new ZipfSampler(10, 2.0, offset: 1.0);

        // (0 + 1 + 1)^-2 / (1 + 1 + 1)^-2 = 9 / 4.
        Assert.Equal(2.25, sampler.Probability(0) / sampler.Probability(1), 9);
    }

    [Fact]
    public void Sample_WhenDrawnManyTimes_MatchesTheProbabilities()
    {
        var sampler = new ZipfSampler(1_000, 0.9);
        var random = new DeterministicRandom(1);
        var counts = new int[1_000];
        const int draws = 200_000;

        for (var i = 0; i < draws; i++)
        {
            counts[sampler.Sample(random)]++;
        }

        for (var rank = 0; rank < 3; rank++)
        {
            var expected = sampler.Probability(rank);
            Assert.InRange(counts[rank] / (double)draws, expected * 0.95, expected * 1.05);
        }

        Assert.True(counts[0] > counts[10] && counts[10] > counts[500], "popularity must fall with rank");
    }

    [Fact]
    public void Constructor_WhenCountIsZero_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ZipfSampler(0, 1.0));
    }
}

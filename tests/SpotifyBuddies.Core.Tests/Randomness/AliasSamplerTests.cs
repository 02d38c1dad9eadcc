using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Core.Tests.Randomness;

public sealed class AliasSamplerTests
{
    [Fact]
    public void Sample_WhenDrawnManyTimes_FollowsTheWeights()
    {
        double[] weights = [1, 2, 3, 4];
        var sampler = new AliasSampler(weights);
        var random = new DeterministicRandom(1);
        var counts = new int[4];
        const int draws = 100_000;

        for (var i = 0; i < draws; i++)
        {
            counts[sampler.Sample(random)]++;
        }

        for (var i = 0; i < weights.Length; i++)
        {
            Assert.InRange(counts[i] / (double)draws, (weights[i] / 10) - 0.01, (weights[i] / 10) + 0.01);
        }
    }

    [Fact]
    public void Sample_WhenAWeightIsZero_NeverDrawsIt()
    {
        var sampler = new AliasSampler([5, 0, 5, 0]);
        var random = new DeterministicRandom(2);

        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(sampler.Sample(random) % 2 == 0);
        }
    }

    [Fact]
    public void Probability_Always_IsTheNormalisedWeight()
    {
        var sampler = new AliasSampler([1, 3]);

        Assert.Equal(2, sampler.Count);
        Assert.Equal(0.25, sampler.Probability(0), 12);
        Assert.Equal(0.75, sampler.Probability(1), 12);
    }

    [Fact]
    public void Sample_WhenSingleOutcome_AlwaysReturnsIt()
    {
        var sampler = new AliasSampler([0.3]);
        var random = new DeterministicRandom(3);

        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(0, sampler.Sample(random)));
    }

    [Theory]
    [InlineData(new double[0])]
    [InlineData(new double[] { 0, 0 })]
    [InlineData(new double[] { 1, -1 })]
    [InlineData(new double[] { 1, double.NaN })]
    [InlineData(new double[] { 1, double.PositiveInfinity })]
    public void Constructor_WhenWeightsAreUnusable_Throws(double[] weights)
    {
        Assert.Throws<ArgumentException>(() => new AliasSampler(weights));
    }
}

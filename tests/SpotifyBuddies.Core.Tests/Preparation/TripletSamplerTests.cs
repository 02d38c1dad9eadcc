using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Core.Preparation;
using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Core.Tests.Preparation;

public sealed class TripletSamplerTests
{
    private static readonly UserIdx User = new(7);
    private static readonly PreparationParameters Defaults = new(); // 4 per positive, 2 hard

    private static PlaylistIdx[] Ids(int start, int count) =>
        Enumerable.Range(start, count).Select(i => new PlaylistIdx(i)).ToArray();

    private static bool IsHard(Triplet t) => t.Negative.Value is >= 100 and < 200;

    private static bool IsEasy(Triplet t) => t.Negative.Value is >= 200 and < 300;

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)] // floor(0.2) = 0 → at least 1
    [InlineData(4, 1)]
    [InlineData(9, 1)] // floor(1.8)
    [InlineData(10, 2)]
    [InlineData(14, 2)] // floor(2.8)
    [InlineData(15, 3)]
    public void HardCount_WhenDefaultFraction_IsMaxOneFloorFifthOfPool(int poolSize, int expected)
    {
        Assert.Equal(expected, TripletSampler.HardCount(poolSize, 0.2));
    }

    [Fact]
    public void HardCount_WhenProductIsJustBelowAnInteger_DoesNotLoseOne()
    {
        // 0.29·100 = 28.999999999999996 in doubles.
        Assert.Equal(29, TripletSampler.HardCount(100, 0.29));
    }

    [Fact]
    public void Sample_WhenBothPoolsAmple_TwoHardAndTwoEasyDistinctPerPositive()
    {
        var output = new List<Triplet>();
        var positives = Ids(0, 50);

        var outcome = TripletSampler.Sample(User, positives, Ids(100, 5), Ids(200, 20), Defaults, new DeterministicRandom(1), output);

        Assert.Equal(TripletOutcome.Sampled, outcome);
        Assert.Equal(200, output.Count);
        Assert.All(output, t => Assert.Equal(User, t.User));
        var groups = output.GroupBy(t => t.Positive).ToList();
        Assert.Equal(positives, groups.Select(g => g.Key));
        Assert.All(groups, g =>
        {
            Assert.Equal(4, g.Count());
            Assert.Equal(2, g.Count(IsHard));
            Assert.Equal(2, g.Count(IsEasy));
            Assert.Equal(4, g.Select(t => t.Negative).Distinct().Count());
        });
    }

    [Fact]
    public void Sample_WhenHardHasOne_TakesItAndThreeEasy()
    {
        var output = new List<Triplet>();

        TripletSampler.Sample(User, Ids(0, 10), Ids(100, 1), Ids(200, 10), Defaults, new DeterministicRandom(2), output);

        Assert.All(output.GroupBy(t => t.Positive), g =>
        {
            Assert.Equal(1, g.Count(IsHard));
            Assert.Equal(3, g.Count(IsEasy));
        });
    }

    [Fact]
    public void Sample_WhenEasyIsShort_FillsFromUnusedHard()
    {
        var output = new List<Triplet>();

        var outcome = TripletSampler.Sample(User, Ids(0, 10), Ids(100, 6), Ids(200, 1), Defaults, new DeterministicRandom(3), output);

        Assert.Equal(TripletOutcome.Sampled, outcome);
        Assert.Equal(40, output.Count);
        Assert.All(output.GroupBy(t => t.Positive), g =>
        {
            Assert.Equal(3, g.Count(IsHard));
            Assert.Equal(1, g.Count(IsEasy));
            Assert.Equal(4, g.Select(t => t.Negative).Distinct().Count());
        });
    }

    [Fact]
    public void Sample_WhenHardIsEmpty_AllFromEasy()
    {
        var output = new List<Triplet>();

        var outcome = TripletSampler.Sample(User, Ids(0, 3), [], Ids(200, 5), Defaults, new DeterministicRandom(4), output);

        Assert.Equal(TripletOutcome.Sampled, outcome);
        Assert.Equal(12, output.Count);
        Assert.All(output, t => Assert.True(IsEasy(t)));
        Assert.All(output.GroupBy(t => t.Positive), g => Assert.Equal(4, g.Select(t => t.Negative).Distinct().Count()));
    }

    [Fact]
    public void Sample_WhenPoolExactlyFour_UsesWholePoolForEveryPositive()
    {
        var output = new List<Triplet>();

        TripletSampler.Sample(User, Ids(0, 5), Ids(100, 1), Ids(200, 3), Defaults, new DeterministicRandom(5), output);

        Assert.All(output.GroupBy(t => t.Positive), g =>
            Assert.Equal([100, 200, 201, 202], g.Select(t => t.Negative.Value).Order()));
    }

    [Fact]
    public void Sample_WhenHardPerPositiveIsZero_AllFromEasy()
    {
        var output = new List<Triplet>();
        var parameters = Defaults with { HardNegativesPerPositive = 0 };

        TripletSampler.Sample(User, Ids(0, 5), Ids(100, 5), Ids(200, 5), parameters, new DeterministicRandom(6), output);

        Assert.Equal(20, output.Count);
        Assert.All(output, t => Assert.True(IsEasy(t)));
    }

    [Fact]
    public void Sample_WhenPoolSmallerThanNegativesPerPositive_ReturnsPoolTooSmallAndAppendsNothing()
    {
        var existing = new Triplet(new UserIdx(1), new PlaylistIdx(1), new PlaylistIdx(2));
        var output = new List<Triplet> { existing };

        var outcome = TripletSampler.Sample(User, Ids(0, 3), Ids(100, 1), Ids(200, 2), Defaults, new DeterministicRandom(7), output);

        Assert.Equal(TripletOutcome.PoolTooSmall, outcome);
        Assert.Equal([existing], output);
    }

    [Fact]
    public void Sample_WhenNoTrainPositives_ReturnsNoTrainPositivesEvenWithoutPool()
    {
        var output = new List<Triplet>();

        Assert.Equal(TripletOutcome.NoTrainPositives, TripletSampler.Sample(User, [], [], [], Defaults, new DeterministicRandom(8), output));
        Assert.Empty(output);
    }

    [Fact]
    public void Sample_WhenBothPoolsEmpty_ReturnsNoNegativePool()
    {
        var output = new List<Triplet>();

        Assert.Equal(TripletOutcome.NoNegativePool, TripletSampler.Sample(User, Ids(0, 2), [], [], Defaults, new DeterministicRandom(9), output));
        Assert.Empty(output);
    }

    [Fact]
    public void Sample_WhenOutputHasRows_AppendsAfterThem()
    {
        var existing = new Triplet(new UserIdx(1), new PlaylistIdx(1), new PlaylistIdx(2));
        var output = new List<Triplet> { existing };

        TripletSampler.Sample(User, Ids(0, 2), Ids(100, 3), Ids(200, 3), Defaults, new DeterministicRandom(10), output);

        Assert.Equal(9, output.Count);
        Assert.Equal(existing, output[0]);
    }

    [Fact]
    public void Sample_WhenSameSeed_SameTripletsAndDifferentSeedDiffers()
    {
        List<Triplet> Run(ulong seed)
        {
            var output = new List<Triplet>();
            TripletSampler.Sample(User, Ids(0, 20), Ids(100, 30), Ids(200, 90), Defaults, new DeterministicRandom(seed), output);
            return output;
        }

        Assert.Equal(Run(42), Run(42));
        Assert.NotEqual(Run(42), Run(43));
    }

    [Fact]
    public void Sample_WhenManyPositives_EveryHardAndEasyCandidateGetsDrawn()
    {
        var output = new List<Triplet>();

        TripletSampler.Sample(User, Ids(0, 500), Ids(100, 10), Ids(200, 40), Defaults, new DeterministicRandom(11), output);

        // Hard: 1,000 draws over 10 (≈100 each); easy: 1,000 over 40 (≈25 each).
        var hardCounts = output.Where(IsHard).CountBy(t => t.Negative).ToDictionary();
        var easyCounts = output.Where(IsEasy).CountBy(t => t.Negative).ToDictionary();
        Assert.Equal(10, hardCounts.Count);
        Assert.Equal(40, easyCounts.Count);
        Assert.All(hardCounts.Values, c => Assert.InRange(c, 60, 140));
        Assert.All(easyCounts.Values, c => Assert.InRange(c, 8, 45));
    }

    [Fact]
    public void Sample_WhenHardPerPositiveExceedsTotal_Throws()
    {
        var parameters = Defaults with { HardNegativesPerPositive = 5 };

        Assert.Throws<ArgumentException>(() =>
            TripletSampler.Sample(User, Ids(0, 1), Ids(100, 5), Ids(200, 5), parameters, new DeterministicRandom(12), []));
    }
}

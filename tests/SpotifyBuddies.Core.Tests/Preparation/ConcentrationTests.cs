using SpotifyBuddies.Core.Preparation;

namespace SpotifyBuddies.Core.Tests.Preparation;

public sealed class ConcentrationTests
{
    [Fact]
    public void Gini_WhenAllEqual_IsZero()
    {
        // Σ i·x = 1+2+3+4 = 10; 2·10/(4·4) − 5/4 = 1.25 − 1.25 = 0.
        Assert.Equal(0.0, Concentration.Gini([1, 1, 1, 1]), 15);
    }

    [Fact]
    public void Gini_WhenOneHoldsAll_IsThreeQuartersForFour()
    {
        // Sorted [0,0,0,4]: Σ i·x = 4·4 = 16; 2·16/(4·4) − 5/4 = 2 − 1.25 = 0.75 (the maximum (n−1)/n).
        Assert.Equal(0.75, Concentration.Gini([0, 0, 0, 4]), 15);
    }

    [Fact]
    public void Gini_WhenUnsorted_SortsFirst()
    {
        Assert.Equal(0.75, Concentration.Gini([4, 0, 0, 0]), 15);
    }

    [Fact]
    public void Gini_WhenLinear_MatchesHandComputation()
    {
        // [3,1,4,2] sorted [1,2,3,4]: Σ i·x = 1+4+9+16 = 30, Σx = 10; 2·30/(4·10) − 5/4 = 1.5 − 1.25 = 0.25.
        Assert.Equal(0.25, Concentration.Gini([3, 1, 4, 2]), 15);
    }

    [Fact]
    public void Gini_WhenEmptyOrAllZero_IsZero()
    {
        Assert.Equal(0.0, Concentration.Gini([]));
        Assert.Equal(0.0, Concentration.Gini([0, 0, 0]));
    }

    [Fact]
    public void Gini_WhenNegativeCount_Throws()
    {
        Assert.Throws<ArgumentException>(() => Concentration.Gini([1, -1]));
    }

    [Fact]
    public void TopShare_WhenQuarterOfEqualCounts_IsQuarter()
    {
        Assert.Equal(0.25, Concentration.TopShare([1, 1, 1, 1], 0.25), 15);
    }

    [Theory]
    [InlineData(0.25, 0.5)] // top 1 of [10,5,5,0]: 10/20
    [InlineData(0.5, 0.75)] // top 2: 15/20
    [InlineData(0.3, 0.75)] // ceil(1.2) = 2 entries
    [InlineData(0.01, 0.5)] // ceil(0.04) = 1: at least one entry
    [InlineData(1.0, 1.0)]
    public void TopShare_WhenUnsortedCounts_SumsLargestEntries(double fraction, double expected)
    {
        Assert.Equal(expected, Concentration.TopShare([5, 0, 10, 5], fraction), 15);
    }

    [Fact]
    public void TopShare_WhenProductIsJustAboveAnInteger_DoesNotTakeAnExtraEntry()
    {
        // 0.07·100 = 7.000000000000001 in doubles: top 7 entries (a naive ceil takes 8). Values 1..100: top 7 = 94..100.
        var counts = Enumerable.Range(1, 100).ToArray();

        var expected = Enumerable.Range(94, 7).Sum() / 5050.0;
        Assert.Equal(expected, Concentration.TopShare(counts, 0.07), 15);
    }

    [Fact]
    public void TopShare_WhenEmptyOrAllZero_IsZero()
    {
        Assert.Equal(0.0, Concentration.TopShare([], 0.5));
        Assert.Equal(0.0, Concentration.TopShare([0, 0], 0.5));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    public void TopShare_WhenFractionOutsideRange_Throws(double fraction)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Concentration.TopShare([1, 2], fraction));
    }
}

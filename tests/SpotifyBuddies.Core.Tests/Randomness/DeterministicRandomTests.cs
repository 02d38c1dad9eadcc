using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Core.Tests.Randomness;

public sealed class DeterministicRandomTests
{
    [Fact]
    public void NextUInt64_WhenStateIsReference1234_ReturnsXoshiro256StarStarReferenceOutputs()
    {
        // xoshiro256** from state {1, 2, 3, 4}: the vector used by the reference C code's ports (e.g. rand_xoshiro).
        var random = DeterministicRandom.FromState(1, 2, 3, 4);

        var actual = Enumerable.Range(0, 6).Select(_ => random.NextUInt64()).ToArray();

        Assert.Equal([11520UL, 0UL, 1509978240UL, 1215971899390074240UL, 1216172134540287360UL, 607988272756665600UL], actual);
    }

    [Fact]
    public void NextUInt64_WhenSeeded42_ReturnsPinnedValues()
    {
        // State = the first four SplitMix64 outputs of 42; pinned from an independent implementation.
        var random = new DeterministicRandom(42);

        var actual = Enumerable.Range(0, 4).Select(_ => random.NextUInt64()).ToArray();

        Assert.Equal([1546998764402558742UL, 6990951692964543102UL, 12544586762248559009UL, 17057574109182124193UL], actual);
    }

    [Fact]
    public void NextUInt64_WhenSeedsDiffer_ReturnsDifferentSequences()
    {
        var a = new DeterministicRandom(1);
        var b = new DeterministicRandom(2);

        Assert.NotEqual(Draw(a, 8), Draw(b, 8));
    }

    [Fact]
    public void FromState_WhenStateIsAllZero_Throws()
    {
        Assert.Throws<ArgumentException>(() => DeterministicRandom.FromState(0, 0, 0, 0));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1_000)]
    [InlineData(int.MaxValue)]
    public void NextInt_WhenBounded_StaysInRange(int maxExclusive)
    {
        var random = new DeterministicRandom(3);

        for (var i = 0; i < 10_000; i++)
        {
            Assert.InRange(random.NextInt(maxExclusive), 0, maxExclusive - 1);
        }
    }

    [Fact]
    public void NextInt_WhenDrawnManyTimes_IsRoughlyUniform()
    {
        var random = new DeterministicRandom(4);
        var counts = new int[10];
        const int draws = 100_000;

        for (var i = 0; i < draws; i++)
        {
            counts[random.NextInt(10)]++;
        }

        // Chi-square with 9 degrees of freedom: 27.9 is the 0.1% critical value.
        var expected = draws / 10.0;
        var chiSquare = counts.Sum(c => (c - expected) * (c - expected) / expected);
        Assert.True(chiSquare < 27.9, $"chi-square {chiSquare:F1}, counts {string.Join(",", counts)}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void NextInt_WhenMaxIsNotPositive_Throws(int maxExclusive)
    {
        var random = new DeterministicRandom(5);

        Assert.Throws<ArgumentOutOfRangeException>(() => random.NextInt(maxExclusive));
    }

    [Fact]
    public void NextInt_WhenGivenMinAndMax_HitsBothEndsAndNothingOutside()
    {
        var random = new DeterministicRandom(6);
        var seen = new HashSet<int>();

        for (var i = 0; i < 1_000; i++)
        {
            var value = random.NextInt(-3, 3);
            Assert.InRange(value, -3, 2);
            seen.Add(value);
        }

        Assert.Equal(6, seen.Count);
    }

    [Fact]
    public void NextInt_WhenRangeIsWholeInt32_DoesNotOverflow()
    {
        var random = new DeterministicRandom(7);
        var negative = 0;

        for (var i = 0; i < 1_000; i++)
        {
            if (random.NextInt(int.MinValue, int.MaxValue) < 0)
            {
                negative++;
            }
        }

        Assert.InRange(negative, 400, 600);
    }

    [Fact]
    public void NextInt64_WhenBoundExceedsInt32_StaysInRangeAndUsesHighValues()
    {
        var random = new DeterministicRandom(8);
        const long bound = 3L * int.MaxValue;
        var high = 0;

        for (var i = 0; i < 10_000; i++)
        {
            var value = random.NextInt64(bound);
            Assert.InRange(value, 0, bound - 1);
            if (value > int.MaxValue)
            {
                high++;
            }
        }

        Assert.InRange(high, 6_000, 7_300);
    }

    [Fact]
    public void NextDouble_WhenDrawnManyTimes_StaysInUnitIntervalWithMeanNearHalf()
    {
        var random = new DeterministicRandom(9);
        var sum = 0.0;

        for (var i = 0; i < 100_000; i++)
        {
            var value = random.NextDouble();
            Assert.InRange(value, 0.0, Math.BitDecrement(1.0));
            sum += value;
        }

        Assert.InRange(sum / 100_000, 0.495, 0.505);
    }

    [Fact]
    public void Fork_WhenParentHasDrawnInBetween_ReturnsTheSameStream()
    {
        var parent = new DeterministicRandom(10);
        var before = Draw(parent.Fork(3), 4);

        Draw(parent, 100);
        var after = Draw(parent.Fork(3), 4);

        Assert.Equal(before, after);
    }

    [Fact]
    public void Fork_WhenStreamIdsDiffer_ReturnsDifferentStreams()
    {
        var parent = new DeterministicRandom(11);

        var firsts = Enumerable.Range(0, 1_000).Select(i => parent.Fork((ulong)i).NextUInt64()).ToHashSet();

        Assert.Equal(1_000, firsts.Count);
        Assert.DoesNotContain(new DeterministicRandom(11).NextUInt64(), firsts);
    }

    [Fact]
    public void Fork_WhenNestedInOppositeOrder_ReturnsDifferentStreams()
    {
        var parent = new DeterministicRandom(12);

        Assert.NotEqual(Draw(parent.Fork(1).Fork(2), 4), Draw(parent.Fork(2).Fork(1), 4));
    }

    [Fact]
    public void Fork_WhenSameSeedPath_ReturnsTheSameStreamFromAnotherInstance()
    {
        Assert.Equal(Draw(new DeterministicRandom(13).Fork("users").Fork(5), 4), Draw(new DeterministicRandom(13).Fork("users").Fork(5), 4));
    }

    [Fact]
    public void Fork_WhenNamed_EqualsForkOfStableHash()
    {
        var parent = new DeterministicRandom(14);

        Assert.Equal(Draw(parent.Fork(DeterministicRandom.StableHash("mpd")), 4), Draw(parent.Fork("mpd"), 4));
    }

    [Theory]
    [InlineData("", 0xCBF29CE484222325UL)]
    [InlineData("a", 0xAF63DC4C8601EC8CUL)]
    [InlineData("foobar", 0x85944171F73967E8UL)]
    public void StableHash_WhenAscii_MatchesFnv1a64ReferenceValues(string text, ulong expected)
    {
        Assert.Equal(expected, DeterministicRandom.StableHash(text));
    }

    [Fact]
    public void NextGaussian_WhenDrawnManyTimes_HasMeanZeroAndVarianceOne()
    {
        var random = new DeterministicRandom(15);
        var values = Enumerable.Range(0, 100_000).Select(_ => random.NextGaussian()).ToArray();

        var mean = values.Average();
        var variance = values.Select(v => (v - mean) * (v - mean)).Average();

        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(variance, 0.98, 1.02);
    }

    [Fact]
    public void NextBeta_WhenShapesAreTheOriginalExplorationPrior_HasItsMeanAndStaysInUnitInterval()
    {
        // The original draws e ~ Beta(1.3, 3.3) per user: mean 1.3 / 4.6 ≈ 0.2826 (original-system.md §1).
        var random = new DeterministicRandom(16);
        var values = Enumerable.Range(0, 50_000).Select(_ => random.NextBeta(1.3, 3.3)).ToArray();

        Assert.All(values, v => Assert.InRange(v, 0.0, 1.0));
        Assert.InRange(values.Average(), 0.278, 0.288);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(3.0)]
    public void NextGamma_WhenDrawnManyTimes_HasMeanEqualToShape(double shape)
    {
        var random = new DeterministicRandom(17);

        var mean = Enumerable.Range(0, 50_000).Select(_ => random.NextGamma(shape)).Average();

        Assert.InRange(mean, shape * 0.97, shape * 1.03);
    }

    [Fact]
    public void NextPowerLaw_WhenAlphaIs1Point5_IsMostlyOneWithAHeavyTailUpToTheCap()
    {
        var random = new DeterministicRandom(18);
        var values = Enumerable.Range(0, 50_000).Select(_ => random.NextPowerLaw(1.5, 1_000)).ToArray();

        // P(X = 1) = 1 − 2^−1.5 ≈ 0.646.
        Assert.InRange(values.Count(v => v == 1) / 50_000.0, 0.63, 0.66);
        Assert.All(values, v => Assert.InRange(v, 1, 1_000));
        Assert.True(values.Max() >= 200, $"max {values.Max()}");
    }

    [Fact]
    public void Shuffle_WhenApplied_ReturnsAPermutationThatDependsOnTheSeed()
    {
        var items = Enumerable.Range(0, 50).ToArray();
        var again = Enumerable.Range(0, 50).ToArray();
        var other = Enumerable.Range(0, 50).ToArray();

        new DeterministicRandom(19).Shuffle(items.AsSpan());
        new DeterministicRandom(19).Shuffle(again.AsSpan());
        new DeterministicRandom(20).Shuffle(other.AsSpan());

        Assert.Equal(Enumerable.Range(0, 50), items.Order());
        Assert.NotEqual(Enumerable.Range(0, 50), items);
        Assert.Equal(items, again);
        Assert.NotEqual(items, other);
    }

    [Fact]
    public void Shuffle_WhenRepeated_PutsEachItemInEachPlaceEquallyOften()
    {
        var random = new DeterministicRandom(21);
        var firstPlace = new int[4];

        for (var i = 0; i < 40_000; i++)
        {
            Span<int> items = [0, 1, 2, 3];
            random.Shuffle(items);
            firstPlace[items[0]]++;
        }

        Assert.All(firstPlace, c => Assert.InRange(c, 9_600, 10_400));
    }

    private static ulong[] Draw(DeterministicRandom random, int count) =>
        Enumerable.Range(0, count).Select(_ => random.NextUInt64()).ToArray();
}

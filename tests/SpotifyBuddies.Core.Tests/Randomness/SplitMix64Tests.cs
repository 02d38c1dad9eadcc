using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Core.Tests.Randomness;

public sealed class SplitMix64Tests
{
    [Fact]
    public void Next_WhenSeeded1234567_ReturnsReferenceSequence()
    {
        // Reference outputs of Vigna's splitmix64.c for seed 1234567.
        var generator = new SplitMix64(1234567);

        ulong[] actual = [generator.Next(), generator.Next(), generator.Next(), generator.Next(), generator.Next()];

        Assert.Equal(
            [6457827717110365317UL, 3203168211198807973UL, 9817491932198370423UL, 4593380528125082431UL, 16408922859458223821UL],
            actual);
    }

    [Fact]
    public void Mix_WhenGivenDistinctInputs_ReturnsDistinctOutputs()
    {
        var outputs = new HashSet<ulong>();
        for (ulong i = 0; i < 100_000; i++)
        {
            Assert.True(outputs.Add(SplitMix64.Mix(i)), $"Mix({i}) collided");
        }
    }

    [Fact]
    public void Mix_WhenInputsDifferByOneBit_ChangesAboutHalfTheOutputBits()
    {
        var total = 0;
        for (ulong i = 1; i <= 1_000; i++)
        {
            total += (int)ulong.PopCount(SplitMix64.Mix(i) ^ SplitMix64.Mix(i ^ 1));
        }

        Assert.InRange(total / 1_000.0, 28, 36);
    }
}

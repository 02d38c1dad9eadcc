using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Core.Preparation;
using SpotifyBuddies.Core.Randomness;
using SpotifyBuddies.Data.Datasets;
using SpotifyBuddies.Data.Preparation;

namespace SpotifyBuddies.Data.Tests.Preparation;

/// <summary>The triplet shuffle writes the same file whether buckets live in memory or in files, at any thread count.</summary>
public sealed class TripletShuffleTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 0)] // an empty shuffle
    [InlineData(5, 600_000)] // in-memory buckets span several chunks
    [InlineData(7, 50_001)]
    public void ShuffleInto_InMemoryOrInFilesAtAnyThreadCount_WritesTheSamePermutation(int buckets, int triplets)
    {
        var expected = Shuffle("files-1", buckets, triplets, inMemory: false, threads: 1);

        var inMemory = Shuffle("memory-3", buckets, triplets, inMemory: true, threads: 3);
        var inFiles = Shuffle("files-4", buckets, triplets, inMemory: false, threads: 4);

        Assert.Equal(expected, inMemory);
        Assert.Equal(expected, inFiles);
        Assert.Equal(Input(triplets).Order(), Rows(expected).Order());
        if (triplets > 100)
        {
            Assert.NotEqual(Input(triplets), Rows(expected)); // actually shuffled
        }

        Assert.Equal(["files-1", "files-4", "memory-3"], Directory.EnumerateFileSystemEntries(_temp.Path).Select(Path.GetFileName).Order());
    }

    private static IEnumerable<(int, int, int)> Input(int triplets) => Enumerable.Range(0, triplets).Select(t => (t / 7, t % 1000, t));

    private static IEnumerable<(int, int, int)> Rows(int[] values) =>
        Enumerable.Range(0, values.Length / 3).Select(r => (values[3 * r], values[(3 * r) + 1], values[(3 * r) + 2]));

    private int[] Shuffle(string name, int buckets, int triplets, bool inMemory, int threads)
    {
        var random = new DeterministicRandom(99);
        using var shuffle = new TripletShuffle(_temp.Sub(name + "-buckets"), buckets, inMemory);
        foreach (var (user, positive, negative) in Input(triplets))
        {
            shuffle.Add(random.NextInt(buckets), new Triplet(new UserIdx(user), new PlaylistIdx(positive), new PlaylistIdx(negative)));
        }

        Assert.Equal(triplets, shuffle.Triplets);
        var target = _temp.Sub(name);
        shuffle.ShuffleInto(target, new DeterministicRandom(7), threads, null, default);
        Assert.False(Directory.Exists(_temp.Sub(name + "-buckets")));
        return RawInt32Writer.ReadAll(target);
    }
}

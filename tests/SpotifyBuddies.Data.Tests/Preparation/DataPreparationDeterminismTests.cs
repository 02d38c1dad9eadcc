using SpotifyBuddies.Core.Preparation;
using SpotifyBuddies.Data.Datasets;

namespace SpotifyBuddies.Data.Tests.Preparation;

/// <summary>Same inputs and seed ⇒ the same bytes, whatever the thread count or block size.</summary>
public sealed class DataPreparationDeterminismTests(TinyPreparedDataset tiny) : IClassFixture<TinyPreparedDataset>
{
    [Fact]
    public async Task RunAsync_WithOtherThreadCountAndBlockSize_WritesIdenticalFiles()
    {
        // The fixture ran with 2 threads and blocks of 32 users (several waves); this run uses one thread and one block.
        var again = tiny.Temp.Sub("one-thread");
        var result = await Prepare.RunAsync(tiny.Inputs, again, threads: 1, blockSize: 100_000);

        Assert.Equal(await Prepare.FileHashesAsync(tiny.Output), await Prepare.FileHashesAsync(again));
        Assert.Equal(tiny.Result.ContentHash, result.ContentHash);
    }

    [Fact]
    public async Task RunAsync_WithManyThreadsAndTinyBlocks_WritesIdenticalFiles()
    {
        var again = tiny.Temp.Sub("many-threads");
        var result = await Prepare.RunAsync(tiny.Inputs, again, threads: 8, blockSize: 3);

        Assert.Equal(await Prepare.FileHashesAsync(tiny.Output), await Prepare.FileHashesAsync(again));
        Assert.Equal(tiny.Result.ContentHash, result.ContentHash);
    }

    [Fact]
    public async Task RunAsync_WithTheEntpFileReadInManySmallChunks_WritesIdenticalFiles()
    {
        var again = tiny.Temp.Sub("small-chunks");
        var result = await Prepare.RunAsync(tiny.Inputs, again, threads: 4, entpChunkBytes: 4096);

        Assert.Equal(await Prepare.FileHashesAsync(tiny.Output), await Prepare.FileHashesAsync(again));
        Assert.Equal(tiny.Result.ContentHash, result.ContentHash);
    }

    [Fact]
    public async Task RunAsync_WithAnotherSeed_WritesOtherSplitsButKeepsTheUsers()
    {
        var other = tiny.Temp.Sub("seed-7");
        await Prepare.RunAsync(tiny.Inputs, other, new PreparationParameters { Seed = 7 });
        var first = await Prepare.FileHashesAsync(tiny.Output);
        var second = await Prepare.FileHashesAsync(other);

        // Without sampling every user with an overlap is kept, whatever the seed; what they like depends on e.
        Assert.Equal(
            await ParquetTableReader.ReadStringAsync(tiny.PathOf(PreparedDatasetLayout.Users), "user_id"),
            await ParquetTableReader.ReadStringAsync(Path.Combine(other, PreparedDatasetLayout.Users), "user_id"));
        Assert.NotEqual(first[PreparedDatasetLayout.Likes], second[PreparedDatasetLayout.Likes]);
        Assert.NotEqual(first[PreparedDatasetLayout.Positives], second[PreparedDatasetLayout.Positives]);
        Assert.NotEqual(first[PreparedDatasetLayout.TripletsRaw], second[PreparedDatasetLayout.TripletsRaw]);
    }

    [Fact]
    public async Task RunAsync_WithUserSampling_KeepsTheSampledFractionDeterministically()
    {
        var parameters = new PreparationParameters { SampleUsers = 0.1 };
        var first = await Prepare.RunAsync(tiny.Inputs, tiny.Temp.Sub("sample-a"), parameters, threads: 1);
        var second = await Prepare.RunAsync(tiny.Inputs, tiny.Temp.Sub("sample-b"), parameters, threads: 4, blockSize: 5);

        Assert.Equal(30, first.Stats.Sampling.UsersAfter);
        Assert.Equal(first.ContentHash, second.ContentHash);
        Assert.True(first.Stats.Sampling.PlaylistsAfter < tiny.Result.Stats.Sampling.PlaylistsAfter);
        var likedPlaylists = await ParquetTableReader.ReadInt32Async(Path.Combine(first.OutputDir, PreparedDatasetLayout.Likes), "playlist_idx");
        Assert.Equal(first.Stats.Sampling.PlaylistsAfter, likedPlaylists.Distinct().Count());
    }
}

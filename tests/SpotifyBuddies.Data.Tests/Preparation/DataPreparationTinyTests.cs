using SpotifyBuddies.Core.Preparation;
using SpotifyBuddies.Data.Datasets;

namespace SpotifyBuddies.Data.Tests.Preparation;

/// <summary>
/// Properties of a dataset prepared from the <c>tiny</c> synthetic preset, read back from the written Parquet
/// and raw files (never from the pipeline's memory).
/// </summary>
public sealed class DataPreparationTinyTests(TinyPreparedDataset tiny) : IClassFixture<TinyPreparedDataset>
{
    private const string User = "user_idx";

    [Fact]
    public async Task RunAsync_OnTinyPreset_NoValidationOrTestPositiveIsATripletPositiveOfTheSameUser()
    {
        var splits = await Splits.ReadAsync(tiny);
        var triplets = await ReadTripletsAsync();
        Assert.NotEmpty(triplets);

        foreach (var (user, positive, _) in triplets)
        {
            Assert.Contains((user, positive), splits.Train);
            Assert.DoesNotContain((user, positive), splits.Validation);
            Assert.DoesNotContain((user, positive), splits.Test);
        }
    }

    [Fact]
    public async Task RunAsync_OnTinyPreset_NoTripletNegativeIsLikedOrOwnedByTheUser()
    {
        var splits = await Splits.ReadAsync(tiny);
        var owned = await ReadOwnedAsync();
        var likes = await ReadLikedPairsAsync();

        foreach (var (user, _, negative) in await ReadTripletsAsync())
        {
            Assert.DoesNotContain((user, negative), owned);
            Assert.DoesNotContain((user, negative), likes);
            Assert.False(splits.IsPositive(user, negative));
        }
    }

    [Theory]
    [InlineData(PreparedDatasetLayout.ValidationBatches, PreparedDatasetLayout.SplitValidation)]
    [InlineData(PreparedDatasetLayout.TestBatches, PreparedDatasetLayout.SplitTest)]
    public async Task RunAsync_OnTinyPreset_NoEvaluationNegativeIsAPositiveOrOwnedPlaylistOfTheUser(string file, int split)
    {
        var splits = await Splits.ReadAsync(tiny);
        var owned = await ReadOwnedAsync();
        var rows = await ReadEvaluationRowsAsync(file);
        Assert.NotEmpty(rows);
        var expectedRows = splits.All.Count(p => p.Split == split);
        Assert.Equal(expectedRows, rows.Count);

        foreach (var (user, positive, negatives) in rows)
        {
            Assert.Contains((user, positive, split), splits.All);
            Assert.Equal(negatives.Length, negatives.Distinct().Count());
            Assert.Equal(new PreparationParameters().EvaluationNegatives, negatives.Length);
            foreach (var negative in negatives)
            {
                Assert.NotEqual(positive, negative);
                Assert.False(splits.IsPositive(user, negative), $"val/test negative {negative} is a positive of user {user}");
                Assert.DoesNotContain((user, negative), owned);
            }
        }
    }

    [Fact]
    public async Task RunAsync_OnTinyPreset_ColdUsersHaveNoPositivesTripletsOrBatches()
    {
        var cold = (await ParquetTableReader.ReadInt32Async(tiny.PathOf(PreparedDatasetLayout.ColdUsers), User)).ToHashSet();
        Assert.NotEmpty(cold);
        var positiveUsers = await ParquetTableReader.ReadInt32Async(tiny.PathOf(PreparedDatasetLayout.Positives), User);
        var tripletUsers = await ParquetTableReader.ReadInt32Async(tiny.PathOf(PreparedDatasetLayout.Triplets), User);
        var validationUsers = await ParquetTableReader.ReadInt32Async(tiny.PathOf(PreparedDatasetLayout.ValidationBatches), User);

        Assert.DoesNotContain(positiveUsers, cold.Contains);
        Assert.DoesNotContain(tripletUsers, cold.Contains);
        Assert.DoesNotContain(validationUsers, cold.Contains);
    }

    [Fact]
    public async Task RunAsync_OnTinyPreset_LikeScoresAreTheRuleRecomputedFromTheWrittenTables()
    {
        var exploration = await ParquetTableReader.ReadDoubleAsync(tiny.PathOf(PreparedDatasetLayout.Users), "exploration");
        var userSongs = await ParquetTableReader.ReadInt32Async(tiny.PathOf(PreparedDatasetLayout.Users), "songs");
        var playlistSongs = await ParquetTableReader.ReadInt32Async(tiny.PathOf(PreparedDatasetLayout.Playlists), "songs");
        var likes = tiny.PathOf(PreparedDatasetLayout.Likes);
        var users = await ParquetTableReader.ReadInt32Async(likes, User);
        var playlists = await ParquetTableReader.ReadInt32Async(likes, "playlist_idx");
        var matches = await ParquetTableReader.ReadInt32Async(likes, "matches");
        var scores = await ParquetTableReader.ReadDoubleAsync(likes, "score");
        var ranks = await ParquetTableReader.ReadInt32Async(likes, "rank");

        for (var i = 0; i < users.Length; i++)
        {
            var expected = LikeScoring.Score(matches[i], exploration[users[i]], userSongs[users[i]], playlistSongs[playlists[i]]);
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(scores[i]));
            if (i > 0 && users[i] == users[i - 1])
            {
                // The like order: score descending, ties to the lower playlist index.
                Assert.Equal(ranks[i - 1] + 1, ranks[i]);
                Assert.True(scores[i - 1] > scores[i] || (scores[i - 1] == scores[i] && playlists[i - 1] < playlists[i]));
            }
            else
            {
                Assert.Equal(0, ranks[i]);
            }
        }
    }

    [Fact]
    public async Task RunAsync_OnTinyPreset_EveryKeptPlaylistIsLikedAndEveryKeptUserLikesSomething()
    {
        var likes = await ReadLikedPairsAsync();
        var playlists = await ParquetTableReader.CountRowsAsync(tiny.PathOf(PreparedDatasetLayout.Playlists));
        var users = await ParquetTableReader.CountRowsAsync(tiny.PathOf(PreparedDatasetLayout.Users));

        Assert.Equal(playlists, likes.Select(l => l.Playlist).Distinct().Count());
        Assert.Equal(users, likes.Select(l => l.User).Distinct().Count());
    }

    [Fact]
    public async Task RunAsync_OnTinyPreset_OwnersLikedWhatTheyOwnWithinTheCapAndNotAsValidation()
    {
        var splits = await Splits.ReadAsync(tiny);
        var likes = await ReadLikedPairsAsync();
        var owned = await ReadOwnedAsync();
        Assert.NotEmpty(owned);

        foreach (var pair in owned)
        {
            Assert.Contains(pair, likes);
            Assert.DoesNotContain(pair, splits.Validation);
        }

        Assert.All(owned.GroupBy(p => p.User), g => Assert.InRange(g.Count(), 1, new PreparationParameters().OwnershipCap));
        Assert.Equal(tiny.Result.Stats.Ownership.OwnedPlaylists, owned.Count);
    }

    [Fact]
    public async Task RunAsync_OnTinyPreset_RawTripletsAreAShuffleOfTheParquetTriplets()
    {
        var parquet = await ReadTripletsAsync();
        var raw = RawInt32Writer.ReadAll(tiny.PathOf(PreparedDatasetLayout.TripletsRaw));
        var rows = Enumerable.Range(0, raw.Length / 3).Select(i => (raw[3 * i], raw[(3 * i) + 1], raw[(3 * i) + 2])).ToList();

        Assert.Equal(parquet.Count * 3, raw.Length);
        Assert.Equal(parquet.Order().ToList(), rows.Order().ToList());
        Assert.NotEqual(parquet, rows); // shuffled, not in user order
    }

    [Fact]
    public async Task RunAsync_OnTinyPreset_ManifestDescribesEveryFileWithItsHashAndRows()
    {
        var manifest = tiny.Manifest;
        var onDisk = Directory.EnumerateFiles(tiny.Output).Select(Path.GetFileName).Where(n => n != DatasetManifest.FileName).Order(StringComparer.Ordinal);

        Assert.Equal(1, manifest.SchemaVersion);
        Assert.Equal(PreparedDatasetLayout.Kind, manifest.Kind);
        Assert.Equal(onDisk, manifest.Files.Select(f => f.Name));
        Assert.Equal(3, manifest.Inputs.Select(i => i.Role).Distinct().Count());
        Assert.Equal(42UL, manifest.Parameters["seed"]!.GetValue<ulong>());
        Assert.Equal(DatasetManifest.ComputeContentHash(manifest.Files), manifest.ContentHash);
        foreach (var file in manifest.Files)
        {
            var path = tiny.PathOf(file.Name);
            Assert.Equal(new FileInfo(path).Length, file.Bytes);
            Assert.Equal(FileHashing.Sha256OfFile(path), file.Sha256);
            if (file.Format == "parquet")
            {
                Assert.Equal(file.Rows, await ParquetTableReader.CountRowsAsync(path));
                Assert.Equal(file.Columns!.Select(c => c.Name), await ParquetTableReader.ReadColumnNamesAsync(path));
            }
            else if (file.Format == "int32-le")
            {
                Assert.Equal(file.Shape![0] * file.Shape[1] * sizeof(int), file.Bytes);
            }
        }

        Assert.Equal(manifest.Counts["triplets"], manifest.FileNamed(PreparedDatasetLayout.Triplets).Rows);
    }

    [Fact]
    public void RunAsync_OnTinyPreset_ReportsTheOriginalsQuantities()
    {
        var stats = tiny.Result.Stats;

        Assert.Equal(300, stats.Input.EntpUsers);
        Assert.Equal(600, stats.Input.MpdPlaylists);
        Assert.True(stats.Overlap.PairsWithOverlap > stats.Overlap.Likes);
        Assert.Equal(stats.Overlap.Likes, stats.Splits.TrainPositives + stats.Splits.ValidationPositives + stats.Splits.TestPositives + stats.Splits.ColdUserLikes);
        Assert.InRange(stats.Ownership.Gini, 0, 1);
        Assert.True(stats.Ownership.Top25PercentShare >= stats.Ownership.Top1PercentShare);
        var outcomes = stats.Triplets.Outcomes;
        Assert.Equal(stats.Splits.WarmUsers, outcomes.Sampled + outcomes.NoTrainPositives + outcomes.NoNegativePool + outcomes.PoolTooSmall);
        Assert.Contains("| ownership |", File.ReadAllText(tiny.PathOf(PreparedDatasetLayout.StatsMarkdown)), StringComparison.Ordinal);
        Assert.StartsWith("<svg", File.ReadAllText(tiny.PathOf(PreparedDatasetLayout.LikesHistogram)), StringComparison.Ordinal);
    }

    private async Task<List<(int User, int Positive, int Negative)>> ReadTripletsAsync()
    {
        var path = tiny.PathOf(PreparedDatasetLayout.Triplets);
        var users = await ParquetTableReader.ReadInt32Async(path, User);
        var positives = await ParquetTableReader.ReadInt32Async(path, "pos_playlist_idx");
        var negatives = await ParquetTableReader.ReadInt32Async(path, "neg_playlist_idx");
        return [.. users.Select((u, i) => (u, positives[i], negatives[i]))];
    }

    private async Task<HashSet<(int User, int Playlist)>> ReadOwnedAsync()
    {
        var path = tiny.PathOf(PreparedDatasetLayout.Ownership);
        var playlists = await ParquetTableReader.ReadInt32Async(path, "playlist_idx");
        var owners = await ParquetTableReader.ReadInt32Async(path, "owner_user_idx");
        return [.. owners.Select((o, i) => (o, playlists[i]))];
    }

    private async Task<HashSet<(int User, int Playlist)>> ReadLikedPairsAsync()
    {
        var path = tiny.PathOf(PreparedDatasetLayout.Likes);
        var users = await ParquetTableReader.ReadInt32Async(path, User);
        var playlists = await ParquetTableReader.ReadInt32Async(path, "playlist_idx");
        return [.. users.Select((u, i) => (u, playlists[i]))];
    }

    private async Task<List<(int User, int Positive, int[] Negatives)>> ReadEvaluationRowsAsync(string file)
    {
        var path = tiny.PathOf(file);
        var width = new PreparationParameters().EvaluationNegatives;
        var users = await ParquetTableReader.ReadInt32Async(path, User);
        var positives = await ParquetTableReader.ReadInt32Async(path, "pos_playlist_idx");
        var negatives = new int[width][];
        for (var k = 0; k < width; k++)
        {
            negatives[k] = await ParquetTableReader.ReadInt32Async(path, FormattableString.Invariant($"neg_{k}"));
        }

        return
        [
            .. users.Select((u, i) => (u, positives[i], negatives.Select(column => column[i]).Where(n => n != PreparedDatasetLayout.MissingNegative).ToArray())),
        ];
    }

    /// <summary>positives.parquet read back: (user, playlist, split) rows and per-split pair sets.</summary>
    private sealed record Splits(
        HashSet<(int User, int Playlist, int Split)> All,
        HashSet<(int User, int Playlist)> Train,
        HashSet<(int User, int Playlist)> Validation,
        HashSet<(int User, int Playlist)> Test)
    {
        public bool IsPositive(int user, int playlist) =>
            Train.Contains((user, playlist)) || Validation.Contains((user, playlist)) || Test.Contains((user, playlist));

        public static async Task<Splits> ReadAsync(TinyPreparedDataset tiny)
        {
            var path = tiny.PathOf(PreparedDatasetLayout.Positives);
            var users = await ParquetTableReader.ReadInt32Async(path, User);
            var playlists = await ParquetTableReader.ReadInt32Async(path, "playlist_idx");
            var splits = await ParquetTableReader.ReadInt32Async(path, "split");
            var all = users.Select((u, i) => (u, playlists[i], splits[i])).ToHashSet();
            HashSet<(int, int)> Of(int split) => [.. all.Where(r => r.Item3 == split).Select(r => (r.u, r.Item2))];
            return new Splits(all, Of(PreparedDatasetLayout.SplitTrain), Of(PreparedDatasetLayout.SplitValidation), Of(PreparedDatasetLayout.SplitTest));
        }
    }
}

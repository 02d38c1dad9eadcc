using SpotifyBuddies.Models.Ranking;
using static SpotifyBuddies.Models.Tests.Ranking.Native.NativeBprFixtures;

namespace SpotifyBuddies.Models.Tests.Ranking.Native;

public sealed class NativeBprOptimizerTests
{
    // d = 37 is two 16-float vectors + a 5-float tail at 512 bits, 4×8 + 5 at 256, 9×4 + 1 at 128.
    private const int Dimensions = 37;
    private const int BatchSize = 16;

    [Theory]
    [MemberData(nameof(OptimizersAndWidths))]
    public void OneThread_OneAndSeveralBatches_EqualTheDoublePrecisionReference(BprOptimizer optimizer, double learningRate, int width)
    {
        // 100 triplets over 30 users and 40 playlists: rows repeat within batches; the last batch has 4 triplets.
        var hyperparameters = Hyperparameters(optimizer, Dimensions, BatchSize, learningRate);
        var rows = RandomTriplets(30, 40, 100, seed: 11);
        using var triplets = TripletSource.FromArray(rows);
        var initial = BprState.Initialize(30, 40, hyperparameters);
        var reference = new ReferenceBpr(initial, hyperparameters);
        using var trainer = Trainer(hyperparameters, width: width);
        trainer.Load(initial);

        var first = trainer.Train(triplets, [0], null, CancellationToken.None);
        var expectedFirstLoss = reference.Apply(BatchRows(rows, 0, BatchSize));
        AssertMatches(reference, trainer.Save(), "after batch 0");
        Assert.Equal(expectedFirstLoss, first.LossSum, 1e-5 * expectedFirstLoss);

        int[] order = [6, 2, 5, 0, 1, 3, 4, 2];
        var rest = trainer.Train(triplets, order, null, CancellationToken.None);
        var expectedLoss = order.Sum(batch => reference.Apply(BatchRows(rows, batch, BatchSize)));
        AssertMatches(reference, trainer.Save(), "after 9 batches");
        Assert.Equal(4 + (7 * BatchSize), rest.Triplets);
        Assert.Equal(expectedLoss, rest.LossSum, 1e-5 * expectedLoss);
    }

    [Fact]
    public void LazyAdam_AddsEpsilonToTheUncorrectedSecondMoment_AsTorchSparseAdamDoes()
    {
        // One user, two playlists, d = 1, one triplet, a large ε so where ε goes changes the result.
        var hyperparameters = Hyperparameters(BprOptimizer.LazyAdam, dimensions: 1, batchSize: 1, learningRate: 0.1) with { Epsilon = 0.01 };
        var state = BprState.Initialize(1, 2, hyperparameters);
        (var u, var i, var j) = ((double)state.UserEmbeddings[0], (double)state.PlaylistEmbeddings[0], (double)state.PlaylistEmbeddings[1]);
        using var trainer = Trainer(hyperparameters);
        trainer.Load(state);
        using var triplets = TripletSource.FromArray([0, 0, 1]);

        trainer.Train(triplets, [0], null, CancellationToken.None);

        var g = -(i - j) / (1 + Math.Exp(u * (i - j)));
        double m = 0.1 * g, v = 0.001 * g * g, biasCorrection1 = 0.1, biasCorrection2 = 0.001;
        var torch = u - (0.1 * Math.Sqrt(biasCorrection2) / biasCorrection1 * m / (Math.Sqrt(v) + 0.01));
        var textbook = u - (0.1 * (m / biasCorrection1) / (Math.Sqrt(v / biasCorrection2) + 0.01));
        var actual = trainer.Save().UserEmbeddings[0];
        Assert.True(Math.Abs(torch - textbook) > 1e-3, $"the test must tell the formulas apart: {torch} vs {textbook}");
        Assert.Equal(torch, actual, 1e-6);
    }

    [Theory]
    [InlineData(BprOptimizer.LazyAdam)]
    [InlineData(BprOptimizer.Adagrad)]
    [InlineData(BprOptimizer.Sgd)]
    public void RowsABatchDoesNotTouch_KeepTheirParametersAndOptimizerSlots(BprOptimizer optimizer)
    {
        // Batch 0 touches users 0–1 and playlists 0–3; batch 1 touches user 2 and playlists 4–5; nothing touches user 3
        // or playlists 6–7. Lazy: batch 1 must not move batch 0's rows through their momentum.
        var hyperparameters = Hyperparameters(optimizer, Dimensions, batchSize: 2, learningRate: 0.05);
        var initial = BprState.Initialize(4, 8, hyperparameters);
        using var triplets = TripletSource.FromArray([0, 0, 1, 1, 2, 3, 2, 4, 5, 2, 5, 4]);
        using var trainer = Trainer(hyperparameters);
        trainer.Load(initial);

        trainer.Train(triplets, [0], null, CancellationToken.None);
        var afterFirst = trainer.Save();
        trainer.Train(triplets, [1], null, CancellationToken.None);
        var afterSecond = trainer.Save();

        AssertRows(afterFirst, afterSecond, users: [0, 1], playlists: [0, 1, 2, 3], "rows only batch 0 touched");
        AssertRows(initial, afterSecond, users: [3], playlists: [6, 7], "rows no batch touched");
        AssertRowsChanged(afterFirst, afterSecond, users: [2], playlists: [4, 5]);
    }

    private static void AssertRows(BprState expected, BprState actual, int[] users, int[] playlists, string what)
    {
        foreach (var user in users)
        {
            Assert.True(Row(expected.UserEmbeddings, user).SequenceEqual(Row(actual.UserEmbeddings, user)), $"{what}: user {user} changed");
            foreach ((var name, var values) in expected.Optimizer.Slots.Where(slot => slot.Key.StartsWith("user_", StringComparison.Ordinal)))
            {
                Assert.True(Row(values, user).SequenceEqual(Row(actual.Optimizer.Slots[name], user)), $"{what}: {name} of user {user} changed");
            }
        }

        foreach (var playlist in playlists)
        {
            Assert.True(Row(expected.PlaylistEmbeddings, playlist).SequenceEqual(Row(actual.PlaylistEmbeddings, playlist)), $"{what}: playlist {playlist} changed");
            foreach ((var name, var values) in expected.Optimizer.Slots.Where(slot => slot.Key.StartsWith("playlist_", StringComparison.Ordinal)))
            {
                Assert.True(Row(values, playlist).SequenceEqual(Row(actual.Optimizer.Slots[name], playlist)), $"{what}: {name} of playlist {playlist} changed");
            }
        }
    }

    private static void AssertRowsChanged(BprState before, BprState after, int[] users, int[] playlists)
    {
        foreach (var user in users)
        {
            Assert.False(Row(before.UserEmbeddings, user).SequenceEqual(Row(after.UserEmbeddings, user)), $"user {user} should have been updated");
        }

        foreach (var playlist in playlists)
        {
            Assert.False(Row(before.PlaylistEmbeddings, playlist).SequenceEqual(Row(after.PlaylistEmbeddings, playlist)), $"playlist {playlist} should have been updated");
        }
    }

    private static float[] Row(float[] table, int row) => table.AsSpan(row * Dimensions, Dimensions).ToArray();

    public static TheoryData<BprOptimizer, double, int> OptimizersAndWidths()
    {
        var data = new TheoryData<BprOptimizer, double, int>();
        foreach (var width in SupportedWidths())
        {
            data.Add(BprOptimizer.LazyAdam, 0.01, width);
            data.Add(BprOptimizer.Adagrad, 0.1, width);
            data.Add(BprOptimizer.Sgd, 0.5, width);
        }

        return data;
    }
}

using SpotifyBuddies.Models.Ranking;
using static SpotifyBuddies.Models.Tests.Ranking.Native.NativeBprFixtures;

namespace SpotifyBuddies.Models.Tests.Ranking.Native;

public sealed class NativeBprStateTests
{
    [Theory]
    [InlineData(BprOptimizer.LazyAdam, 0.01)]
    [InlineData(BprOptimizer.Adagrad, 0.1)]
    [InlineData(BprOptimizer.Sgd, 0.5)]
    public void SaveThenLoadIntoANewTrainer_ContinuesExactlyAsAnUninterruptedRun(BprOptimizer optimizer, double learningRate)
    {
        var hyperparameters = Hyperparameters(optimizer, dimensions: 20, batchSize: 8, learningRate);
        using var triplets = TripletSource.FromArray(RandomTriplets(25, 30, 80, seed: 3));
        var initial = BprState.Initialize(25, 30, hyperparameters);
        int[] firstPart = [3, 1, 4, 0], secondPart = [5, 9, 2, 6, 5, 3];

        using var uninterrupted = Trainer(hyperparameters);
        uninterrupted.Load(initial);
        uninterrupted.Train(triplets, firstPart, null, CancellationToken.None);
        var expectedResult = uninterrupted.Train(triplets, secondPart, null, CancellationToken.None);
        var expected = uninterrupted.Save();

        BprState checkpoint;
        using (var before = Trainer(hyperparameters))
        {
            before.Load(initial);
            before.Train(triplets, firstPart, null, CancellationToken.None);
            checkpoint = before.Save();
        }

        using var resumed = Trainer(hyperparameters);
        resumed.Load(checkpoint);
        var result = resumed.Train(triplets, secondPart, null, CancellationToken.None);
        var actual = resumed.Save();

        Assert.Equal(expectedResult, result);
        Assert.Equal(10, actual.Optimizer.Step);
        AssertIdentical(expected, actual);
    }

    [Fact]
    public void Save_IsADeepCopy_AndLoadCopiesItsInput()
    {
        var hyperparameters = Hyperparameters(BprOptimizer.LazyAdam, dimensions: 8, batchSize: 4, learningRate: 0.01);
        using var triplets = TripletSource.FromArray(RandomTriplets(5, 6, 8, seed: 5));
        var initial = BprState.Initialize(5, 6, hyperparameters);
        var pristine = BprState.Initialize(5, 6, hyperparameters);
        using var trainer = Trainer(hyperparameters);
        trainer.Load(initial);
        initial.UserEmbeddings[0] = 42f;

        var saved = trainer.Save();
        var savedCopy = trainer.Save();
        trainer.Train(triplets, [0, 1], null, CancellationToken.None);

        Assert.Equal(pristine.UserEmbeddings[0], saved.UserEmbeddings[0]);
        AssertIdentical(savedCopy, saved);
        Assert.Equal(0, saved.Optimizer.Step);
        Assert.Equal(2, trainer.Save().Optimizer.Step);
        Assert.NotEqual(saved.PlaylistEmbeddings, trainer.Save().PlaylistEmbeddings);
    }

    [Fact]
    public void Embeddings_AreTheLiveTables()
    {
        var hyperparameters = Hyperparameters(BprOptimizer.Adagrad, dimensions: 8, batchSize: 4, learningRate: 0.1);
        using var triplets = TripletSource.FromArray(RandomTriplets(5, 6, 8, seed: 5));
        using var trainer = Trainer(hyperparameters);
        trainer.Load(BprState.Initialize(5, 6, hyperparameters));
        var embeddings = trainer.Embeddings();

        trainer.Train(triplets, [0, 1], null, CancellationToken.None);

        var saved = trainer.Save();
        Assert.Equal((5, 6, 8), (embeddings.Users, embeddings.Playlists, embeddings.Dimensions));
        Assert.Equal(saved.UserEmbeddings, embeddings.UserEmbeddings.ToArray());
        Assert.Equal(saved.PlaylistEmbeddings.AsSpan(16, 8).ToArray(), embeddings.Playlist(2).ToArray());
    }

    [Fact]
    public void Load_RejectsOtherDimensions_NamingBothValues()
    {
        using var trainer = Trainer(Hyperparameters(BprOptimizer.LazyAdam, dimensions: 16, batchSize: 4, learningRate: 0.01));
        var state = BprState.Initialize(3, 4, Hyperparameters(BprOptimizer.LazyAdam, dimensions: 8, batchSize: 4, learningRate: 0.01));

        var error = Assert.Throws<ArgumentException>(() => trainer.Load(state));

        Assert.Contains("Dimensions = 8 but the trainer's hyperparameters say 16", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => trainer.Save());
    }

    [Fact]
    public void Load_RejectsAnotherOptimizersState_NamingBoth()
    {
        using var trainer = Trainer(Hyperparameters(BprOptimizer.Adagrad, dimensions: 8, batchSize: 4, learningRate: 0.1));
        var state = BprState.Initialize(3, 4, Hyperparameters(BprOptimizer.LazyAdam, dimensions: 8, batchSize: 4, learningRate: 0.01));

        var error = Assert.Throws<ArgumentException>(() => trainer.Load(state));

        Assert.Contains("holds lazy-adam optimizer state but the trainer's hyperparameters say adagrad", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RejectsTablesAndSlotsOfTheWrongLength_NamingTheArray()
    {
        var hyperparameters = Hyperparameters(BprOptimizer.LazyAdam, dimensions: 8, batchSize: 4, learningRate: 0.01);
        using var trainer = Trainer(hyperparameters);
        var good = BprState.Initialize(3, 4, hyperparameters);
        var slots = new Dictionary<string, float[]>(good.Optimizer.Slots) { ["playlist_v"] = new float[5] };
        slots.Remove("user_m");
        var bad = new BprState
        {
            Users = 3,
            Playlists = 4,
            Dimensions = 8,
            UserEmbeddings = new float[23],
            PlaylistEmbeddings = good.PlaylistEmbeddings,
            Optimizer = new BprOptimizerState { Kind = BprOptimizer.LazyAdam, Step = 2, Slots = slots },
        };

        var error = Assert.Throws<ArgumentException>(() => trainer.Load(bad));

        Assert.Contains("UserEmbeddings has 23 values; expected 3 × 8 = 24.", error.Message, StringComparison.Ordinal);
        Assert.Contains("optimizer slot 'user_m' is missing.", error.Message, StringComparison.Ordinal);
        Assert.Contains("optimizer slot 'playlist_v' has 5 values; expected 4 × 8 = 32.", error.Message, StringComparison.Ordinal);
    }

    private static void AssertIdentical(BprState expected, BprState actual)
    {
        Assert.Equal((expected.Users, expected.Playlists, expected.Dimensions), (actual.Users, actual.Playlists, actual.Dimensions));
        Assert.Equal(expected.Optimizer.Kind, actual.Optimizer.Kind);
        Assert.Equal(expected.Optimizer.Step, actual.Optimizer.Step);
        Assert.Equal(expected.UserEmbeddings, actual.UserEmbeddings);
        Assert.Equal(expected.PlaylistEmbeddings, actual.PlaylistEmbeddings);
        Assert.Equal(expected.Optimizer.Slots.Keys.Order(), actual.Optimizer.Slots.Keys.Order());
        foreach ((var name, var values) in expected.Optimizer.Slots)
        {
            Assert.Equal(values, actual.Optimizer.Slots[name]);
        }
    }
}

using SpotifyBuddies.Core.Randomness;
using SpotifyBuddies.Models.Ranking;
using SpotifyBuddies.Models.Ranking.Torch;
using TorchSharp;

namespace SpotifyBuddies.Models.Tests.Ranking.Torch;

public sealed class TorchBprTrainerTests
{
    // 4 users × 5 playlists; user 3 and playlist 4 never appear. Batch size 4: three batches, the last one short.
    // Batch 0 repeats user 0 and uses playlist 1 three times (twice positive, once negative).
    private static readonly int[] Triplets =
    [
        0, 1, 2, 0, 1, 3, 2, 0, 1, 1, 2, 0,
        2, 3, 0, 2, 3, 1, 0, 2, 3, 2, 0, 3,
        1, 0, 1, 0, 3, 2,
    ];

    private static readonly int[] Epoch = [0, 1, 2];

    private static BprHyperparameters Hyperparameters(BprOptimizer optimizer, double learningRate) =>
        new() { Dimensions = 3, BatchSize = 4, Optimizer = optimizer, LearningRate = learningRate, Seed = 7 };

    private static TorchBprTrainer Trainer(BprHyperparameters hyperparameters) =>
        new(new BprTrainerSettings { Hyperparameters = hyperparameters, Threads = 1 });

    [Fact]
    public void Constructor_LoadsTorch_AndReportsItsDevice()
    {
        using var trainer = Trainer(Hyperparameters(BprOptimizer.Sgd, 0.1));

        Assert.Equal("torch", trainer.Backend);
        Assert.Equal(torch.cuda.is_available() ? "cuda" : "cpu", trainer.Device);
        using var sum = torch.arange(1, 5, torch.float32).sum();
        Assert.Equal(10f, sum.item<float>());
    }

    [Fact]
    public void Train_OneSgdBatch_EqualsTheHandComputedUpdate()
    {
        // 3 users, 4 playlists, d = 2; user 0 twice and playlist 1 three times in one batch of 3.
        float[] users = [0.1f, 0.2f, -0.3f, 0.4f, 0.5f, -0.1f];
        float[] playlists = [0.2f, 0.1f, -0.1f, 0.3f, 0.4f, -0.2f, 0.0f, 0.5f];
        int[] triplets = [0, 1, 2, 0, 1, 3, 2, 0, 1];
        const double lr = 0.1;
        var hyperparameters = new BprHyperparameters { Dimensions = 2, BatchSize = 3, Optimizer = BprOptimizer.Sgd, LearningRate = lr };
        using var trainer = Trainer(hyperparameters);
        trainer.Load(new BprState
        {
            Users = 3,
            Playlists = 4,
            Dimensions = 2,
            UserEmbeddings = [.. users],
            PlaylistEmbeddings = [.. playlists],
            Optimizer = BprOptimizerState.Empty(BprOptimizer.Sgd, 3, 4, 2),
        });
        using var source = TripletSource.FromArray(triplets);

        var result = trainer.Train(source, [0], progress: null, CancellationToken.None);

        double[] U(int r) => [users[2 * r], users[(2 * r) + 1]];
        double[] P(int r) => [playlists[2 * r], playlists[(2 * r) + 1]];
        static double Dot(double[] a, double[] b) => (a[0] * b[0]) + (a[1] * b[1]);
        static double[] Add(params (double Scale, double[] V)[] terms) =>
            [terms.Sum(t => t.Scale * t.V[0]), terms.Sum(t => t.Scale * t.V[1])];
        var x1 = Dot(U(0), P(1)) - Dot(U(0), P(2));
        var x2 = Dot(U(0), P(1)) - Dot(U(0), P(3));
        var x3 = Dot(U(2), P(0)) - Dot(U(2), P(1));
        double C(double x) => -(1 / (1 + Math.Exp(x))) / 3; // −σ(−x)/|B|
        var (c1, c2, c3) = (C(x1), C(x2), C(x3));
        var state = trainer.Save();
        AssertRow(Add((1, U(0)), (-lr * c1, P(1)), (lr * c1, P(2)), (-lr * c2, P(1)), (lr * c2, P(3))), state.UserEmbeddings, 0);
        AssertRow(U(1), state.UserEmbeddings, 1);
        AssertRow(Add((1, U(2)), (-lr * c3, P(0)), (lr * c3, P(1))), state.UserEmbeddings, 2);
        AssertRow(Add((1, P(0)), (-lr * c3, U(2))), state.PlaylistEmbeddings, 0);
        AssertRow(Add((1, P(1)), (-lr * (c1 + c2), U(0)), (lr * c3, U(2))), state.PlaylistEmbeddings, 1);
        AssertRow(Add((1, P(2)), (lr * c1, U(0))), state.PlaylistEmbeddings, 2);
        AssertRow(Add((1, P(3)), (lr * c2, U(0))), state.PlaylistEmbeddings, 3);
        var expectedLoss = new[] { x1, x2, x3 }.Sum(x => Math.Log(1 + Math.Exp(-x)));
        Assert.Equal(3, result.Triplets);
        Assert.Equal(expectedLoss, result.LossSum, 1e-6);
        Assert.Equal(1, state.Optimizer.Step);
    }

    [Theory]
    [InlineData(BprOptimizer.LazyAdam, 0.05)]
    [InlineData(BprOptimizer.Adagrad, 0.1)]
    [InlineData(BprOptimizer.Sgd, 0.5)]
    public void Train_SeveralBatches_MatchesTheScalarReference(BprOptimizer optimizer, double learningRate)
    {
        var hyperparameters = Hyperparameters(optimizer, learningRate);
        var initial = BprState.Initialize(4, 5, hyperparameters);
        var reference = new ScalarBprReference(initial, hyperparameters);
        using var trainer = Trainer(hyperparameters);
        trainer.Load(initial);
        using var source = TripletSource.FromArray(Triplets);
        int[] batches = [0, 1, 2, 2, 0, 1, 1, 0];

        var result = trainer.Train(source, batches, progress: null, CancellationToken.None);
        var expectedLoss = reference.Train(Triplets, batches);

        var state = trainer.Save();
        AssertClose(reference.Users, state.UserEmbeddings, "user embeddings");
        AssertClose(reference.Playlists, state.PlaylistEmbeddings, "playlist embeddings");
        foreach (var (name, values) in reference.Slots)
        {
            AssertClose(values, state.Optimizer.Slots[name], name);
        }

        Assert.Equal(batches.Length, state.Optimizer.Step);
        Assert.Equal(4 + 4 + 2 + 2 + 4 + 4 + 4 + 4, result.Triplets);
        Assert.Equal(expectedLoss, result.LossSum, expectedLoss * 1e-5);
    }

    [Theory]
    [InlineData(BprOptimizer.LazyAdam)]
    [InlineData(BprOptimizer.Adagrad)]
    public void Train_RowsNoTripletTouches_KeepTheirWeightsAndOptimizerState(BprOptimizer optimizer)
    {
        var hyperparameters = Hyperparameters(optimizer, 0.1);
        var initial = BprState.Initialize(4, 5, hyperparameters);
        using var trainer = Trainer(hyperparameters);
        trainer.Load(initial);
        using var source = TripletSource.FromArray(Triplets);

        trainer.Train(source, Epoch, progress: null, CancellationToken.None);
        trainer.Train(source, Epoch, progress: null, CancellationToken.None);

        var state = trainer.Save();
        Assert.Equal(initial.UserEmbeddings.AsSpan(9, 3), state.UserEmbeddings.AsSpan(9, 3)); // user 3
        Assert.Equal(initial.PlaylistEmbeddings.AsSpan(12, 3), state.PlaylistEmbeddings.AsSpan(12, 3)); // playlist 4
        Assert.NotEqual(initial.UserEmbeddings[..9], state.UserEmbeddings[..9]);
        foreach (var (name, values) in state.Optimizer.Slots)
        {
            var untouched = name.StartsWith("user", StringComparison.Ordinal) ? values.AsSpan(9, 3) : values.AsSpan(12, 3);
            Assert.All(untouched.ToArray(), v => Assert.Equal(0f, v));
            Assert.Contains(values, v => v != 0f);
        }
    }

    [Fact]
    public void SaveThenLoad_ContinuesExactlyAsWithoutTheRoundTrip()
    {
        var hyperparameters = Hyperparameters(BprOptimizer.LazyAdam, 0.05);
        using var source = TripletSource.FromArray(Triplets);
        using var straight = Trainer(hyperparameters);
        straight.Load(BprState.Initialize(4, 5, hyperparameters));
        straight.Train(source, [0, 1], progress: null, CancellationToken.None);
        var checkpoint = straight.Save();
        using var resumed = Trainer(hyperparameters);
        resumed.Load(checkpoint);

        var a = straight.Train(source, [2, 0, 1], progress: null, CancellationToken.None);
        var b = resumed.Train(source, [2, 0, 1], progress: null, CancellationToken.None);

        var (x, y) = (straight.Save(), resumed.Save());
        Assert.Equal(a, b);
        Assert.Equal(x.UserEmbeddings, y.UserEmbeddings);
        Assert.Equal(x.PlaylistEmbeddings, y.PlaylistEmbeddings);
        Assert.Equal(x.Optimizer.Step, y.Optimizer.Step);
        Assert.Equal(5, y.Optimizer.Step);
        Assert.Equal(x.Optimizer.Slots.Keys.Order(), y.Optimizer.Slots.Keys.Order());
        foreach (var name in x.Optimizer.Slots.Keys)
        {
            Assert.Equal(x.Optimizer.Slots[name], y.Optimizer.Slots[name]);
        }
    }

    [Fact]
    public void Load_CopiesTheState_SoLaterChangesToItDoNotLeakIn()
    {
        var hyperparameters = Hyperparameters(BprOptimizer.Sgd, 0.1);
        var state = BprState.Initialize(4, 5, hyperparameters);
        var expected = state.UserEmbeddings.ToArray();
        using var trainer = Trainer(hyperparameters);
        trainer.Load(state);

        Array.Fill(state.UserEmbeddings, 9f);

        Assert.Equal(expected, trainer.Save().UserEmbeddings);
    }

    [Fact]
    public void Embeddings_AreCachedUntilTheNextTrain()
    {
        var hyperparameters = Hyperparameters(BprOptimizer.Sgd, 0.1);
        using var trainer = Trainer(hyperparameters);
        var initial = BprState.Initialize(4, 5, hyperparameters);
        trainer.Load(initial);
        using var source = TripletSource.FromArray(Triplets);

        var before = trainer.Embeddings();
        Assert.Same(before, trainer.Embeddings());
        Assert.Equal(initial.PlaylistEmbeddings, before.PlaylistEmbeddings.ToArray());
        Assert.Equal(initial.UserEmbeddings.AsSpan(3, 3), before.User(1));
        trainer.Train(source, [0], progress: null, CancellationToken.None);
        var after = trainer.Embeddings();

        Assert.NotSame(before, after);
        Assert.Equal(trainer.Save().UserEmbeddings, after.UserEmbeddings.ToArray());
        Assert.Equal(initial.UserEmbeddings, before.UserEmbeddings.ToArray());
    }

    [Fact]
    public void Train_ReportsProgressPerBatch()
    {
        var hyperparameters = Hyperparameters(BprOptimizer.Sgd, 0.1);
        using var trainer = Trainer(hyperparameters);
        trainer.Load(BprState.Initialize(4, 5, hyperparameters));
        using var source = TripletSource.FromArray(Triplets);
        var reports = new List<long>();

        trainer.Train(source, Epoch, new SynchronousProgress(reports), CancellationToken.None);

        Assert.Equal([4L, 4L, 2L], reports);
    }

    [Fact]
    public void Train_WhenCancelled_StopsBeforeTheNextBatch()
    {
        var hyperparameters = Hyperparameters(BprOptimizer.LazyAdam, 0.05);
        using var trainer = Trainer(hyperparameters);
        trainer.Load(BprState.Initialize(4, 5, hyperparameters));
        using var source = TripletSource.FromArray(Triplets);
        using var cancellation = new CancellationTokenSource();
        var progress = new SynchronousProgress([], _ => cancellation.Cancel());

        Assert.Throws<OperationCanceledException>(() => trainer.Train(source, Epoch, progress, cancellation.Token));

        Assert.Equal(1, trainer.Save().Optimizer.Step);
    }

    [Fact]
    public void Train_TripletOutsideTheTables_ThrowsNamingIt()
    {
        var hyperparameters = Hyperparameters(BprOptimizer.Sgd, 0.1);
        using var trainer = Trainer(hyperparameters);
        trainer.Load(BprState.Initialize(4, 5, hyperparameters));
        using var source = TripletSource.FromArray([0, 1, 2, 1, 5, 0]);

        var error = Assert.Throws<ArgumentException>(() => trainer.Train(source, [0], progress: null, CancellationToken.None));

        Assert.Contains("Triplet 1 is (1, 5, 0)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_BeforeLoad_Throws()
    {
        using var trainer = Trainer(Hyperparameters(BprOptimizer.Sgd, 0.1));
        using var source = TripletSource.FromArray(Triplets);

        Assert.Throws<InvalidOperationException>(() => trainer.Train(source, [0], progress: null, CancellationToken.None));
    }

    [Fact]
    public void Load_StateOfAnotherOptimizerOrDimension_ThrowsNamingBoth()
    {
        using var trainer = Trainer(Hyperparameters(BprOptimizer.LazyAdam, 0.05));
        var other = BprState.Initialize(4, 5, Hyperparameters(BprOptimizer.Adagrad, 0.1) with { Dimensions = 2 });

        var error = Assert.Throws<ArgumentException>(() => trainer.Load(other));

        Assert.Contains("Dimensions is 2 but the hyperparameters say 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("the optimizer state is adagrad but the hyperparameters say lazy-adam", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SlotOfTheWrongLength_Throws()
    {
        var hyperparameters = Hyperparameters(BprOptimizer.LazyAdam, 0.05);
        using var trainer = Trainer(hyperparameters);
        var state = BprState.Initialize(4, 5, hyperparameters);
        var slots = state.Optimizer.Slots.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
        slots["playlist_v"] = new float[7];
        var broken = new BprState
        {
            Users = 4,
            Playlists = 5,
            Dimensions = 3,
            UserEmbeddings = state.UserEmbeddings,
            PlaylistEmbeddings = state.PlaylistEmbeddings,
            Optimizer = new BprOptimizerState { Kind = BprOptimizer.LazyAdam, Slots = slots },
        };

        var error = Assert.Throws<ArgumentException>(() => trainer.Load(broken));

        Assert.Contains("'playlist_v' has 7 values; expected 15", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_SeveralEpochsOnPlantedGroups_LowersTheLoss()
    {
        // 48 users and 64 playlists in 4 groups: users like their group's playlists and not the others'.
        const int groups = 4, users = 48, playlists = 64, perUser = 16;
        var random = new DeterministicRandom(11);
        var triplets = new int[users * perUser * 3];
        for (var t = 0; t < users * perUser; t++)
        {
            var u = t % users;
            var group = u % groups;
            triplets[3 * t] = u;
            triplets[(3 * t) + 1] = (random.NextInt(playlists / groups) * groups) + group;
            triplets[(3 * t) + 2] = (random.NextInt(playlists / groups) * groups) + ((group + 1 + random.NextInt(groups - 1)) % groups);
        }

        var hyperparameters = new BprHyperparameters { Dimensions = 8, BatchSize = 64, LearningRate = 0.05, Seed = 3 };
        using var trainer = new TorchBprTrainer(new BprTrainerSettings { Hyperparameters = hyperparameters, Threads = 2 });
        trainer.Load(BprState.Initialize(users, playlists, hyperparameters));
        using var source = TripletSource.FromArray(triplets);
        int[] epoch = [.. Enumerable.Range(0, source.BatchCount(64))];

        var losses = new List<double>();
        for (var e = 0; e < 6; e++)
        {
            var result = trainer.Train(source, epoch, progress: null, CancellationToken.None);
            losses.Add(result.LossSum / result.Triplets);
        }

        Assert.InRange(losses[0], 0.5, 0.7); // ≈ ln 2 at the start
        Assert.True(losses[^1] < 0.5 * losses[0], $"mean loss per epoch: {string.Join(", ", losses)}");
        for (var e = 1; e < losses.Count; e++)
        {
            Assert.True(losses[e] < losses[e - 1], $"mean loss per epoch: {string.Join(", ", losses)}");
        }
    }

    private static void AssertRow(double[] expected, float[] table, int row)
    {
        for (var f = 0; f < expected.Length; f++)
        {
            Assert.Equal(expected[f], table[(row * expected.Length) + f], 1e-6);
        }
    }

    /// <summary>Relative error at most 1e-5 (with a 1e-9 floor for values at or near zero).</summary>
    private static void AssertClose(double[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var k = 0; k < expected.Length; k++)
        {
            var tolerance = (1e-5 * Math.Abs(expected[k])) + 1e-9;
            Assert.True(
                Math.Abs(actual[k] - expected[k]) <= tolerance,
                $"{what}[{k}]: expected {expected[k]:R}, got {actual[k]:R} (|diff| {Math.Abs(actual[k] - expected[k]):E2} > {tolerance:E2})");
        }
    }

    /// <summary>Records reports on the calling thread (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class SynchronousProgress(List<long> reports, Action<long>? then = null) : IProgress<long>
    {
        public void Report(long value)
        {
            reports.Add(value);
            then?.Invoke(value);
        }
    }
}

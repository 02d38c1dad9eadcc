using SpotifyBuddies.Models.Ranking;
using SpotifyBuddies.Models.Ranking.Native;
using static SpotifyBuddies.Models.Tests.Ranking.Native.NativeBprFixtures;

namespace SpotifyBuddies.Models.Tests.Ranking.Native;

public sealed class NativeBprTrainingTests
{
    [Theory]
    [InlineData(BprOptimizer.LazyAdam, 0.05, 1)]
    [InlineData(BprOptimizer.LazyAdam, 0.05, 2)]
    [InlineData(BprOptimizer.Adagrad, 0.2, 2)]
    [InlineData(BprOptimizer.Sgd, 20.0, 2)]
    public void SeveralEpochsOnAPlantedGroupStructure_LowerTheLossAndRankHeldOutPositivesFirst(BprOptimizer optimizer, double learningRate, int threads)
    {
        var problem = PlantedProblem.Create(seed: 1);
        var hyperparameters = Hyperparameters(optimizer, dimensions: 16, batchSize: 64, learningRate);
        using var triplets = TripletSource.FromArray(problem.Triplets);
        using var trainer = Trainer(hyperparameters, threads);
        trainer.Load(BprState.Initialize(PlantedProblem.Users, PlantedProblem.Playlists, hyperparameters));
        var initialMrr = problem.HeldOutMrr(trainer.Embeddings());
        var initial = trainer.Save();
        var initialLoss = ReferenceBpr.MeanLoss(
            Array.ConvertAll(initial.UserEmbeddings, v => (double)v), Array.ConvertAll(initial.PlaylistEmbeddings, v => (double)v), 16, problem.Triplets);
        var batches = triplets.BatchCount(64);
        var random = new Random(2);
        var epochLosses = new List<double>();

        for (var epoch = 0; epoch < 6; epoch++)
        {
            var order = Range(batches);
            random.Shuffle(order);
            var result = trainer.Train(triplets, order, null, CancellationToken.None);
            Assert.Equal(triplets.Count, result.Triplets);
            epochLosses.Add(result.LossSum / result.Triplets);
        }

        var mrr = problem.HeldOutMrr(trainer.Embeddings());
        Assert.Equal(6L * batches, trainer.Save().Optimizer.Step);
        var losses = $"mean loss before training {initialLoss:F3}, per epoch {string.Join(", ", epochLosses.Select(l => l.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}";
        Assert.True(epochLosses[0] < initialLoss && epochLosses[^1] < 0.5 * epochLosses[0] && epochLosses[^1] < 0.1, losses);
        Assert.True(initialMrr < 0.35, $"untrained MRR {initialMrr} (random ranking ≈ {PlantedProblem.RandomMrr:F3})");
        Assert.True(mrr > 0.8, $"MRR after training {mrr} (random ranking ≈ {PlantedProblem.RandomMrr:F3})");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Progress_IsReportedPerBatch_AndSumsToTheTripletsApplied(int threads)
    {
        var hyperparameters = Hyperparameters(BprOptimizer.LazyAdam, dimensions: 8, batchSize: 10, learningRate: 0.01);
        using var triplets = TripletSource.FromArray(RandomTriplets(10, 10, 95, seed: 1));
        using var trainer = Trainer(hyperparameters, threads);
        trainer.Load(BprState.Initialize(10, 10, hyperparameters));
        var progress = new CountingProgress();

        var result = trainer.Train(triplets, [9, 0, 1, 2, 3], progress, CancellationToken.None);

        Assert.Equal(45, result.Triplets);
        Assert.Equal(45, progress.Total);
        Assert.Equal(5, progress.Reports);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ACancelledToken_AppliesNothing(int threads)
    {
        var hyperparameters = Hyperparameters(BprOptimizer.Adagrad, dimensions: 8, batchSize: 10, learningRate: 0.1);
        using var triplets = TripletSource.FromArray(RandomTriplets(10, 10, 50, seed: 1));
        using var trainer = Trainer(hyperparameters, threads);
        var initial = BprState.Initialize(10, 10, hyperparameters);
        trainer.Load(initial);

        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Train(triplets, Range(5), null, new CancellationToken(canceled: true)));

        Assert.Equal(0, trainer.Save().Optimizer.Step);
        Assert.Equal(initial.UserEmbeddings, trainer.Save().UserEmbeddings);
    }

    [Fact]
    public void CancellingDuringTraining_StopsBeforeTheNextBatch_LeavingWholeBatchesApplied()
    {
        var hyperparameters = Hyperparameters(BprOptimizer.LazyAdam, dimensions: 8, batchSize: 10, learningRate: 0.01);
        using var triplets = TripletSource.FromArray(RandomTriplets(10, 10, 50, seed: 1));
        using var trainer = Trainer(hyperparameters);
        trainer.Load(BprState.Initialize(10, 10, hyperparameters));
        using var cancellation = new CancellationTokenSource();
        var progress = new CountingProgress(_ => cancellation.Cancel());

        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Train(triplets, Range(5), progress, cancellation.Token));

        Assert.Equal(1, trainer.Save().Optimizer.Step);
        Assert.Equal(10, progress.Total);
    }

    [Fact]
    public void TrainingBeforeLoad_Throws()
    {
        using var trainer = Trainer(Hyperparameters(BprOptimizer.Sgd, dimensions: 4, batchSize: 2, learningRate: 0.1));
        using var triplets = TripletSource.FromArray([0, 0, 1]);

        var error = Assert.Throws<InvalidOperationException>(() => trainer.Train(triplets, [0], null, CancellationToken.None));

        Assert.Contains("Load a BprState", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABatchOutsideTheSource_IsRejectedBeforeAnythingIsApplied()
    {
        var hyperparameters = Hyperparameters(BprOptimizer.Sgd, dimensions: 4, batchSize: 2, learningRate: 0.1);
        using var trainer = Trainer(hyperparameters);
        trainer.Load(BprState.Initialize(2, 2, hyperparameters));
        using var triplets = TripletSource.FromArray([0, 0, 1, 1, 1, 0, 0, 1, 0]);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Train(triplets, [0, 2], null, CancellationToken.None));

        Assert.Contains("Batch 2 does not exist: 3 triplets make 2 batches of 2.", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, trainer.Save().Optimizer.Step);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ATripletOutsideTheModel_FailsNamingIt_WithoutApplyingItsBatch(int threads)
    {
        var hyperparameters = Hyperparameters(BprOptimizer.LazyAdam, dimensions: 4, batchSize: 2, learningRate: 0.1);
        using var trainer = Trainer(hyperparameters, threads);
        var initial = BprState.Initialize(2, 3, hyperparameters);
        trainer.Load(initial);
        using var triplets = TripletSource.FromArray([0, 0, 1, 1, 2, 3, 1, 2, 3, 0, 0, 1]);

        var error = Assert.Throws<InvalidDataException>(() => trainer.Train(triplets, [0, 1], null, CancellationToken.None));

        Assert.Matches(@"^Triplet [12] is \(user 1, positive 2, negative 3\), outside the model's 2 users and 3 playlists", error.Message);
        var after = trainer.Save();
        Assert.Equal(0, after.Optimizer.Step);
        Assert.Equal(initial.PlaylistEmbeddings, after.PlaylistEmbeddings);
    }

    [Fact]
    public void Constructor_RejectsInvalidHyperparametersAndThreadCounts()
    {
        var invalid = Assert.Throws<ArgumentException>(() => new NativeBprTrainer(new BprTrainerSettings { Hyperparameters = new BprHyperparameters { BatchSize = 0 } }));
        var noThreads = Assert.Throws<ArgumentException>(() => new NativeBprTrainer(new BprTrainerSettings { Hyperparameters = new BprHyperparameters(), Threads = 0 }));

        Assert.Contains("BatchSize must be in 1..16777216; got 0.", invalid.Message, StringComparison.Ordinal);
        Assert.Contains("Threads must be at least 1; got 0.", noThreads.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IdentifiesItselfAsTheNativeCpuBackend_AtTheWidestAcceleratedWidth()
    {
        using var trainer = new NativeBprTrainer(new BprTrainerSettings { Hyperparameters = new BprHyperparameters(), Threads = 3 });

        Assert.Equal(("native", "cpu", 3), (trainer.Backend, trainer.Device, trainer.Threads));
        Assert.Equal(SupportedWidths().Max(), trainer.SimdWidth);
    }

    /// <summary>
    /// Users and playlists fall into 4 groups; each user's positives are 12 of its group's 20 playlists, negatives any
    /// other playlist; one more playlist of the group is held out per user (never one of its training triplets) and
    /// ranked against 20 playlists of other groups.
    /// </summary>
    private sealed class PlantedProblem
    {
        public const int Groups = 4;
        public const int UsersPerGroup = 15;
        public const int PlaylistsPerGroup = 20;
        public const int Users = Groups * UsersPerGroup;
        public const int Playlists = Groups * PlaylistsPerGroup;
        public const int EvaluationNegatives = 20;

        private readonly int[] _heldOut = new int[Users];
        private readonly int[][] _evaluationNegatives = new int[Users][];

        private PlantedProblem(int[] triplets) => Triplets = triplets;

        /// <summary>MRR of ranking the positive at a uniformly random place among 1 + 20: (1/21) Σ 1/k.</summary>
        public static double RandomMrr { get; } = Enumerable.Range(1, EvaluationNegatives + 1).Sum(k => 1.0 / k) / (EvaluationNegatives + 1);

        public int[] Triplets { get; }

        public static PlantedProblem Create(int seed)
        {
            var random = new Random(seed);
            var triplets = new List<int>();
            var heldOut = new int[Users];
            var negatives = new int[Users][];
            for (var user = 0; user < Users; user++)
            {
                var group = user / UsersPerGroup;
                var own = Enumerable.Range(group * PlaylistsPerGroup, PlaylistsPerGroup).ToArray();
                random.Shuffle(own);
                var positives = own[..12];
                heldOut[user] = own[12];
                foreach (var positive in positives)
                {
                    for (var n = 0; n < 4; n++)
                    {
                        int negative;
                        do
                        {
                            negative = random.Next(Playlists);
                        }
                        while (positives.Contains(negative) || negative == heldOut[user]);
                        triplets.AddRange([user, positive, negative]);
                    }
                }

                var others = Enumerable.Range(0, Playlists).Where(p => p / PlaylistsPerGroup != group).ToArray();
                random.Shuffle(others);
                negatives[user] = others[..EvaluationNegatives];
            }

            var rows = Enumerable.Range(0, triplets.Count / 3).ToArray();
            random.Shuffle(rows);
            var problem = new PlantedProblem(rows.SelectMany(t => triplets.Skip(3 * t).Take(3)).ToArray());
            heldOut.CopyTo(problem._heldOut, 0);
            negatives.CopyTo(problem._evaluationNegatives, 0);
            return problem;
        }

        public double HeldOutMrr(BprEmbeddings embeddings)
        {
            var sum = 0.0;
            for (var user = 0; user < Users; user++)
            {
                var positiveScore = Score(embeddings, user, _heldOut[user]);
                var rank = _evaluationNegatives[user].Count(negative => Score(embeddings, user, negative) >= positiveScore);
                sum += 1.0 / (rank + 1);
            }

            return sum / Users;
        }

        private static double Score(BprEmbeddings embeddings, int user, int playlist)
        {
            var u = embeddings.User(user);
            var p = embeddings.Playlist(playlist);
            var score = 0.0;
            for (var k = 0; k < u.Length; k++)
            {
                score += u[k] * p[k];
            }

            return score;
        }
    }
}

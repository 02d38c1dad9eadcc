using SpotifyBuddies.Models.Ranking;
using static SpotifyBuddies.Models.Tests.Ranking.Native.NativeBprFixtures;

namespace SpotifyBuddies.Models.Tests.Ranking.Native;

public sealed class NativeBprGradientTests
{
    // 4 users, 5 playlists. User 0 occurs three times, playlist 1 as positive and negative, and (3, 0, 0) has the same
    // playlist on both sides: x ≡ 0, so user 3 and playlist 0 get exactly zero gradient.
    private static readonly int[] TinyBatch = [0, 1, 2, 0, 1, 3, 1, 2, 4, 3, 0, 0, 2, 4, 1, 0, 3, 1];

    [Fact]
    public void ReferenceGradient_MatchesCentralDifferencesOfTheMeanLoss()
    {
        const int d = 3;
        var random = new Random(7);
        var users = Enumerable.Range(0, 4 * d).Select(_ => (random.NextDouble() * 2) - 1).ToArray();
        var playlists = Enumerable.Range(0, 5 * d).Select(_ => (random.NextDouble() * 2) - 1).ToArray();

        (var userGradients, var playlistGradients) = ReferenceBpr.Gradient(users, playlists, d, TinyBatch);

        AssertGradient(users, userGradients, () => ReferenceBpr.MeanLoss(users, playlists, d, TinyBatch));
        AssertGradient(playlists, playlistGradients, () => ReferenceBpr.MeanLoss(users, playlists, d, TinyBatch));
        Assert.Equal(new double[d], userGradients[3]);

        void AssertGradient(double[] parameters, Dictionary<int, double[]> analytic, Func<double> loss)
        {
            const double h = 1e-5;
            for (var e = 0; e < parameters.Length; e++)
            {
                var original = parameters[e];
                parameters[e] = original + h;
                var up = loss();
                parameters[e] = original - h;
                var down = loss();
                parameters[e] = original;
                var numeric = (up - down) / (2 * h);
                var exact = analytic.TryGetValue(e / d, out var row) ? row[e % d] : 0;
                Assert.True(Math.Abs(numeric - exact) <= 1e-8 + (1e-6 * Math.Abs(exact)), $"element {e}: central difference {numeric}, analytic {exact}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(WidthsAndDimensions))]
    public void SgdStep_IsParametersMinusLearningRateTimesTheBatchGradient(int width, int dimensions)
    {
        const double learningRate = 0.5;
        var hyperparameters = Hyperparameters(BprOptimizer.Sgd, dimensions, batchSize: 6, learningRate);
        var initial = BprState.Initialize(4, 5, hyperparameters);
        using var trainer = Trainer(hyperparameters, width: width);
        trainer.Load(initial);
        using var triplets = TripletSource.FromArray(TinyBatch);

        var result = trainer.Train(triplets, [0], progress: null, CancellationToken.None);

        var users = Array.ConvertAll(initial.UserEmbeddings, v => (double)v);
        var playlists = Array.ConvertAll(initial.PlaylistEmbeddings, v => (double)v);
        (var userGradients, var playlistGradients) = ReferenceBpr.Gradient(users, playlists, dimensions, TinyBatch);
        var after = trainer.Save();
        AssertStep(initial.UserEmbeddings, after.UserEmbeddings, userGradients, "users");
        AssertStep(initial.PlaylistEmbeddings, after.PlaylistEmbeddings, playlistGradients, "playlists");
        Assert.Equal(6, result.Triplets);
        Assert.Equal(ReferenceBpr.MeanLoss(users, playlists, dimensions, TinyBatch) * 6, result.LossSum, 1e-5);

        void AssertStep(float[] before, float[] now, Dictionary<int, double[]> gradients, string what)
        {
            var expected = new double[before.Length];
            foreach ((var row, var g) in gradients)
            {
                for (var k = 0; k < dimensions; k++)
                {
                    expected[(row * dimensions) + k] = -learningRate * g[k];
                }
            }

            var actual = new double[before.Length];
            for (var e = 0; e < before.Length; e++)
            {
                actual[e] = (double)now[e] - before[e];
            }

            AssertClose(expected, actual, $"{what} change", relative: 1e-4);
        }
    }

    [Fact]
    public void ExtremeScores_GiveTheExactLossAndAFiniteGradient_WhereNaiveLogSigmoidOverflows()
    {
        // x = ⟨u, i − j⟩ = 10·4·(−25 − 25) = −2000 for triplet (0, 0, 1) and +2000 for (0, 1, 0): −log σ(−2000) = 2000
        // (naively −log(1/(1 + e²⁰⁰⁰)) = ∞) and −log σ(2000) ≈ 0; ∂/∂x is −1/2 and ≈ 0.
        var hyperparameters = Hyperparameters(BprOptimizer.Sgd, dimensions: 4, batchSize: 2, learningRate: 0.001);
        var state = BprState.Initialize(1, 2, hyperparameters);
        Array.Fill(state.UserEmbeddings, 10f);
        state.PlaylistEmbeddings.AsSpan(0, 4).Fill(-25f);
        state.PlaylistEmbeddings.AsSpan(4, 4).Fill(25f);
        using var trainer = Trainer(hyperparameters);
        trainer.Load(state);
        using var triplets = TripletSource.FromArray([0, 0, 1, 0, 1, 0]);

        var result = trainer.Train(triplets, [0], null, CancellationToken.None);

        Assert.Equal(2000, result.LossSum, 1e-9);
        // g_u = −½(i − j) = −½(−50) = 25 per element: u = 10 − 0.001·25.
        Assert.All(trainer.Save().UserEmbeddings, value => Assert.Equal(9.975f, value, 1e-6f));
    }

    public static TheoryData<int, int> WidthsAndDimensions()
    {
        var data = new TheoryData<int, int>();
        foreach (var width in SupportedWidths())
        {
            data.Add(width, 3);
            data.Add(width, 21);
        }

        return data;
    }
}

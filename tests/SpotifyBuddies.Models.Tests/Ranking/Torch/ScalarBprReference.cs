using SpotifyBuddies.Models.Ranking;

namespace SpotifyBuddies.Models.Tests.Ranking.Torch;

/// <summary>
/// The BPR math of <see cref="IBprTrainer"/> written out one scalar at a time in double precision, with the optimizers'
/// textbook formulas (PyTorch SparseAdam, sparse Adagrad, SGD): what the torch backend must reproduce up to float32 rounding.
/// </summary>
internal sealed class ScalarBprReference
{
    private readonly BprHyperparameters _hyperparameters;
    private readonly int _d;

    public ScalarBprReference(BprState state, BprHyperparameters hyperparameters)
    {
        _hyperparameters = hyperparameters;
        _d = state.Dimensions;
        Users = [.. state.UserEmbeddings.Select(v => (double)v)];
        Playlists = [.. state.PlaylistEmbeddings.Select(v => (double)v)];
        Slots = state.Optimizer.Slots.ToDictionary(s => s.Key, s => s.Value.Select(v => (double)v).ToArray(), StringComparer.Ordinal);
        Step = state.Optimizer.Step;
    }

    public double[] Users { get; }

    public double[] Playlists { get; }

    public Dictionary<string, double[]> Slots { get; }

    public long Step { get; private set; }

    /// <summary>Applies the batches as <see cref="IBprTrainer.Train"/> does; returns Σ over batches of mean loss × count.</summary>
    public double Train(int[] triplets, IEnumerable<int> batches)
    {
        var lossSum = 0.0;
        var size = _hyperparameters.BatchSize;
        foreach (var batch in batches)
        {
            var first = batch * size;
            var count = Math.Min(size, (triplets.Length / 3) - first);
            lossSum += ApplyBatch(triplets.AsSpan(first * 3, count * 3), count);
        }

        return lossSum;
    }

    private double ApplyBatch(ReadOnlySpan<int> rows, int count)
    {
        var userGradients = new SortedDictionary<int, double[]>();
        var playlistGradients = new SortedDictionary<int, double[]>();
        var loss = 0.0;
        for (var k = 0; k < count; k++)
        {
            var (u, i, j) = (rows[3 * k], rows[(3 * k) + 1], rows[(3 * k) + 2]);
            var x = Dot(Users, u, Playlists, i) - Dot(Users, u, Playlists, j);
            loss += -Math.Log(Sigmoid(x));
            var c = -Sigmoid(-x) / count;
            var gu = Row(userGradients, u);
            var gi = Row(playlistGradients, i);
            var gj = Row(playlistGradients, j);
            for (var f = 0; f < _d; f++)
            {
                var eu = Users[(u * _d) + f];
                gu[f] += c * (Playlists[(i * _d) + f] - Playlists[(j * _d) + f]);
                gi[f] += c * eu;
                gj[f] -= c * eu;
            }
        }

        Step++;
        Update("user", Users, userGradients);
        Update("playlist", Playlists, playlistGradients);
        return loss;
    }

    private void Update(string table, double[] weights, SortedDictionary<int, double[]> gradients)
    {
        var h = _hyperparameters;
        foreach (var (row, gradient) in gradients)
        {
            for (var f = 0; f < _d; f++)
            {
                var at = (row * _d) + f;
                var g = gradient[f];
                switch (h.Optimizer)
                {
                    case BprOptimizer.Sgd:
                        weights[at] -= h.LearningRate * g;
                        break;
                    case BprOptimizer.Adagrad:
                        var sum = Slots[$"{table}_sum"];
                        sum[at] += g * g;
                        weights[at] -= h.LearningRate * g / (Math.Sqrt(sum[at]) + 1e-10);
                        break;
                    case BprOptimizer.LazyAdam:
                        var (m, v) = (Slots[$"{table}_m"], Slots[$"{table}_v"]);
                        m[at] = (h.Beta1 * m[at]) + ((1 - h.Beta1) * g);
                        v[at] = (h.Beta2 * v[at]) + ((1 - h.Beta2) * g * g);
                        var stepSize = h.LearningRate * Math.Sqrt(1 - Math.Pow(h.Beta2, Step)) / (1 - Math.Pow(h.Beta1, Step));
                        weights[at] -= stepSize * m[at] / (Math.Sqrt(v[at]) + h.Epsilon);
                        break;
                    default:
                        throw new ArgumentOutOfRangeException(nameof(table), h.Optimizer, "Unknown optimizer.");
                }
            }
        }
    }

    private double[] Row(SortedDictionary<int, double[]> gradients, int row) =>
        gradients.TryGetValue(row, out var gradient) ? gradient : gradients[row] = new double[_d];

    private double Dot(double[] a, int rowA, double[] b, int rowB)
    {
        var sum = 0.0;
        for (var f = 0; f < _d; f++)
        {
            sum += a[(rowA * _d) + f] * b[(rowB * _d) + f];
        }

        return sum;
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
}

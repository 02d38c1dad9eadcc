using SpotifyBuddies.Models.Ranking;

namespace SpotifyBuddies.Models.Tests.Ranking.Native;

/// <summary>
/// A plain double-precision, one-element-at-a-time BPR trainer written straight from the contract's math
/// (IBprTrainer remarks) and torch's optimizer formulas, to check the native kernel against.
/// </summary>
internal sealed class ReferenceBpr
{
    private readonly BprHyperparameters _hyperparameters;

    public ReferenceBpr(BprState state, BprHyperparameters hyperparameters)
    {
        _hyperparameters = hyperparameters;
        Users = state.Users;
        Playlists = state.Playlists;
        Dimensions = state.Dimensions;
        UserTable = ToDouble(state.UserEmbeddings);
        PlaylistTable = ToDouble(state.PlaylistEmbeddings);
        Step = state.Optimizer.Step;
        foreach ((var name, var values) in state.Optimizer.Slots)
        {
            Slots[name] = ToDouble(values);
        }
    }

    public int Users { get; }

    public int Playlists { get; }

    public int Dimensions { get; }

    public double[] UserTable { get; }

    public double[] PlaylistTable { get; }

    public Dictionary<string, double[]> Slots { get; } = new(StringComparer.Ordinal);

    public long Step { get; private set; }

    /// <summary>−(1/|B|) Σ log σ(⟨u,i⟩ − ⟨u,j⟩), with log σ computed the naive way (fine in double for these sizes).</summary>
    public static double MeanLoss(double[] users, double[] playlists, int d, int[] rows)
    {
        var sum = 0.0;
        for (var t = 0; t < rows.Length; t += 3)
        {
            var x = Score(users, rows[t], playlists, rows[t + 1], d) - Score(users, rows[t], playlists, rows[t + 2], d);
            sum += -Math.Log(1 / (1 + Math.Exp(-x)));
        }

        return sum / (rows.Length / 3);
    }

    /// <summary>∂MeanLoss/∂(every touched row), summed over the row's occurrences.</summary>
    public static (Dictionary<int, double[]> Users, Dictionary<int, double[]> Playlists) Gradient(double[] users, double[] playlists, int d, int[] rows)
    {
        var userGradients = new Dictionary<int, double[]>();
        var playlistGradients = new Dictionary<int, double[]>();
        var count = rows.Length / 3;
        for (var t = 0; t < rows.Length; t += 3)
        {
            int u = rows[t], i = rows[t + 1], j = rows[t + 2];
            var x = Score(users, u, playlists, i, d) - Score(users, u, playlists, j, d);
            var c = -(1 / (1 + Math.Exp(x))) / count;
            var gu = Row(userGradients, u, d);
            var gi = Row(playlistGradients, i, d);
            var gj = Row(playlistGradients, j, d);
            for (var k = 0; k < d; k++)
            {
                gu[k] += c * (playlists[(i * d) + k] - playlists[(j * d) + k]);
                gi[k] += c * users[(u * d) + k];
                gj[k] -= c * users[(u * d) + k];
            }
        }

        return (userGradients, playlistGradients);
    }

    /// <summary>One batch; returns Σ −log σ(x) over its triplets (the loss before the update).</summary>
    public double Apply(int[] rows)
    {
        var d = Dimensions;
        var loss = MeanLoss(UserTable, PlaylistTable, d, rows) * (rows.Length / 3);
        (var userGradients, var playlistGradients) = Gradient(UserTable, PlaylistTable, d, rows);
        Step++;
        Update(UserTable, "user", userGradients);
        Update(PlaylistTable, "playlist", playlistGradients);
        return loss;
    }

    private void Update(double[] table, string prefix, Dictionary<int, double[]> gradients)
    {
        var d = Dimensions;
        var lr = _hyperparameters.LearningRate;
        foreach ((var row, var g) in gradients)
        {
            for (var k = 0; k < d; k++)
            {
                var e = (row * d) + k;
                switch (_hyperparameters.Optimizer)
                {
                    case BprOptimizer.LazyAdam:
                        {
                            // torch.optim.SparseAdam: moments of touched elements only; eps on √ of the uncorrected v;
                            // bias corrections folded into the step size.
                            double beta1 = _hyperparameters.Beta1, beta2 = _hyperparameters.Beta2;
                            var m = Slots[prefix + "_m"];
                            var v = Slots[prefix + "_v"];
                            m[e] += (g[k] - m[e]) * (1 - beta1);
                            v[e] += ((g[k] * g[k]) - v[e]) * (1 - beta2);
                            var stepSize = lr * Math.Sqrt(1 - Math.Pow(beta2, Step)) / (1 - Math.Pow(beta1, Step));
                            table[e] -= stepSize * m[e] / (Math.Sqrt(v[e]) + _hyperparameters.Epsilon);
                            break;
                        }

                    case BprOptimizer.Adagrad:
                        {
                            var sum = Slots[prefix + "_sum"];
                            sum[e] += g[k] * g[k];
                            table[e] -= lr * g[k] / (Math.Sqrt(sum[e]) + 1e-10);
                            break;
                        }

                    default:
                        table[e] -= lr * g[k];
                        break;
                }
            }
        }
    }

    private static double Score(double[] users, int u, double[] playlists, int p, int d)
    {
        var sum = 0.0;
        for (var k = 0; k < d; k++)
        {
            sum += users[(u * d) + k] * playlists[(p * d) + k];
        }

        return sum;
    }

    private static double[] Row(Dictionary<int, double[]> rows, int row, int d)
    {
        if (!rows.TryGetValue(row, out var values))
        {
            values = new double[d];
            rows[row] = values;
        }

        return values;
    }

    private static double[] ToDouble(float[] values) => Array.ConvertAll(values, v => (double)v);
}

using System.Globalization;

namespace SpotifyBuddies.Models.Ranking;

/// <summary>The optimizers a backend may implement (by <see cref="BprOptimizers"/> name).</summary>
public enum BprOptimizer
{
    /// <summary>PyTorch <c>SparseAdam</c> semantics: Adam moments updated only for rows a batch touches, bias
    /// correction from one global step count per table. The original's optimizer and the default.</summary>
    LazyAdam,

    /// <summary>Adagrad, one accumulator per element, updated only for touched rows (needs its own learning rate, ~0.05–0.2).</summary>
    Adagrad,

    /// <summary>Plain SGD on touched rows.</summary>
    Sgd,
}

public static class BprOptimizers
{
    public static IReadOnlyList<string> Names { get; } = ["lazy-adam", "adagrad", "sgd"];

    public static string Name(BprOptimizer optimizer) => optimizer switch
    {
        BprOptimizer.LazyAdam => "lazy-adam",
        BprOptimizer.Adagrad => "adagrad",
        BprOptimizer.Sgd => "sgd",
        _ => throw new ArgumentOutOfRangeException(nameof(optimizer)),
    };

    public static BprOptimizer Parse(string name) => name switch
    {
        "lazy-adam" => BprOptimizer.LazyAdam,
        "adagrad" => BprOptimizer.Adagrad,
        "sgd" => BprOptimizer.Sgd,
        _ => throw new ArgumentException($"Unknown optimizer '{name}'; use one of {string.Join(", ", Names)}.", nameof(name)),
    };
}

/// <summary>
/// BPR model and training settings (original-system.md §3). Defaults are the original's: d = 128, SparseAdam
/// (lazy Adam) lr 0.005, batch 16,384, 5 epochs, early-stopping patience 5 on val MRR, seed 42.
/// </summary>
/// <remarks>
/// One batch = <see cref="BatchSize"/> consecutive triplets of the (pre-shuffled) triplet file; the loss is
/// −mean log σ(s⁺ − s⁻) over the batch, so a row's gradient is the sum of its occurrences' gradients ÷ batch size.
/// The original also accumulated 2 batches per step (GRAD_ACCUM_STEPS = 2); we do not: an effective batch of 32,768
/// is <c>BatchSize = 32768</c>.
/// </remarks>
public sealed record BprHyperparameters
{
    public int Dimensions { get; init; } = 128;

    public double LearningRate { get; init; } = 0.005;

    public int BatchSize { get; init; } = 16_384;

    public int Epochs { get; init; } = 5;

    /// <summary>Stop after this many evaluations without a val-MRR improvement greater than <see cref="MinDelta"/>.</summary>
    public int Patience { get; init; } = 5;

    public double MinDelta { get; init; }

    public BprOptimizer Optimizer { get; init; } = BprOptimizer.LazyAdam;

    public double Beta1 { get; init; } = 0.9;

    public double Beta2 { get; init; } = 0.999;

    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Seeds the initial embeddings and the per-epoch batch order.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Every problem (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        void Check(bool ok, FormattableString message)
        {
            if (!ok)
            {
                problems.Add(message.ToString(CultureInfo.InvariantCulture));
            }
        }

        Check(Dimensions is >= 1 and <= 4096, $"Dimensions must be in 1..4096; got {Dimensions}.");
        Check(LearningRate > 0 && double.IsFinite(LearningRate), $"LearningRate must be a positive number; got {LearningRate}.");
        Check(BatchSize is >= 1 and <= 1 << 24, $"BatchSize must be in 1..16777216; got {BatchSize}.");
        Check(Epochs >= 1, $"Epochs must be at least 1; got {Epochs}.");
        Check(Patience >= 1, $"Patience must be at least 1; got {Patience}.");
        Check(MinDelta >= 0, $"MinDelta must not be negative; got {MinDelta}.");
        Check(Beta1 is >= 0 and < 1, $"Beta1 must be in [0, 1); got {Beta1}.");
        Check(Beta2 is >= 0 and < 1, $"Beta2 must be in [0, 1); got {Beta2}.");
        Check(Epsilon > 0, $"Epsilon must be positive; got {Epsilon}.");
        return problems;
    }
}

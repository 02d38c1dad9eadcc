using static TorchSharp.torch;

namespace SpotifyBuddies.Models.Ranking.Torch;

/// <summary>
/// One optimizer's update of the rows a batch touched, on float32 tensors, with the exact arithmetic of the
/// PyTorch optimizer it stands for on a coalesced sparse gradient (so results match PyTorch up to float rounding).
/// Stateless: the per-row state lives in the table's slot tensors, the step count in the trainer.
/// </summary>
internal abstract class TorchRowOptimizer
{
    /// <summary>Slot names per table, suffixed to the table name (<c>user_m</c>, <c>playlist_sum</c>) as in <see cref="BprOptimizerState"/>.</summary>
    public abstract IReadOnlyList<string> SlotSuffixes { get; }

    /// <summary>Updates <paramref name="weights"/> (and <paramref name="slots"/>) at <paramref name="rows"/>.</summary>
    /// <param name="rows">Distinct row indices (int64), one per row of <paramref name="gradient"/>.</param>
    /// <param name="gradient">The summed gradient of each row, rows × d.</param>
    /// <param name="step">The global step count including this batch (1 for the first).</param>
    public abstract void Apply(Tensor weights, IReadOnlyList<Tensor> slots, Tensor rows, Tensor gradient, long step);

    public static TorchRowOptimizer Create(BprHyperparameters hyperparameters) => hyperparameters.Optimizer switch
    {
        BprOptimizer.LazyAdam => new LazyAdam(hyperparameters.LearningRate, hyperparameters.Beta1, hyperparameters.Beta2, hyperparameters.Epsilon),
        BprOptimizer.Adagrad => new Adagrad(hyperparameters.LearningRate),
        BprOptimizer.Sgd => new Sgd(hyperparameters.LearningRate),
        _ => throw new ArgumentOutOfRangeException(nameof(hyperparameters), hyperparameters.Optimizer, "Unknown optimizer."),
    };

    /// <summary>
    /// <c>torch.optim.SparseAdam</c> (torch/optim/_functional.py <c>sparse_adam</c>): m += (g − m)(1 − β₁),
    /// v += (g² − v)(1 − β₂) on touched rows; w −= step_size · m / (√v + ε) with step_size = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)
    /// (the denominator uses the bias-uncorrected v, as PyTorch does).
    /// </summary>
    private sealed class LazyAdam(double learningRate, double beta1, double beta2, double epsilon) : TorchRowOptimizer
    {
        public override IReadOnlyList<string> SlotSuffixes { get; } = ["m", "v"];

        public override void Apply(Tensor weights, IReadOnlyList<Tensor> slots, Tensor rows, Tensor gradient, long step)
        {
            var (m, v) = (slots[0], slots[1]);
            var oldM = m.index_select(0, rows);
            var oldV = v.index_select(0, rows);
            var updateM = gradient.sub(oldM).mul_(1 - beta1);
            var updateV = gradient.square().sub_(oldV).mul_(1 - beta2);
            m.index_add_(0, rows, updateM, 1);
            v.index_add_(0, rows, updateV, 1);
            var numerator = updateM.add_(oldM);
            var denominator = updateV.add_(oldV).sqrt_().add_(epsilon);
            var biasCorrection1 = 1 - Math.Pow(beta1, step);
            var biasCorrection2 = 1 - Math.Pow(beta2, step);
            var stepSize = learningRate * Math.Sqrt(biasCorrection2) / biasCorrection1;
            weights.index_add_(0, rows, numerator.div_(denominator).mul_(-stepSize), 1);
        }
    }

    /// <summary><c>torch.optim.Adagrad</c> on a sparse gradient (no lr decay, initial accumulator 0, ε = 1e-10):
    /// s += g²; w −= lr · g / (√s + ε).</summary>
    private sealed class Adagrad(double learningRate) : TorchRowOptimizer
    {
        private const double Epsilon = 1e-10;

        public override IReadOnlyList<string> SlotSuffixes { get; } = ["sum"];

        public override void Apply(Tensor weights, IReadOnlyList<Tensor> slots, Tensor rows, Tensor gradient, long step)
        {
            var sum = slots[0];
            sum.index_add_(0, rows, gradient.square(), 1);
            var std = sum.index_select(0, rows).sqrt_().add_(Epsilon);
            weights.index_add_(0, rows, gradient.div(std), -learningRate);
        }
    }

    /// <summary>Plain SGD: w −= lr · g.</summary>
    private sealed class Sgd(double learningRate) : TorchRowOptimizer
    {
        public override IReadOnlyList<string> SlotSuffixes { get; } = [];

        public override void Apply(Tensor weights, IReadOnlyList<Tensor> slots, Tensor rows, Tensor gradient, long step) =>
            weights.index_add_(0, rows, gradient, -learningRate);
    }
}

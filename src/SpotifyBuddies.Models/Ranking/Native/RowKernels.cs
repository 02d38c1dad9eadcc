using System.Runtime.CompilerServices;

namespace SpotifyBuddies.Models.Ranking.Native;

/// <summary>
/// The per-row arithmetic of BPR training, each a single fused pass over one embedding row (d floats) written once
/// for any <see cref="ISimdOps{TVector}"/> width; the tail (d mod width) runs the same kernel one float at a time.
/// Every kernel reads and writes through refs: the caller guarantees that d floats follow each ref.
/// </summary>
internal static class RowKernels
{
    /// <summary>⟨user, positive⟩ − ⟨user, negative⟩ (two dot products, as torch scores s⁺ and s⁻ separately).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ScoreDifference<TOps, TVector>(ref float user, ref float positive, ref float negative, int length)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        var positiveSum = TOps.Zero;
        var negativeSum = TOps.Zero;
        var k = 0;
        for (; k <= length - TOps.Count; k += TOps.Count)
        {
            var u = TOps.Load(ref user, k);
            positiveSum = TOps.MultiplyAdd(u, TOps.Load(ref positive, k), positiveSum);
            negativeSum = TOps.MultiplyAdd(u, TOps.Load(ref negative, k), negativeSum);
        }

        var difference = TOps.Sum(positiveSum) - TOps.Sum(negativeSum);
        return k < length
            ? difference + ScoreDifference<SimdScalar, float>(ref Unsafe.Add(ref user, k), ref Unsafe.Add(ref positive, k), ref Unsafe.Add(ref negative, k), length - k)
            : difference;
    }

    /// <summary>
    /// g_u += c·(e_i − e_j); g_i += c·e_u; g_j −= c·e_u. Each gradient row is stored before the next is loaded, so
    /// i = j (the same playlist as positive and negative) accumulates both terms into the one row correctly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateGradients<TOps, TVector>(
        ref float user, ref float positive, ref float negative,
        ref float userGradient, ref float positiveGradient, ref float negativeGradient, float c, int length)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        var scale = TOps.Create(c);
        var negativeScale = TOps.Create(-c);
        var k = 0;
        for (; k <= length - TOps.Count; k += TOps.Count)
        {
            var u = TOps.Load(ref user, k);
            var difference = TOps.Subtract(TOps.Load(ref positive, k), TOps.Load(ref negative, k));
            TOps.Store(TOps.MultiplyAdd(scale, difference, TOps.Load(ref userGradient, k)), ref userGradient, k);
            TOps.Store(TOps.MultiplyAdd(scale, u, TOps.Load(ref positiveGradient, k)), ref positiveGradient, k);
            TOps.Store(TOps.MultiplyAdd(negativeScale, u, TOps.Load(ref negativeGradient, k)), ref negativeGradient, k);
        }

        if (k < length)
        {
            AccumulateGradients<SimdScalar, float>(
                ref Unsafe.Add(ref user, k), ref Unsafe.Add(ref positive, k), ref Unsafe.Add(ref negative, k),
                ref Unsafe.Add(ref userGradient, k), ref Unsafe.Add(ref positiveGradient, k), ref Unsafe.Add(ref negativeGradient, k), c, length - k);
        }
    }

    /// <summary>
    /// torch <c>SparseAdam</c> on one row, in its order of operations: m ← m + (g − m)(1 − β₁); v ← v + (g² − v)(1 − β₂);
    /// p ← p − stepSize · m / (√v + ε) with stepSize = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) (see <see cref="OptimizerStep.LazyAdam"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LazyAdam<TOps, TVector>(ref float parameters, ref float firstMoment, ref float secondMoment, ref float gradient, int length, in OptimizerStep step)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        var oneMinusBeta1 = TOps.Create(step.OneMinusBeta1);
        var oneMinusBeta2 = TOps.Create(step.OneMinusBeta2);
        var epsilon = TOps.Create(step.Epsilon);
        var negativeStepSize = TOps.Create(step.NegativeStepSize);
        var k = 0;
        for (; k <= length - TOps.Count; k += TOps.Count)
        {
            var g = TOps.Load(ref gradient, k);
            var m = TOps.Load(ref firstMoment, k);
            var v = TOps.Load(ref secondMoment, k);
            m = TOps.MultiplyAdd(TOps.Subtract(g, m), oneMinusBeta1, m);
            v = TOps.MultiplyAdd(TOps.Subtract(TOps.Multiply(g, g), v), oneMinusBeta2, v);
            TOps.Store(m, ref firstMoment, k);
            TOps.Store(v, ref secondMoment, k);
            var denominator = TOps.Add(TOps.Sqrt(v), epsilon);
            TOps.Store(TOps.MultiplyAdd(negativeStepSize, TOps.Divide(m, denominator), TOps.Load(ref parameters, k)), ref parameters, k);
        }

        if (k < length)
        {
            LazyAdam<SimdScalar, float>(
                ref Unsafe.Add(ref parameters, k), ref Unsafe.Add(ref firstMoment, k), ref Unsafe.Add(ref secondMoment, k),
                ref Unsafe.Add(ref gradient, k), length - k, step);
        }
    }

    /// <summary>torch <c>Adagrad</c> (sparse path) on one row: sum ← sum + g²; p ← p − lr · g / (√sum + ε).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Adagrad<TOps, TVector>(ref float parameters, ref float squaredSum, ref float gradient, int length, in OptimizerStep step)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        var epsilon = TOps.Create(step.Epsilon);
        var negativeStepSize = TOps.Create(step.NegativeStepSize);
        var k = 0;
        for (; k <= length - TOps.Count; k += TOps.Count)
        {
            var g = TOps.Load(ref gradient, k);
            var sum = TOps.MultiplyAdd(g, g, TOps.Load(ref squaredSum, k));
            TOps.Store(sum, ref squaredSum, k);
            var denominator = TOps.Add(TOps.Sqrt(sum), epsilon);
            TOps.Store(TOps.MultiplyAdd(negativeStepSize, TOps.Divide(g, denominator), TOps.Load(ref parameters, k)), ref parameters, k);
        }

        if (k < length)
        {
            Adagrad<SimdScalar, float>(
                ref Unsafe.Add(ref parameters, k), ref Unsafe.Add(ref squaredSum, k), ref Unsafe.Add(ref gradient, k), length - k, step);
        }
    }

    /// <summary>p ← p − lr · g.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sgd<TOps, TVector>(ref float parameters, ref float gradient, int length, in OptimizerStep step)
        where TOps : ISimdOps<TVector>
        where TVector : struct
    {
        var negativeStepSize = TOps.Create(step.NegativeStepSize);
        var k = 0;
        for (; k <= length - TOps.Count; k += TOps.Count)
        {
            TOps.Store(TOps.MultiplyAdd(negativeStepSize, TOps.Load(ref gradient, k), TOps.Load(ref parameters, k)), ref parameters, k);
        }

        if (k < length)
        {
            Sgd<SimdScalar, float>(ref Unsafe.Add(ref parameters, k), ref Unsafe.Add(ref gradient, k), length - k, step);
        }
    }
}

/// <summary>An optimizer's update of one row at <c>offset</c> of a table and its slot arrays (empty where it has none).</summary>
internal interface IRowUpdate
{
    static abstract void Update<TOps, TVector>(AlignedBuffer<float> table, AlignedBuffer<float> first, AlignedBuffer<float> second, int offset, ref float gradient, int length, in OptimizerStep step)
        where TOps : ISimdOps<TVector>
        where TVector : struct;
}

/// <summary>Slots: first = m, second = v.</summary>
internal readonly struct LazyAdamUpdate : IRowUpdate
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Update<TOps, TVector>(AlignedBuffer<float> table, AlignedBuffer<float> first, AlignedBuffer<float> second, int offset, ref float gradient, int length, in OptimizerStep step)
        where TOps : ISimdOps<TVector>
        where TVector : struct =>
        RowKernels.LazyAdam<TOps, TVector>(ref table[offset], ref first[offset], ref second[offset], ref gradient, length, step);
}

/// <summary>Slots: first = the squared-gradient sum.</summary>
internal readonly struct AdagradUpdate : IRowUpdate
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Update<TOps, TVector>(AlignedBuffer<float> table, AlignedBuffer<float> first, AlignedBuffer<float> second, int offset, ref float gradient, int length, in OptimizerStep step)
        where TOps : ISimdOps<TVector>
        where TVector : struct =>
        RowKernels.Adagrad<TOps, TVector>(ref table[offset], ref first[offset], ref gradient, length, step);
}

/// <summary>No slots.</summary>
internal readonly struct SgdUpdate : IRowUpdate
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Update<TOps, TVector>(AlignedBuffer<float> table, AlignedBuffer<float> first, AlignedBuffer<float> second, int offset, ref float gradient, int length, in OptimizerStep step)
        where TOps : ISimdOps<TVector>
        where TVector : struct =>
        RowKernels.Sgd<TOps, TVector>(ref table[offset], ref gradient, length, step);
}

/// <summary>The per-batch constants of an optimizer update (float, as torch applies them to float32 tensors).</summary>
internal readonly record struct OptimizerStep(float NegativeStepSize, float OneMinusBeta1, float OneMinusBeta2, float Epsilon)
{
    /// <summary>torch's <c>eps</c> default for Adagrad (fixed: <see cref="BprHyperparameters.Epsilon"/> is Adam's).</summary>
    public const float AdagradEpsilon = 1e-10f;

    /// <summary>
    /// SparseAdam's constants for global step <paramref name="step"/> (1 for the first batch): the bias corrections
    /// 1 − β₁ᵗ and 1 − β₂ᵗ are folded into the step size in double, exactly as torch does in Python
    /// (<c>step_size = lr * math.sqrt(bias_correction2) / bias_correction1</c>), and ε is added to √v of the
    /// <em>uncorrected</em> v. Equivalent to textbook Adam p −= lr·m̂/(√v̂ + ε') with ε' = ε/√(1 − β₂ᵗ).
    /// </summary>
    public static OptimizerStep LazyAdam(BprHyperparameters hyperparameters, long step)
    {
        var biasCorrection1 = 1 - Math.Pow(hyperparameters.Beta1, step);
        var biasCorrection2 = 1 - Math.Pow(hyperparameters.Beta2, step);
        var stepSize = hyperparameters.LearningRate * Math.Sqrt(biasCorrection2) / biasCorrection1;
        return new OptimizerStep(
            (float)-stepSize,
            (float)(1 - hyperparameters.Beta1),
            (float)(1 - hyperparameters.Beta2),
            (float)hyperparameters.Epsilon);
    }

    public static OptimizerStep Adagrad(BprHyperparameters hyperparameters) =>
        new((float)-hyperparameters.LearningRate, 0, 0, AdagradEpsilon);

    public static OptimizerStep Sgd(BprHyperparameters hyperparameters) =>
        new((float)-hyperparameters.LearningRate, 0, 0, 0);
}

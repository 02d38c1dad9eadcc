using System.Globalization;

namespace SpotifyBuddies.Core.Preparation;

/// <summary>The original's parameters, all overridable; validated before a run.</summary>
public sealed record PreparationParameters
{
    public ulong Seed { get; init; } = 42;

    /// <summary>Liked = top max(1, ceil(LikedFraction·n)) of a user's overlapping playlists. In (0, 1].</summary>
    public double LikedFraction { get; init; } = 0.015;

    /// <summary>Alpha of the per-user Beta(alpha, beta) exploration draw. Positive.</summary>
    public double ExplorationAlpha { get; init; } = 1.3;

    /// <summary>Beta of the per-user Beta(alpha, beta) exploration draw. Positive.</summary>
    public double ExplorationBeta { get; init; } = 3.3;

    /// <summary>Fraction of users kept by down-sampling (1 = all). In (0, 1].</summary>
    public double SampleUsers { get; init; } = 1.0;

    /// <summary>Fraction of users with positives held out as cold users. In [0, 1).</summary>
    public double ColdUserFraction { get; init; } = 0.05;

    /// <summary>Train share of a user's positives. In (0, 1]; with <see cref="ValidationFraction"/> at most 1 (test gets the rest).</summary>
    public double TrainFraction { get; init; } = 0.7;

    /// <summary>Validation share of a user's positives. In [0, 1).</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>Users with fewer positives put them all in train. At least 1.</summary>
    public int MinPositivesToSplit { get; init; } = 5;

    /// <summary>Most playlists one user may own. At least 1.</summary>
    public int OwnershipCap { get; init; } = 100;

    /// <summary>Share of a user's negative pool (by score) that is "hard". In [0, 1]; the hard pool has at least one entry.</summary>
    public double HardNegativeFraction { get; init; } = 0.2;

    /// <summary>Triplets per train positive. At least 1.</summary>
    public int NegativesPerPositive { get; init; } = 4;

    /// <summary>How many of a positive's negatives come from the hard pool (when it has them). In [0, NegativesPerPositive].</summary>
    public int HardNegativesPerPositive { get; init; } = 2;

    /// <summary>Negatives per evaluation row. At least 1.</summary>
    public int EvaluationNegatives { get; init; } = 50;

    /// <summary>Every problem with the parameters (empty when valid), each naming the parameter.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();

        RequireOpenClosedUnit(problems, nameof(LikedFraction), LikedFraction);
        RequirePositive(problems, nameof(ExplorationAlpha), ExplorationAlpha);
        RequirePositive(problems, nameof(ExplorationBeta), ExplorationBeta);
        RequireOpenClosedUnit(problems, nameof(SampleUsers), SampleUsers);
        RequireClosedOpenUnit(problems, nameof(ColdUserFraction), ColdUserFraction);
        RequireOpenClosedUnit(problems, nameof(TrainFraction), TrainFraction);
        RequireClosedOpenUnit(problems, nameof(ValidationFraction), ValidationFraction);
        if (TrainFraction + ValidationFraction > 1 + 1e-9)
        {
            problems.Add(Invariant(
                $"{nameof(TrainFraction)} + {nameof(ValidationFraction)} must be at most 1; got {TrainFraction} + {ValidationFraction}."));
        }

        RequireAtLeastOne(problems, nameof(MinPositivesToSplit), MinPositivesToSplit);
        RequireAtLeastOne(problems, nameof(OwnershipCap), OwnershipCap);
        if (!FractionMath.IsUnitInterval(HardNegativeFraction))
        {
            problems.Add(Invariant($"{nameof(HardNegativeFraction)} must be in [0, 1]; got {HardNegativeFraction}."));
        }

        RequireAtLeastOne(problems, nameof(NegativesPerPositive), NegativesPerPositive);
        if (HardNegativesPerPositive < 0 || HardNegativesPerPositive > NegativesPerPositive)
        {
            problems.Add(Invariant(
                $"{nameof(HardNegativesPerPositive)} must be in [0, {nameof(NegativesPerPositive)} = {NegativesPerPositive}]; got {HardNegativesPerPositive}."));
        }

        RequireAtLeastOne(problems, nameof(EvaluationNegatives), EvaluationNegatives);
        return problems;
    }

    private static void RequireOpenClosedUnit(List<string> problems, string name, double value)
    {
        if (!(value > 0 && value <= 1))
        {
            problems.Add(Invariant($"{name} must be in (0, 1]; got {value}."));
        }
    }

    private static void RequireClosedOpenUnit(List<string> problems, string name, double value)
    {
        if (!(value >= 0 && value < 1))
        {
            problems.Add(Invariant($"{name} must be in [0, 1); got {value}."));
        }
    }

    private static void RequirePositive(List<string> problems, string name, double value)
    {
        if (!(value > 0 && double.IsFinite(value)))
        {
            problems.Add(Invariant($"{name} must be a finite positive number; got {value}."));
        }
    }

    private static void RequireAtLeastOne(List<string> problems, string name, int value)
    {
        if (value < 1)
        {
            problems.Add(Invariant($"{name} must be at least 1; got {value}."));
        }
    }

    private static string Invariant(FormattableString message) => message.ToString(CultureInfo.InvariantCulture);
}

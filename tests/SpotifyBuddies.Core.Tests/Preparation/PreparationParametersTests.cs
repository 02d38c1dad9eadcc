using SpotifyBuddies.Core.Preparation;

namespace SpotifyBuddies.Core.Tests.Preparation;

public sealed class PreparationParametersTests
{
    private static readonly PreparationParameters Defaults = new();

    public static TheoryData<PreparationParameters, string> InvalidCases => new()
    {
        { Defaults with { LikedFraction = 0 }, nameof(PreparationParameters.LikedFraction) },
        { Defaults with { LikedFraction = 1.01 }, nameof(PreparationParameters.LikedFraction) },
        { Defaults with { LikedFraction = double.NaN }, nameof(PreparationParameters.LikedFraction) },
        { Defaults with { ExplorationAlpha = 0 }, nameof(PreparationParameters.ExplorationAlpha) },
        { Defaults with { ExplorationBeta = double.PositiveInfinity }, nameof(PreparationParameters.ExplorationBeta) },
        { Defaults with { SampleUsers = 0 }, nameof(PreparationParameters.SampleUsers) },
        { Defaults with { ColdUserFraction = 1 }, nameof(PreparationParameters.ColdUserFraction) },
        { Defaults with { ColdUserFraction = -0.1 }, nameof(PreparationParameters.ColdUserFraction) },
        { Defaults with { TrainFraction = 0 }, nameof(PreparationParameters.TrainFraction) },
        { Defaults with { ValidationFraction = -0.2 }, nameof(PreparationParameters.ValidationFraction) },
        { Defaults with { TrainFraction = 0.8, ValidationFraction = 0.3 }, nameof(PreparationParameters.ValidationFraction) },
        { Defaults with { MinPositivesToSplit = 0 }, nameof(PreparationParameters.MinPositivesToSplit) },
        { Defaults with { OwnershipCap = 0 }, nameof(PreparationParameters.OwnershipCap) },
        { Defaults with { HardNegativeFraction = 1.5 }, nameof(PreparationParameters.HardNegativeFraction) },
        { Defaults with { NegativesPerPositive = 0, HardNegativesPerPositive = 0 }, nameof(PreparationParameters.NegativesPerPositive) },
        { Defaults with { HardNegativesPerPositive = 5 }, nameof(PreparationParameters.HardNegativesPerPositive) },
        { Defaults with { HardNegativesPerPositive = -1 }, nameof(PreparationParameters.HardNegativesPerPositive) },
        { Defaults with { EvaluationNegatives = 0 }, nameof(PreparationParameters.EvaluationNegatives) },
    };

    [Fact]
    public void Validate_WhenDefaults_ReturnsNoProblems()
    {
        Assert.Empty(Defaults.Validate());
    }

    [Fact]
    public void Defaults_WhenConstructed_MatchTheOriginal()
    {
        Assert.Equal(42UL, Defaults.Seed);
        Assert.Equal(0.015, Defaults.LikedFraction);
        Assert.Equal((1.3, 3.3), (Defaults.ExplorationAlpha, Defaults.ExplorationBeta));
        Assert.Equal((0.05, 0.7, 0.2, 5), (Defaults.ColdUserFraction, Defaults.TrainFraction, Defaults.ValidationFraction, Defaults.MinPositivesToSplit));
        Assert.Equal(100, Defaults.OwnershipCap);
        Assert.Equal((0.2, 4, 2, 50), (Defaults.HardNegativeFraction, Defaults.NegativesPerPositive, Defaults.HardNegativesPerPositive, Defaults.EvaluationNegatives));
    }

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Validate_WhenOneParameterInvalid_ReportsOneProblemNamingIt(PreparationParameters parameters, string name)
    {
        var problem = Assert.Single(parameters.Validate());

        Assert.Contains(name, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WhenTrainAndValidationSumToExactlyOne_IsValid()
    {
        Assert.Empty((Defaults with { TrainFraction = 0.7, ValidationFraction = 0.3 }).Validate());
    }

    [Fact]
    public void Validate_WhenSeveralInvalid_ReportsEach()
    {
        var parameters = Defaults with { OwnershipCap = 0, EvaluationNegatives = -1, LikedFraction = 2 };

        Assert.Equal(3, parameters.Validate().Count);
    }
}

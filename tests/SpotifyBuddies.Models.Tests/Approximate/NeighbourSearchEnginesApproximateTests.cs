using SpotifyBuddies.Models.Pairing;
using SpotifyBuddies.Models.Pairing.Approximate;

namespace SpotifyBuddies.Models.Tests.Approximate;

/// <summary>The approximate engine's half of <see cref="NeighbourSearchEngines"/>.</summary>
public sealed class NeighbourSearchEnginesApproximateTests
{
    [Fact]
    public void Create_WhenApproximateWithOptions_AppliesThem()
    {
        var settings = new NeighbourSearchSettings
        {
            Seed = 9,
            MaxDegreeOfParallelism = 1,
            Options = new Dictionary<string, string>
            {
                ["index"] = "/tmp/x.ann",
                ["ef"] = "250",
                ["m"] = "24",
                ["ef-construction"] = "120",
                ["dims"] = "64",
                ["vectors"] = "hashing",
                ["rebuild"] = "true",
            },
        };

        var engine = Assert.IsType<ApproximateNeighbourSearch>(NeighbourSearchEngines.Create("approximate", settings));

        Assert.Equal(
            new ApproximateSearchOptions
            {
                IndexPath = "/tmp/x.ann",
                EfSearch = 250,
                M = 24,
                EfConstruction = 120,
                Dimensions = 64,
                VectorMethod = UserVectorMethod.Hashing,
                Rebuild = true,
                Seed = 9,
                MaxDegreeOfParallelism = 1,
            },
            engine.Options);
    }

    [Theory]
    [InlineData("efs", "1")]
    [InlineData("ef", "many")]
    [InlineData("vectors", "pca")]
    [InlineData("m", "1")]
    public void Create_WhenAnOptionIsUnknownOrInvalid_ThrowsNamingIt(string name, string value)
    {
        var settings = new NeighbourSearchSettings { Options = new Dictionary<string, string> { [name] = value } };

        var error = Assert.Throws<ArgumentException>(() => NeighbourSearchEngines.Create("approximate", settings));

        Assert.Contains(name == "m" ? "M must be" : name, error.Message, StringComparison.Ordinal);
    }
}

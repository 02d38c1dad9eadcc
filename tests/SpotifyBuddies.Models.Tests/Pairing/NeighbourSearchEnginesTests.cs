using SpotifyBuddies.Models.Pairing;

namespace SpotifyBuddies.Models.Tests.Pairing;

public sealed class NeighbourSearchEnginesTests
{
    [Fact]
    public void Create_WhenExact_ReturnsTheExactEngine()
    {
        var engine = NeighbourSearchEngines.Create("exact", new NeighbourSearchSettings());

        Assert.IsType<ExactNeighbourSearch>(engine);
        Assert.Equal("exact", engine.Name);
    }

    [Fact]
    public void Create_WhenExactGetsAnOption_Throws()
    {
        var settings = new NeighbourSearchSettings { Options = new Dictionary<string, string> { ["ef"] = "10" } };

        Assert.Throws<ArgumentException>(() => NeighbourSearchEngines.Create("exact", settings));
    }

    [Fact]
    public void Create_WhenNameIsUnknown_ThrowsNamingTheEngines()
    {
        var error = Assert.Throws<ArgumentException>(() => NeighbourSearchEngines.Create("faiss", new NeighbourSearchSettings()));

        Assert.Contains("exact, approximate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_WhenApproximate_ReturnsThatEngineOrSaysItIsUnavailable()
    {
        try
        {
            var engine = NeighbourSearchEngines.Create("approximate", new NeighbourSearchSettings());
            Assert.Equal("approximate", engine.Name);
        }
        catch (NeighbourSearchUnavailableException ex)
        {
            Assert.Contains("--engine exact", ex.Message, StringComparison.Ordinal);
        }
    }
}

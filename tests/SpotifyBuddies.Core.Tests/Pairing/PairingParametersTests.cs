using SpotifyBuddies.Core.Pairing;

namespace SpotifyBuddies.Core.Tests.Pairing;

public sealed class PairingParametersTests
{
    [Fact]
    public void Validate_WhenDefaults_HasNoProblemsAndMatchesTheOriginal()
    {
        var defaults = new PairingParameters();

        Assert.Empty(defaults.Validate());
        Assert.Equal((100, 50, 20, 75, 42UL), (defaults.K, defaults.MinNeighbours, defaults.MinPlaylists, defaults.PoolSize, defaults.Seed));
        Assert.False(defaults.ShuffleCandidates);
    }

    [Fact]
    public void Validate_WhenValuesAreOutOfRange_NamesEachParameter()
    {
        var problems = new PairingParameters { K = 0, MinNeighbours = 0, MinPlaylists = -1, PoolSize = 0 }.Validate();

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("K ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("MinNeighbours", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("MinPlaylists", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("PoolSize", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_WhenMinPlaylistsIsZero_IsValid()
    {
        Assert.Empty(new PairingParameters { MinPlaylists = 0 }.Validate());
    }
}

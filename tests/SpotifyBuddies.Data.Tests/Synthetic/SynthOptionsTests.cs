using SpotifyBuddies.Data.Synthetic;

namespace SpotifyBuddies.Data.Tests.Synthetic;

public sealed class SynthOptionsTests
{
    [Theory]
    [InlineData("tiny", 300, 600, 4_000)]
    [InlineData("small", 5_000, 10_000, 40_000)]
    [InlineData("medium", 100_000, 200_000, 400_000)]
    [InlineData(" Small ", 5_000, 10_000, 40_000)]
    public void Preset_WhenNameIsKnown_ReturnsItsSizesWithTheDefaultSeed(string name, int users, int playlists, int songs)
    {
        var options = SynthOptions.Preset(name);

        Assert.Equal((users, playlists, songs, 0, 42UL), (options.Users, options.Playlists, options.Songs, options.Genres, options.Seed));
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Preset_WhenNameIsUnknown_ThrowsListingTheValidNames()
    {
        var error = Assert.Throws<ArgumentException>(() => SynthOptions.Preset("huge"));

        Assert.Contains("huge", error.Message, StringComparison.Ordinal);
        Assert.Contains("tiny, small, medium", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PresetNames_Always_ListsEveryPresetThatPresetAccepts()
    {
        Assert.Equal(["tiny", "small", "medium"], SynthOptions.PresetNames);
        Assert.All(SynthOptions.PresetNames, name => Assert.NotNull(SynthOptions.Preset(name)));
    }

    [Fact]
    public void Validate_WhenCountsAreNotPositive_ReportsEachOne()
    {
        var errors = new SynthOptions { Users = 0, Playlists = -3, Songs = 999, Genres = -1 }.Validate();

        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Users must be at least 1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Playlists must be at least 1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Songs must be at least 1000", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Genres must be 0 (auto) or positive", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_WhenCountsExceedTheMaximum_ReportsThem()
    {
        var errors = new SynthOptions { Users = SynthOptions.MaxCount + 1, Playlists = 1, Songs = 1_000 }.Validate();

        Assert.Equal("Users must be at most 20000000, but was 20000001.", Assert.Single(errors));
    }

    [Fact]
    public void Validate_WhenGenresLeaveTooFewSongsEach_ReportsIt()
    {
        var errors = new SynthOptions { Users = 10, Playlists = 10, Songs = 1_000, Genres = 11 }.Validate();

        Assert.Contains("at least 100 songs per genre", Assert.Single(errors), StringComparison.Ordinal);
        Assert.Empty((new SynthOptions { Users = 10, Playlists = 10, Songs = 1_000, Genres = 10 }).Validate());
    }

    [Theory]
    [InlineData("tiny", 7)]
    [InlineData("small", 28)]
    [InlineData("medium", 64)]
    public void ResolveGenres_WhenAuto_ScalesWithTheSize(string preset, int expected)
    {
        Assert.Equal(expected, SynthOptions.Preset(preset).ResolveGenres());
    }

    [Fact]
    public void ResolveGenres_WhenSongsAreFew_KeepsAtLeast300SongsPerGenre()
    {
        Assert.Equal(4, new SynthOptions { Users = 100_000, Playlists = 1, Songs = 1_200 }.ResolveGenres());
        Assert.Equal(9, new SynthOptions { Users = 10, Playlists = 1, Songs = 1_000, Genres = 9 }.ResolveGenres());
    }
}

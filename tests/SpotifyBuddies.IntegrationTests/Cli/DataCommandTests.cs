namespace SpotifyBuddies.IntegrationTests.Cli;

public sealed class DataCommandTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("quickstart", "--help")]
    [InlineData("data", "--help")]
    [InlineData("data", "synth", "--help")]
    [InlineData("data", "inspect", "--help")]
    public async Task Help_WhenAsked_ExplainsTheCommandAndExitsZero(params string[] args)
    {
        var result = await BuddiesProcess.RunAsync(args);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Usage:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Options:", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Synth_WhenOptionIsUnknown_ExitsOneWithTheOptionNamed()
    {
        var result = await BuddiesProcess.RunAsync("data", "synth", "--out", "x", "--bogus");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--bogus", result.Stderr + result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Synth_WhenPresetIsUnknown_ExitsOne()
    {
        var result = await BuddiesProcess.RunAsync("data", "synth", "--out", "x", "--preset", "huge");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("huge", result.Stderr + result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SynthThenInspect_WhenDataIsValid_ReadBackCountsMatchWhatWasWritten()
    {
        using var dir = new TempDir();

        var synth = await BuddiesProcess.RunAsync("data", "synth", "--out", dir.Sub("d"), "--preset", "tiny", "--json");
        Assert.True(synth.ExitCode == 0, synth.ToString());
        var written = synth.Json();

        var inspect = await BuddiesProcess.RunAsync("data", "inspect", dir.Sub("d"), "--json");
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        var read = inspect.Json();

        Assert.Equal(written.GetProperty("playlists").GetInt64(), read.GetProperty("playlists").GetInt64());
        Assert.Equal(written.GetProperty("playlist_tracks").GetInt64(), read.GetProperty("playlist_tracks").GetInt64());
        Assert.Equal(written.GetProperty("triplet_rows").GetInt64(), read.GetProperty("triplet_rows").GetInt64());
        Assert.Equal(written.GetProperty("users").GetInt64(), read.GetProperty("users").GetInt64());
        Assert.InRange(read.GetProperty("shared_song_keys").GetInt64(), 1, read.GetProperty("entp_song_keys").GetInt64() - 1);
        Assert.Equal(0, read.GetProperty("skipped_records").GetInt64());
    }

    [Fact]
    public async Task Synth_WhenOutputExistsWithoutForce_RefusesAndKeepsIt()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.Sub("d"));
        await File.WriteAllTextAsync(dir.Sub("d", "keep.txt"), "mine");

        var result = await BuddiesProcess.RunAsync("data", "synth", "--out", dir.Sub("d"), "--preset", "tiny");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--force", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("mine", await File.ReadAllTextAsync(dir.Sub("d", "keep.txt")));
    }

    [Fact]
    public async Task Inspect_WhenSliceIsTruncated_ExitsOneNamingFileAndLine_AndSkipBadCountsIt()
    {
        using var dir = new TempDir();
        var synth = await BuddiesProcess.RunAsync("data", "synth", "--out", dir.Sub("d"), "--preset", "tiny");
        Assert.True(synth.ExitCode == 0, synth.ToString());
        var slice = Directory.GetFiles(dir.Sub("d", "mpd"), "mpd.slice.*.json", SearchOption.AllDirectories).Order().First();
        var bytes = await File.ReadAllBytesAsync(slice);
        await File.WriteAllBytesAsync(slice, bytes[..(bytes.Length / 2)]);

        var strict = await BuddiesProcess.RunAsync("data", "inspect", dir.Sub("d"));
        Assert.Equal(1, strict.ExitCode);
        Assert.Contains(Path.GetFileName(slice) + ":", strict.Stderr, StringComparison.Ordinal);
        Assert.Contains("--skip-bad", strict.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", strict.Stderr, StringComparison.Ordinal);

        var lenient = await BuddiesProcess.RunAsync("data", "inspect", dir.Sub("d"), "--skip-bad", "--json");
        Assert.True(lenient.ExitCode == 0, lenient.ToString());
        Assert.True(lenient.Json().GetProperty("skipped_records").GetInt64() >= 1, lenient.Stdout);
    }

    [Fact]
    public async Task Inspect_WhenInputsAreMissing_ExitsOneListingEveryMissingInput()
    {
        using var dir = new TempDir();

        var result = await BuddiesProcess.RunAsync("data", "inspect", dir.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("MPD", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("train_triplets.txt", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("MSD", result.Stderr, StringComparison.Ordinal);
    }
}

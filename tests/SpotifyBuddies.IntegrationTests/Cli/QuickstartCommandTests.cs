namespace SpotifyBuddies.IntegrationTests.Cli;

public sealed class QuickstartCommandTests
{
    [Fact]
    public async Task Quickstart_WhenRunTwice_SucceedsBothTimesAndReadsBackEverythingItGenerated()
    {
        using var dir = new TempDir();

        for (var run = 0; run < 2; run++)
        {
            var result = await BuddiesProcess.RunAsync("quickstart", "--preset", "tiny", "--out", dir.Sub("q"), "--json");

            Assert.True(result.ExitCode == 0, result.ToString());
            var json = result.Json();
            var synth = json.GetProperty("synth");
            var raw = json.GetProperty("raw");
            Assert.Equal(synth.GetProperty("playlists").GetInt64(), raw.GetProperty("playlists").GetInt64());
            Assert.Equal(synth.GetProperty("triplet_rows").GetInt64(), raw.GetProperty("triplet_rows").GetInt64());
            Assert.True(raw.GetProperty("users_with_shared_songs").GetInt64() > 0);

            var training = json.GetProperty("training");
            Assert.Equal(5, training.GetProperty("history").GetArrayLength());
            Assert.True(File.Exists(Path.Combine(dir.Sub("q", "model"), "model.json")));
            var version = training.GetProperty("model_version");
            Assert.Equal("spotify-buddies-bpr", version.GetProperty("name").GetString());
            Assert.Equal((run + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), version.GetProperty("version").GetString());
            Assert.Contains("staging", version.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));
            Assert.Equal(training.GetProperty("run_id").GetString(), version.GetProperty("run_id").GetString());
        }
    }
}

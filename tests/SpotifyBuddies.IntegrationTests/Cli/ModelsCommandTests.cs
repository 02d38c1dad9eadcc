using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Infrastructure.Artifacts;
using SpotifyBuddies.Infrastructure.Tracking;

namespace SpotifyBuddies.IntegrationTests.Cli;

/// <summary>
/// <c>buddies models list|alias</c> as a process on a local registry: the one two <c>buddies train</c> runs registered
/// into, and, for the alias round trips, one filled through the <see cref="LocalTracker"/> API (a model "bpr" with two
/// versions, each from its own run).
/// </summary>
public sealed class ModelsCommandTests(TrackedRunsFixture trained) : IClassFixture<TrackedRunsFixture>, IDisposable
{
    private readonly TempDir _dir = new();

    private string[] Store => ["--tracking", _dir.Sub("tracking"), "--artifacts", _dir.Sub("artifacts")];

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task List_AfterTraining_ShowsAVersionPerRunWithStagingOnTheNewest()
    {
        var result = await BuddiesProcess.RunAsync(["models", "list", .. trained.Store, "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var model = Assert.Single(result.Json().EnumerateArray());
        Assert.Equal("spotify-buddies-bpr", model.GetProperty("name").GetString());
        var versions = model.GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal(["2", "1"], versions.Select(v => v.GetProperty("version").GetString()));
        Assert.Equal(
            [trained.TwoEpochs.GetProperty("run_id").GetString(), trained.ThreeEpochs.GetProperty("run_id").GetString()],
            versions.Select(v => v.GetProperty("run_id").GetString()));
        Assert.Equal(["staging"], versions[0].GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));
        Assert.Empty(versions[1].GetProperty("aliases").EnumerateArray());
        Assert.EndsWith("/model", versions[0].GetProperty("source").GetString(), StringComparison.Ordinal);

        var staging = await BuddiesProcess.RunAsync(["models", "alias", "spotify-buddies-bpr", "staging", .. trained.Store, "--json"]);
        Assert.True(staging.ExitCode == 0, staging.ToString());
        Assert.Equal("2", staging.Json().GetProperty("version").GetString());
    }

    [Fact]
    public async Task List_ShowsEveryVersionWithItsRunSourceAndAliases()
    {
        var runIds = await RegisterTwoVersionsAsync();
        await Registry().SetAliasAsync("bpr", ModelAliases.Champion, "1");

        var result = await BuddiesProcess.RunAsync(["models", "list", .. Store, "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var model = Assert.Single(result.Json().EnumerateArray());
        Assert.Equal("bpr", model.GetProperty("name").GetString());
        Assert.Equal("1", model.GetProperty("aliases").GetProperty("champion").GetString());
        var versions = model.GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal(["2", "1"], versions.Select(v => v.GetProperty("version").GetString()));
        Assert.Equal([runIds[1], runIds[0]], versions.Select(v => v.GetProperty("run_id").GetString()));
        Assert.Equal($"runs:/{runIds[0]}/model", versions[1].GetProperty("source").GetString());
        Assert.Equal(["champion"], versions[1].GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));

        var table = await BuddiesProcess.RunAsync(["models", "list", .. Store]);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(runIds[0], table.Stdout, StringComparison.Ordinal);
        Assert.Contains("champion", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alias_SetShowMoveAndDelete_RoundTrips()
    {
        await RegisterTwoVersionsAsync();

        var set = await BuddiesProcess.RunAsync(["models", "alias", "bpr", "staging", "1", .. Store, "--json"]);
        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Equal("1", set.Json().GetProperty("version").GetString());
        Assert.Equal("1", await ShowAsync("staging"));

        var moved = await BuddiesProcess.RunAsync(["models", "alias", "bpr", "staging", "2", .. Store]);
        Assert.True(moved.ExitCode == 0, moved.ToString());
        Assert.Contains("bpr@staging → version 2", moved.Stdout, StringComparison.Ordinal);
        Assert.Equal("2", await ShowAsync("staging"));
        Assert.Equal("2", (await Registry().GetVersionByAliasAsync("bpr", "staging"))?.Version);

        var deleted = await BuddiesProcess.RunAsync(["models", "alias", "bpr", "staging", "--delete", .. Store]);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Null(await Registry().GetVersionByAliasAsync("bpr", "staging"));

        var unset = await BuddiesProcess.RunAsync(["models", "alias", "bpr", "staging", .. Store]);
        Assert.Equal(1, unset.ExitCode);
        Assert.Contains("model 'bpr' has no alias 'staging'", unset.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alias_AnyValidNameWorks_ReservedOnesAreRefused()
    {
        await RegisterTwoVersionsAsync();

        var custom = await BuddiesProcess.RunAsync(["models", "alias", "bpr", "shadow-test_2", "2", .. Store]);
        Assert.True(custom.ExitCode == 0, custom.ToString());
        Assert.Equal("2", await ShowAsync("shadow-test_2"));

        var reserved = await BuddiesProcess.RunAsync(["models", "alias", "bpr", "latest", "2", .. Store]);
        Assert.Equal(1, reserved.ExitCode);
        Assert.Contains("latest", reserved.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", reserved.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bpr", "9", "version=9")]
    [InlineData("nope", "1", "no registered model 'nope'")]
    public async Task Alias_OfAnUnknownModelOrVersion_ExitsOneNamingIt(string model, string version, string expected)
    {
        await RegisterTwoVersionsAsync();

        var result = await BuddiesProcess.RunAsync(["models", "alias", model, "staging", version, .. Store]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        Assert.Null(await Registry().GetVersionByAliasAsync("bpr", "staging"));
    }

    [Fact]
    public async Task Alias_WithAVersionAndDelete_IsRefused()
    {
        await RegisterTwoVersionsAsync();

        var result = await BuddiesProcess.RunAsync(["models", "alias", "bpr", "staging", "1", "--delete", .. Store]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not both", result.Stderr, StringComparison.Ordinal);
    }

    private async Task<string?> ShowAsync(string alias)
    {
        var show = await BuddiesProcess.RunAsync(["models", "alias", "bpr", alias, .. Store, "--json"]);
        Assert.True(show.ExitCode == 0, show.ToString());
        return show.Json().GetProperty("version").GetString();
    }

    /// <summary>Model "bpr" with versions 1 and 2, from two runs; returns the run ids.</summary>
    private async Task<string[]> RegisterTwoVersionsAsync()
    {
        var tracker = Registry();
        var experiment = await tracker.GetOrCreateExperimentAsync("spotify-buddies");
        await tracker.GetOrCreateModelAsync("bpr", "BPR ranking model");
        var runIds = new string[2];
        for (var i = 0; i < runIds.Length; i++)
        {
            var run = await tracker.CreateRunAsync(new NewRun { ExperimentId = experiment.Id, RunName = $"bpr-{i + 1}" });
            runIds[i] = run.RunId;
            await tracker.CreateVersionAsync("bpr", $"runs:/{run.RunId}/model", run.RunId);
        }

        return runIds;
    }

    private LocalTracker Registry() =>
        new(new LocalTrackerOptions { Root = _dir.Sub("tracking") }, new LocalDirectoryArtifactStore(_dir.Sub("artifacts")));
}

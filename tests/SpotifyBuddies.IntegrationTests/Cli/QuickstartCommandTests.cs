using System.Text.Json;

namespace SpotifyBuddies.IntegrationTests.Cli;

/// <summary>
/// The README's first command end to end: <c>buddies quickstart</c> runs the sample-data and weekly-retrain workflows
/// through the engine (SQLite + in-memory Hangfire) on generated data; the model must beat the popularity baseline and
/// be registered; a second run compares with the first run's champion and only moves <c>staging</c>.
/// </summary>
public sealed class QuickstartCommandTests
{
    [Fact]
    public async Task Quickstart_RunsWeeklyRetrainThroughTheEngine_AndASecondRunComparesWithTheChampion()
    {
        using var dir = new TempDir();

        var first = await QuickstartAsync(dir);
        var evaluate = Outputs(first, "evaluate");
        Assert.True(evaluate.GetProperty("passed").GetBoolean());
        Assert.True(evaluate.GetProperty("test_mrr").GetDouble() > evaluate.GetProperty("popularity_mrr").GetDouble());
        Assert.Equal(JsonValueKind.Null, evaluate.GetProperty("champion_version").ValueKind);
        var register = Outputs(first, "register");
        Assert.Equal("1", register.GetProperty("version").GetString());
        Assert.Equal(["champion", "staging"], register.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()).Order());
        Assert.Contains(Outputs(first, "train").GetProperty("run_id").GetString()!, register.GetProperty("source").GetString(), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Outputs(first, "train").GetProperty("model_dir").GetString()!, "model.json")));

        var second = await QuickstartAsync(dir);
        var compared = Outputs(second, "evaluate");
        Assert.Equal("1", compared.GetProperty("champion_version").GetString());
        Assert.True(compared.GetProperty("champion_mrr").GetDouble() > 0);
        var registered = Outputs(second, "register");
        Assert.Equal("2", registered.GetProperty("version").GetString());
        Assert.Equal(["staging"], registered.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));

        var runs = await BuddiesProcess.RunAsync(
            new Dictionary<string, string> { ["BUDDIES_WORKFLOWS__SQLITEPATH"] = dir.Sub("q", "buddies.db") },
            ["workflow", "runs", "--workflow", "weekly-retrain", "--json"]);
        Assert.True(runs.ExitCode == 0, runs.ToString());
        Assert.Equal(2, runs.Json().GetArrayLength());
    }

    private static async Task<JsonElement> QuickstartAsync(TempDir dir)
    {
        var result = await BuddiesProcess.RunAsync("quickstart", "--preset", "small", "--out", dir.Sub("q"), "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        var retrain = result.Json().GetProperty("weekly_retrain");
        Assert.Equal("succeeded", retrain.GetProperty("status").GetString());
        Assert.Equal(
            ["evaluate", "pair", "prepare", "register", "train"],
            retrain.GetProperty("steps").EnumerateArray().Where(s => s.GetProperty("status").GetString() == "succeeded").Select(s => s.GetProperty("id").GetString()).Order());
        return retrain;
    }

    private static JsonElement Outputs(JsonElement run, string step) =>
        run.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("id").GetString() == step && s.GetProperty("item").ValueKind == JsonValueKind.Null).GetProperty("outputs");
}

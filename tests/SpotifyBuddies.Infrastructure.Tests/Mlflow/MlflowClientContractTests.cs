using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Infrastructure.Mlflow;

namespace SpotifyBuddies.Infrastructure.Tests.Mlflow;

/// <summary>
/// Recorded behaviours the behavioural suite cannot drive through an exact replay: each test answers the client with
/// the recorded response(s) and checks how the client reads them and what it sent.
/// </summary>
public sealed class MlflowClientContractTests
{
    public static IEnumerable<object[]> Versions => RecordedSession.Versions;

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task GetOrCreateExperiment_WhenCreated_ReadsTheNewExperimentById(string version)
    {
        var session = RecordedSession.Load(version);
        var stub = StubMlflowHandler.Recorded(session, "E01", "E02", "E05");

        var experiment = await stub.Client().GetOrCreateExperimentAsync("fixture-experiment");

        Assert.Equal(new Experiment("1", "fixture-experiment", "mlflow-artifacts:/1", "active"), experiment);
        Assert.Equal(["/api/2.0/mlflow/experiments/get-by-name", "/api/2.0/mlflow/experiments/create", "/api/2.0/mlflow/experiments/get"], stub.Requests.Select(r => r.Path));
        Assert.Equal("""{"name":"fixture-experiment"}""", stub.Requests[1].Text);
        Assert.Equal("application/json", stub.Requests[1].ContentType);
        Assert.Equal("?experiment_id=1", stub.Requests[2].Uri.Query);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task DeleteExperiment_WhenAlreadyDeleted_ThrowsNotFoundWithTheServerMessage(string version)
    {
        var replay = new MlflowReplayHandler(RecordedSession.Load(version), ["E01", "E03", "E04", "E06", "E09"]);
        var client = new MlflowClient(new HttpClient(replay), Options.Create(new MlflowOptions { TrackingUri = "http://mlflow.test/" }));
        var experiment = await client.GetOrCreateExperimentAsync("fixture-experiment");

        await client.DeleteExperimentAsync(experiment.Id);
        var error = await Assert.ThrowsAsync<TrackingNotFoundException>(() => client.DeleteExperimentAsync(experiment.Id));

        Assert.Equal("No Experiment with id=1 exists", error.Message);
        replay.AssertComplete();
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task SearchRuns_WhenTheServerRefusesTheFilter_ThrowsWithItsCodeAndMessage(string version)
    {
        var session = RecordedSession.Load(version);
        var stub = StubMlflowHandler.Recorded(session, "R31");

        var error = await Assert.ThrowsAsync<TrackingException>(() => stub.Client().SearchRunsAsync(new RunQuery
        {
            ExperimentIds = ["3"],
            Filter = "params.factors = '32' OR params.factors = '64'",
        }));

        Assert.Equal("INVALID_PARAMETER_VALUE", error.ErrorCode);
        Assert.Equal("Invalid clause(s) in filter string: 'OR'", error.Message);
        var sent = stub.Requests.Single().Json;
        Assert.Equal("params.factors = '32' OR params.factors = '64'", sent.GetProperty("filter").GetString());
        Assert.Equal("ACTIVE_ONLY", sent.GetProperty("run_view_type").GetString());
        Assert.Equal(100, sent.GetProperty("max_results").GetInt32());
        Assert.False(sent.TryGetProperty("page_token", out _));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task SearchRuns_WithMaxResultsOverTheServerLimit_IsRefusedWithoutARequest(string version)
    {
        var stub = StubMlflowHandler.Recorded(RecordedSession.Load(version), "T14");

        var error = await Assert.ThrowsAsync<TrackingException>(() => stub.Client().SearchRunsAsync(new RunQuery { ExperimentIds = ["3"], MaxResults = 50_001 }));

        Assert.Equal("INVALID_PARAMETER_VALUE", error.ErrorCode);
        Assert.Empty(stub.Requests);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task GetMetricHistory_OfAnUnknownKey_ReadsTheEmptyAnswerAndAlwaysSendsMaxResults(string version)
    {
        var stub = StubMlflowHandler.Recorded(RecordedSession.Load(version), "R37");

        var history = await stub.Client().GetMetricHistoryAsync("acedde1ba1da49d3869e23dbd5b129a5", "nope");

        Assert.Empty(history);
        Assert.Equal("?run_id=acedde1ba1da49d3869e23dbd5b129a5&metric_key=nope&max_results=25000", stub.Requests.Single().Uri.Query);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task GetMetricHistory_FollowsPageTokens(string version)
    {
        var session = RecordedSession.Load(version);
        var page = session["R33"].ResponseJson!.Value.GetRawText();
        var withToken = page.TrimEnd().TrimEnd('}') + ",\"next_page_token\":\"tok\"}";
        var stub = new StubMlflowHandler((_, i) => StubMlflowHandler.Json(i == 0 ? withToken : page));

        var history = await stub.Client().GetMetricHistoryAsync("r", "val_mrr");

        Assert.Equal(10, history.Count);
        Assert.Equal(2, stub.Requests.Count);
        Assert.EndsWith("&max_results=25000&page_token=tok", stub.Requests[1].Uri.Query, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task LogBatch_WithATagLongerThan5000_AsksTheVersionAndRefusesItOnlyWhereTheServerWouldTruncate(string version)
    {
        var session = RecordedSession.Load(version);
        var stub = new StubMlflowHandler((r, _) => r.Path == "/version" ? StubMlflowHandler.Response(session["T02"]) : StubMlflowHandler.Response(session["R19"]));
        var client = stub.Client();
        var tag = new KeyValuePair<string, string>("long_tag", new string('y', 6000));

        var attempt = Record.ExceptionAsync(() => client.LogBatchAsync("run", tags: [tag]));
        var error = await attempt;

        if (version == RecordedSession.V2_12_2)
        {
            // R16b: 2.12.2 keeps 5000 characters of a tag and says nothing, so the client refuses.
            var refused = Assert.IsType<TrackingException>(error);
            Assert.Contains("5000", refused.Message, StringComparison.Ordinal);
            Assert.Equal(["/version"], stub.Requests.Select(r => r.Path));
        }
        else
        {
            Assert.Null(error);
            Assert.Equal(["/version", "/api/2.0/mlflow/runs/log-batch"], stub.Requests.Select(r => r.Path));
            Assert.Equal(6000, stub.Requests[1].Json.GetProperty("tags")[0].GetProperty("value").GetString()!.Length);
        }
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task DownloadArtifacts_WhenTheServerAnswers500_SurfacesItsMessage(string version)
    {
        // The file is listed (A06) but the GET fails as a missing file does (A13: 500, not 404).
        var session = RecordedSession.Load(version);
        var runId = session.Bindings["artifacts.run_id"];
        var stub = StubMlflowHandler.Recorded(session, "R05", "A06", "A13");
        using var temp = new Tracking.TempDirectory();
        var target = Path.Combine(temp.Path, "model.json");

        var error = await Assert.ThrowsAsync<TrackingException>(() => stub.Client().DownloadArtifactsAsync(runId, "model/model.json", target));

        Assert.Equal("INTERNAL_ERROR", error.ErrorCode);
        Assert.Contains("No such file or directory", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.EnumerateFiles(temp.Path)); // no partial download left behind
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task ListArtifacts_OfARunNotSeenBefore_ReadsItsArtifactUriFirst(string version)
    {
        var session = RecordedSession.Load(version);
        var runId = session.Bindings["artifacts.run_id"];
        var stub = StubMlflowHandler.Recorded(session, "R05", "A06");

        var listed = await stub.Client().ListArtifactsAsync(runId, "model");

        Assert.Equal(["model/model.json", "model/weights.bin"], listed.Select(a => a.Path));
        Assert.Equal($"?run_id={runId}", stub.Requests[0].Uri.Query);
        Assert.Equal(session["A06"].Query.Single().Value, Uri.UnescapeDataString(stub.Requests[1].Uri.Query["?path=".Length..]));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task GetVersionByAlias_WhenTheRouteIsNotMlflows_ThrowsInsteadOfReturningNull(string version)
    {
        // G14/T11: a 404 HTML page means a wrong URL (or a server without aliases), not an unset alias.
        var stub = StubMlflowHandler.Recorded(RecordedSession.Load(version), "G14");

        var error = await Assert.ThrowsAsync<TrackingException>(() => stub.Client().GetVersionByAliasAsync("fixture-bpr", "staging"));

        Assert.IsNotType<TrackingNotFoundException>(error);
        Assert.Equal("HTTP_404", error.ErrorCode);
        Assert.Contains("TrackingUri", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task GetVersionByAlias_OfAnUnknownModel_IsNull(string version)
    {
        var stub = StubMlflowHandler.Recorded(RecordedSession.Load(version), "G01"); // 404 RESOURCE_DOES_NOT_EXIST (JSON)

        Assert.Null(await stub.Client().GetVersionByAliasAsync("fixture-bpr", "champion"));
        Assert.Equal("?name=fixture-bpr&alias=champion", stub.Requests.Single().Uri.Query);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task WrongMethodOrRoute_BecomesATrackingExceptionNamingTheStatus(string version)
    {
        var stub = StubMlflowHandler.Recorded(RecordedSession.Load(version), "T12");

        var error = await Assert.ThrowsAsync<TrackingException>(() => stub.Client().GetRunAsync("x"));

        Assert.Equal("HTTP_405", error.ErrorCode);
        Assert.Contains("runs/get", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task ListModels_ReadsRegisteredModelsWithAliases(string version)
    {
        var stub = StubMlflowHandler.Recorded(RecordedSession.Load(version), "G29");

        var models = await stub.Client().ListModelsAsync();

        var model = Assert.Single(models);
        Assert.Equal("fixture-bpr", model.Name);
        Assert.Equal("BPR recommender", model.Description);
        Assert.Equal(new Dictionary<string, string> { ["champion"] = "2" }, model.Aliases);
        Assert.Equal("/api/2.0/mlflow/registered-models/search", stub.Requests.Single().Path);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task ListVersions_FollowsTheSearchPageToken(string version)
    {
        // Page 1 is G27 (v3 and a token); page 2 is the rest of G26 (v2, v1), with no token.
        var session = RecordedSession.Load(version);
        var rest = JsonNode.Parse(session["G26"].ResponseJson!.Value.GetRawText())!.AsObject();
        rest["model_versions"]!.AsArray().RemoveAt(0);
        var stub = new StubMlflowHandler((_, i) => i == 0 ? StubMlflowHandler.Response(session["G27"]) : StubMlflowHandler.Json(rest.ToJsonString()));

        var versions = await stub.Client().ListVersionsAsync("fixture-bpr");

        Assert.Equal(["3", "2", "1"], versions.Select(v => v.Version));
        Assert.Equal(2, stub.Requests.Count);
        Assert.Equal("filter=name%3D%27fixture-bpr%27", stub.Requests[0].Uri.Query.TrimStart('?'));
        Assert.EndsWith("&page_token=eyJvZmZzZXQiOiAxfQ%3D%3D", stub.Requests[1].Uri.Query, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task ParsedRun_CarriesEveryRecordedField(string version)
    {
        var session = RecordedSession.Load(version);
        var stub = StubMlflowHandler.Recorded(session, "R23");
        var runId = session.Bindings["runs.child_run_id_a"];

        var run = await stub.Client().GetRunAsync(runId);

        Assert.Equal(runId, run.RunId);
        Assert.Equal("3", run.ExperimentId);
        Assert.Equal($"mlflow-artifacts:/3/{runId}/artifacts", run.ArtifactUri);
        Assert.Equal(session.Bindings["runs.parent_run_id"], run.ParentRunId);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_006_000), run.EndTime);
        var json = session["R23"].ResponseJson!.Value.GetProperty("run").GetProperty("data");
        Assert.Equal(json.GetProperty("tags").GetArrayLength(), run.Tags.Count);
        Assert.Equal(json.GetProperty("params").GetArrayLength(), run.Params.Count);
        Assert.Equal(JsonValueKind.Array, json.GetProperty("metrics").ValueKind);
    }
}

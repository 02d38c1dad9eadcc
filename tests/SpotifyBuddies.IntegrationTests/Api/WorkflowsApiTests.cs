using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Mvc.Testing;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cronos;

namespace SpotifyBuddies.IntegrationTests.Api;

[Collection(WorkflowsApiTestGroup.Name)]
public sealed class WorkflowsApiTests(WorkflowsApiFactory factory)
{
    [Fact]
    public async Task ListWorkflows_ReturnsEachWorkflowWithItsScheduleNextRunAndLastRun()
    {
        using var client = factory.CreateClient();
        var started = await StartAsync(client, "echo", """{"parameters": {"message": "for the list"}}""");
        await WaitForEndAsync(client, started);

        var workflows = await GetJsonAsync(client, "/api/workflows");

        var names = workflows.AsArray().Select(w => (string)w!["name"]!).ToList();
        Assert.Equal(["alerting", "echo", "flaky", "gated"], names);
        var echo = workflows.AsArray().Single(w => (string)w!["name"]! == "echo")!;
        Assert.Equal("Echoes a message.", (string)echo["description"]!);
        Assert.Matches("^[0-9a-f]{64}$", (string)echo["definition_hash"]!);
        Assert.Equal(TestWorkflows.ScheduleCron, (string)echo["schedule"]!["cron"]!);
        Assert.Equal(TestWorkflows.ScheduleZone, (string)echo["schedule"]!["timezone"]!);
        var expectedNext = CronExpression.Parse(TestWorkflows.ScheduleCron)
            .GetNextOccurrence(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById(TestWorkflows.ScheduleZone));
        Assert.Equal(expectedNext, echo["next_scheduled_run"]!.GetValue<DateTimeOffset>());
        Assert.NotNull(echo["last_run"]);
        Assert.Equal("succeeded", (string)echo["last_run"]!["status"]!);
        var gated = workflows.AsArray().Single(w => (string)w!["name"]! == "gated")!;
        Assert.Null(gated["schedule"]);
        Assert.Null(gated["next_scheduled_run"]);
    }

    [Fact]
    public async Task GetWorkflow_ReturnsSourceParsedDefinitionAndTheDescriptorsOfItsSteps()
    {
        using var client = factory.CreateClient();

        var workflow = await GetJsonAsync(client, "/api/workflows/echo");

        Assert.Equal("echo", (string)workflow["name"]!);
        Assert.Contains("uses: test.echo", (string)workflow["source"]!, StringComparison.Ordinal);
        Assert.Equal("say", (string)workflow["definition"]!["steps"]![0]!["id"]!);
        Assert.Equal("allow", (string)workflow["definition"]!["concurrency"]!);
        var step = Assert.Single(workflow["steps"]!.AsArray())!;
        Assert.Equal("test.echo", (string)step["name"]!);
        Assert.Equal("object", (string)step["input_schema"]!["type"]!);
        Assert.Equal("string", (string)step["input_schema"]!["properties"]!["message"]!["type"]!);
        Assert.Equal("string", (string)step["output_schema"]!["properties"]!["message"]!["type"]!);
    }

    [Fact]
    public async Task GetWorkflow_WhenUnknown_Returns404ProblemDetailsNamingIt()
    {
        using var client = factory.CreateClient();

        var response = await client.GetAsync(new Uri("/api/workflows/nope", UriKind.Relative));

        var problem = await AssertProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Contains("'nope'", (string)problem["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListSteps_ReturnsTheCatalogWithSchemas()
    {
        using var client = factory.CreateClient();

        var steps = (await GetJsonAsync(client, "/api/steps")).AsArray();

        var names = steps.Select(s => (string)s!["name"]!).ToList();
        Assert.Contains("test.echo", names);
        Assert.Contains("training.bpr", names);
        Assert.All(steps, s => Assert.Equal("object", (string)s!["input_schema"]!["type"]!));
    }

    [Fact]
    public async Task StartRun_Returns202WithLocation_AndTheRunCompletesWithTheStepsOutputsAndLogs()
    {
        using var client = factory.CreateClient();

        using var response = await PostAsync(client, "/api/workflows/echo/runs", """{"parameters": {"message": "hi there"}}""", WorkflowsApiFactory.SecondKey);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var run = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var id = (string)run["id"]!;
        Assert.Equal($"/api/runs/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("manual", (string)run["trigger"]!["kind"]!);
        Assert.Equal("api-key-2", (string)run["trigger"]!["actor"]!);
        Assert.Equal("hi there", (string)run["parameters"]!["message"]!);

        var finished = await WaitForEndAsync(client, id);

        Assert.Equal("succeeded", (string)finished["status"]!);
        var step = Assert.Single(finished["steps"]!.AsArray())!;
        Assert.Equal("say", (string)step["step_id"]!);
        Assert.Null(step["item"]);
        Assert.Equal("succeeded", (string)step["status"]!);
        Assert.Equal(1, (int)step["attempt"]!);
        Assert.Equal("hi there", (string)step["inputs"]!["message"]!);
        Assert.Equal("hi there", (string)step["outputs"]!["message"]!);
        Assert.Contains("saying 'hi there'", (string)step["logs"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartRun_WithoutBody_UsesTheDefaults()
    {
        using var client = factory.CreateClient();

        var id = await StartAsync(client, "echo", body: null);

        var finished = await WaitForEndAsync(client, id);
        Assert.Equal("hello", (string)finished["steps"]![0]!["outputs"]!["message"]!);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key-0123456789abcdef")]
    public async Task StartRun_WithoutAValidKey_Returns401ProblemDetailsAndStartsNothing(string? key)
    {
        using var client = factory.CreateClient();
        var before = (await GetJsonAsync(client, "/api/runs?workflow=echo&limit=1000")).AsArray().Count;

        using var response = await PostAsync(client, "/api/workflows/echo/runs", "{}", key);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        Assert.Equal(before, (await GetJsonAsync(client, "/api/runs?workflow=echo&limit=1000")).AsArray().Count);
    }

    [Fact]
    public async Task StartRun_WithTheKeyAsBearer_IsAccepted()
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/workflows/echo/runs") { Content = Json("{}") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", WorkflowsApiFactory.Key);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task StartRun_WithAParameterOfTheWrongType_Returns400ProblemDetailsNamingIt()
    {
        using var client = factory.CreateClient();

        using var response = await PostAsync(client, "/api/workflows/echo/runs", """{"parameters": {"times": "many"}}""", WorkflowsApiFactory.Key);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("times", problem["errors"]!["parameters"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartRun_WithMalformedJson_Returns400ProblemDetails()
    {
        using var client = factory.CreateClient();

        using var response = await PostAsync(client, "/api/workflows/echo/runs", """{"parameters": {"message": """, WorkflowsApiFactory.Key);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("JSON", (string)problem["detail"]!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task StartRun_ForAnUnknownWorkflow_Returns404ProblemDetails()
    {
        using var client = factory.CreateClient();

        using var response = await PostAsync(client, "/api/workflows/nope/runs", "{}", WorkflowsApiFactory.Key);

        await AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Gated_WhileARunIsActive_RefusesASecondRunWith409_ThenCancelEndsIt_AndASecondCancelIs409()
    {
        using var client = factory.CreateClient();
        WaitStep.Reset();
        var id = await StartAsync(client, "gated", "{}");
        await WaitForAsync(client, id, run => (string)run["steps"]!.AsArray().FirstOrDefault()?["status"]! == "running");

        using (var second = await PostAsync(client, "/api/workflows/gated/runs", "{}", WorkflowsApiFactory.Key))
        {
            await AssertProblemAsync(second, HttpStatusCode.Conflict);
        }

        using (var cancel = await PostAsync(client, $"/api/runs/{id}/cancel", """{"reason": "test over"}""", WorkflowsApiFactory.Key))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }

        var ended = await WaitForEndAsync(client, id);
        Assert.Equal("cancelled", (string)ended["status"]!);
        using var again = await PostAsync(client, $"/api/runs/{id}/cancel", "{}", WorkflowsApiFactory.Key);
        await AssertProblemAsync(again, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Retry_OfASucceededRun_Returns409ProblemDetails()
    {
        using var client = factory.CreateClient();
        var id = await StartAsync(client, "echo", "{}");
        await WaitForEndAsync(client, id);

        using var response = await PostAsync(client, $"/api/runs/{id}/retry", null, WorkflowsApiFactory.Key);

        await AssertProblemAsync(response, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Retry_OfAFailedRun_Returns202AndResumesFromTheFailedStepOnly()
    {
        using var client = factory.CreateClient();
        FlakyStep.Failing = true;
        var id = await StartAsync(client, "flaky", null);
        var failed = await WaitForEndAsync(client, id);
        Assert.Equal("failed", (string)failed["status"]!);
        var firstFinished = (string)Step(failed, "first")["finished_at"]!;
        Assert.Contains("flaky step failing on purpose", (string)Step(failed, "wobble")["error"]!, StringComparison.Ordinal);

        FlakyStep.Failing = false;
        using var response = await PostAsync(client, $"/api/runs/{id}/retry", null, WorkflowsApiFactory.Key);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"/api/runs/{id}", response.Headers.Location?.OriginalString);
        var retried = await WaitForEndAsync(client, id);
        Assert.Equal("succeeded", (string)retried["status"]!);
        Assert.Equal(firstFinished, (string)Step(retried, "first")["finished_at"]!);
        Assert.Equal("succeeded", (string)Step(retried, "wobble")["status"]!);
    }

    [Fact]
    public async Task CancelAndRetry_WithoutKey_Return401()
    {
        using var client = factory.CreateClient();
        var id = Guid.NewGuid();

        using var cancel = await PostAsync(client, $"/api/runs/{id}/cancel", null, key: null);
        using var retry = await PostAsync(client, $"/api/runs/{id}/retry", null, key: null);

        await AssertProblemAsync(cancel, HttpStatusCode.Unauthorized);
        await AssertProblemAsync(retry, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task GetRun_WhenUnknown_Returns404ProblemDetails()
    {
        using var client = factory.CreateClient();

        var response = await client.GetAsync(new Uri($"/api/runs/{Guid.NewGuid()}", UriKind.Relative));

        await AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("status=finished", "status")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    public async Task ListRuns_WithAnInvalidFilter_Returns400ProblemDetailsNamingIt(string query, string field)
    {
        using var client = factory.CreateClient();

        var response = await client.GetAsync(new Uri($"/api/runs?{query}", UriKind.Relative));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]![field]);
    }

    [Fact]
    public async Task ListRuns_WithALimitThatIsNotANumber_Returns400ProblemDetails()
    {
        using var client = factory.CreateClient();

        var response = await client.GetAsync(new Uri("/api/runs?limit=ten", UriKind.Relative));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ListRuns_FiltersByWorkflowAndStatus()
    {
        using var client = factory.CreateClient();
        var id = await StartAsync(client, "echo", "{}");
        await WaitForEndAsync(client, id);

        var succeeded = (await GetJsonAsync(client, "/api/runs?workflow=echo&status=succeeded,failed")).AsArray();
        var running = (await GetJsonAsync(client, "/api/runs?workflow=echo&status=running")).AsArray();

        Assert.Contains(succeeded, r => (string)r!["id"]! == id);
        Assert.All(succeeded, r => Assert.Equal("echo", (string)r!["workflow"]!));
        Assert.DoesNotContain(running, r => (string)r!["id"]! == id);
        Assert.All(succeeded, r => Assert.Null(r!["steps"]));
    }

    [Fact]
    public async Task AlertmanagerWebhook_SameNotificationTwice_StartsOneRun_WithParametersFromTheAlert()
    {
        using var client = factory.CreateClient();
        var fingerprint = Guid.NewGuid().ToString("N");
        var payload = Alertmanager(fingerprint, "firing", "HighLatency", "recommend");

        using var first = await PostAsync(client, "/api/webhooks/alertmanager", payload, WorkflowsApiFactory.Key);
        using var second = await PostAsync(client, "/api/webhooks/alertmanager", payload, WorkflowsApiFactory.Key);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var started = Assert.Single(JsonNode.Parse(await first.Content.ReadAsStringAsync())!["runs"]!.AsArray())!;
        var duplicate = Assert.Single(JsonNode.Parse(await second.Content.ReadAsStringAsync())!["runs"]!.AsArray())!;
        Assert.Equal(("alerting", "started"), ((string)started["workflow"]!, (string)started["outcome"]!));
        Assert.Equal("duplicate", (string)duplicate["outcome"]!);
        Assert.Equal((string)started["run_id"]!, (string)duplicate["run_id"]!);
        var run = await WaitForEndAsync(client, (string)started["run_id"]!);
        Assert.Equal("succeeded", (string)run["status"]!);
        Assert.Equal("recommend", (string)run["parameters"]!["message"]!);
        Assert.Equal(("webhook", "HighLatency"), ((string)run["trigger"]!["kind"]!, (string)run["trigger"]!["detail"]!));
    }

    [Fact]
    public async Task AlertmanagerWebhook_ResolvedOrUnlistedAlerts_StartNothing()
    {
        using var client = factory.CreateClient();

        using var resolved = await PostAsync(client, "/api/webhooks/alertmanager", Alertmanager(Guid.NewGuid().ToString("N"), "resolved", "HighLatency", "x"), WorkflowsApiFactory.Key);
        using var other = await PostAsync(client, "/api/webhooks/alertmanager", Alertmanager(Guid.NewGuid().ToString("N"), "firing", "DiskFull", "x"), WorkflowsApiFactory.Key);

        var resolvedBody = JsonNode.Parse(await resolved.Content.ReadAsStringAsync())!;
        Assert.Equal(0, (int)resolvedBody["firing"]!);
        Assert.Empty(resolvedBody["runs"]!.AsArray());
        Assert.Empty(JsonNode.Parse(await other.Content.ReadAsStringAsync())!["runs"]!.AsArray());
    }

    [Fact]
    public async Task AlertmanagerWebhook_WithoutKey_Returns401_AndWithoutAlerts_Returns400()
    {
        using var client = factory.CreateClient();

        using var anonymous = await PostAsync(client, "/api/webhooks/alertmanager", Alertmanager("f", "firing", "HighLatency", "x"), key: null);
        using var notAlertmanager = await PostAsync(client, "/api/webhooks/alertmanager", """{"hello": 1}""", WorkflowsApiFactory.Key);

        await AssertProblemAsync(anonymous, HttpStatusCode.Unauthorized);
        await AssertProblemAsync(notAlertmanager, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Dashboard_WithoutKey_Is401()
    {
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });

        var response = await client.GetAsync(new Uri("/hangfire", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Dashboard_WithKeyHeader_Is200()
    {
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/hangfire");
        request.Headers.Add("X-Api-Key", WorkflowsApiFactory.Key);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Spotify Buddies", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_WithKeyInQueryOnce_SetsAnHttpOnlyCookieWithoutTheKey_ThatOpensItAfterwards()
    {
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });

        using var first = await client.GetAsync(new Uri($"/hangfire?api_key={WorkflowsApiFactory.Key}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var setCookie = Assert.Single(first.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(WorkflowsApiFactory.Key, setCookie, StringComparison.Ordinal);
        var cookie = setCookie.Split(';')[0];
        using var second = new HttpRequestMessage(HttpMethod.Get, "/hangfire/jobs/enqueued");
        second.Headers.Add("Cookie", cookie);
        using var withCookie = await client.SendAsync(second);
        Assert.Equal(HttpStatusCode.OK, withCookie.StatusCode);
        using var forged = new HttpRequestMessage(HttpMethod.Get, "/hangfire/jobs/enqueued");
        forged.Headers.Add("Cookie", "buddies_dashboard=" + Convert.ToBase64String(new byte[32]));
        using var withForged = await client.SendAsync(forged);
        Assert.Equal(HttpStatusCode.Unauthorized, withForged.StatusCode);
    }

    [Fact]
    public async Task Health_StillAnswers()
    {
        using var client = factory.CreateClient();

        var health = await GetJsonAsync(client, "/health");

        Assert.Equal("ok", (string)health["status"]!);
    }

    private static JsonNode Step(JsonNode run, string stepId) =>
        run["steps"]!.AsArray().Single(s => (string)s!["step_id"]! == stepId)!;

    internal static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    internal static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string? body, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (body is not null)
        {
            request.Content = Json(body);
        }

        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        return await client.SendAsync(request);
    }

    internal static async Task<string> StartAsync(HttpClient client, string workflow, string? body)
    {
        using var response = await PostAsync(client, $"/api/workflows/{workflow}/runs", body, WorkflowsApiFactory.Key);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {text}");
        return (string)JsonNode.Parse(text)!["id"]!;
    }

    internal static async Task<JsonNode> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    internal static Task<JsonNode> WaitForEndAsync(HttpClient client, string runId) =>
        WaitForAsync(client, runId, run => (string)run["status"]! is "succeeded" or "failed" or "cancelled");

    /// <summary>Polls <c>GET /api/runs/{id}</c> until <paramref name="done"/> holds (a minute at most).</summary>
    internal static async Task<JsonNode> WaitForAsync(HttpClient client, string runId, Func<JsonNode, bool> done)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        JsonNode run;
        do
        {
            run = await GetJsonAsync(client, $"/api/runs/{runId}");
            if (done(run))
            {
                return run;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        throw new TimeoutException($"Run {runId} did not get there within a minute; last seen: {run.ToJsonString()}");
    }

    internal static async Task<JsonNode> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal((int)status, (int)problem["status"]!);
        return problem;
    }

    private static string Alertmanager(string fingerprint, string status, string alertName, string service) => JsonSerializer.Serialize(new
    {
        version = "4",
        status,
        receiver = "buddies",
        groupKey = "{}:{alertname=\"" + alertName + "\"}",
        alerts = new[]
        {
            new
            {
                status,
                labels = new Dictionary<string, string> { ["alertname"] = alertName, ["service"] = service },
                annotations = new Dictionary<string, string> { ["summary"] = "p95 too high" },
                startsAt = "2026-11-25T08:00:00Z",
                endsAt = "0001-01-01T00:00:00Z",
                fingerprint,
            },
        },
    });
}

/// <summary>The API with no keys configured: admin endpoints refuse everything.</summary>
[Collection(WorkflowsApiTestGroup.Name)]
public sealed class WorkflowsApiWithoutKeysTests
{
    [Fact]
    public async Task StartRun_WhenNoKeysAreConfigured_Returns401SayingHowToConfigureOne()
    {
        await using var factory = new WorkflowsApiWithoutKeysFactory();
        using var client = factory.CreateClient();

        using var response = await WorkflowsApiTests.PostAsync(client, "/api/workflows/echo/runs", "{}", WorkflowsApiFactory.Key);
        using var dashboard = await client.GetAsync(new Uri($"/hangfire?api_key={WorkflowsApiFactory.Key}", UriKind.Relative));

        var problem = await WorkflowsApiTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("Api:Keys", (string)problem["detail"]!, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, dashboard.StatusCode);
    }
}

/// <summary>Settings are validated when the host starts: a bad one stops it with a message naming the key.</summary>
[Collection(WorkflowsApiTestGroup.Name)]
public sealed class WorkflowsApiConfigurationTests
{
    [Theory]
    [InlineData("Hangfire:WorkerCount", "0", "WorkerCount")]
    [InlineData("Hangfire:InvisibilityTimeout", "00:00:00.010", "InvisibilityTimeout")]
    [InlineData("Api:Keys:0", "short", "Api:Keys:0")]
    [InlineData("Profile", "Staging", "Profile must be Local or Production")]
    public void Start_WithAnInvalidSetting_FailsNamingIt(string key, string value, string expected)
    {
        using var factory = new WorkflowsApiSettingsFactory(key, value);

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var messages = string.Join(" | ", Flatten(error).Select(e => e.Message));
        Assert.Contains(expected, messages, StringComparison.Ordinal);
    }

    private static IEnumerable<Exception> Flatten(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }
}

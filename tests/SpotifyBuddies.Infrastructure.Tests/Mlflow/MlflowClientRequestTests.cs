using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Infrastructure.Mlflow;
using SpotifyBuddies.Infrastructure.Tracking;

namespace SpotifyBuddies.Infrastructure.Tests.Mlflow;

/// <summary>What the client sends (batch splitting, authentication) and how the registered HttpClient retries.</summary>
public sealed class MlflowClientRequestTests
{
    [Fact]
    public async Task LogBatch_OverTheServerLimits_IsSplitIntoAcceptableRequestsInOrder()
    {
        var stub = new StubMlflowHandler((_, _) => StubMlflowHandler.Json("{}"));
        var metrics = Enumerable.Range(0, 2500).Select(i => new MetricPoint("bulk", i, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000 + i), i)).ToList();
        var parameters = Enumerable.Range(0, 250).Select(i => new KeyValuePair<string, string>($"p{i:000}", "x")).ToList();

        await stub.Client().LogBatchAsync("run", metrics, parameters);

        var bodies = stub.Requests.Select(r => r.Json).ToList();
        Assert.All(stub.Requests, r => Assert.Equal("/api/2.0/mlflow/runs/log-batch", r.Path));
        Assert.All(bodies, b => Assert.Equal("run", b.GetProperty("run_id").GetString()));
        Assert.All(bodies, b => Assert.True(Count(b, "metrics") <= 1000 && Count(b, "params") <= 100 && Count(b, "metrics") + Count(b, "params") <= 1000));
        Assert.Equal(metrics.Select(m => m.Value), bodies.SelectMany(b => Items(b, "metrics")).Select(m => m.GetProperty("value").GetDouble()));
        Assert.Equal(parameters.Select(p => p.Key), bodies.SelectMany(b => Items(b, "params")).Select(p => p.GetProperty("key").GetString()));
        // Params go first: every request with params comes before the first one with only metrics.
        var firstMetricsOnly = bodies.FindIndex(b => Count(b, "params") == 0);
        Assert.True(bodies.Skip(firstMetricsOnly).All(b => Count(b, "params") == 0));
        Assert.Equal(5, stub.Requests.Count); // 100+100+(50 params + 950 metrics)+1000+550
    }

    [Fact]
    public async Task LogBatch_OfLongValues_KeepsEachRequestUnderOneMegabyte()
    {
        var stub = new StubMlflowHandler((r, _) => r.Path == "/version" ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("2.17.2") } : StubMlflowHandler.Json("{}"));
        var parameters = Enumerable.Range(0, 100).Select(i => new KeyValuePair<string, string>($"p{i:000}", new string('p', 6000))).ToList();
        var tags = Enumerable.Range(0, 100).Select(i => new KeyValuePair<string, string>($"t{i:000}", new string('t', 7900))).ToList();

        await stub.Client().LogBatchAsync("run", parameters: parameters, tags: tags);

        var batches = stub.Requests.Where(r => r.Path.EndsWith("log-batch", StringComparison.Ordinal)).ToList();
        Assert.True(batches.Count >= 2);
        Assert.All(batches, r => Assert.True(r.Body.Length <= TrackingRules.MaxBatchRequestBytes, $"{r.Body.Length} bytes"));
        Assert.Equal(100, batches.Sum(r => Count(r.Json, "params")));
        Assert.Equal(100, batches.Sum(r => Count(r.Json, "tags")));
    }

    [Fact]
    public async Task LogBatch_WithDuplicateParamsOfOneValue_SendsTheParamOnce()
    {
        var stub = new StubMlflowHandler((_, _) => StubMlflowHandler.Json("{}"));

        await stub.Client().LogBatchAsync("run", parameters: [new("factors", "32"), new("factors", "32")]);

        Assert.Equal("""{"run_id":"run","params":[{"key":"factors","value":"32"}]}""", stub.Requests.Single().Text);
    }

    [Theory]
    [InlineData("token", null, null, "Bearer token")]
    [InlineData(null, "alice", "secret", "Basic YWxpY2U6c2VjcmV0")]
    [InlineData(null, null, null, null)]
    public async Task Requests_CarryTheConfiguredAuthentication(string? token, string? user, string? password, string? expected)
    {
        var stub = new StubMlflowHandler((_, _) => StubMlflowHandler.Json("{}"));

        await stub.Client(o => (o.Token, o.Username, o.Password) = (token, user, password)).DeleteAliasAsync("m", "canary");

        Assert.Equal(expected, stub.Requests.Single().Headers.Authorization?.ToString());
        Assert.Equal("""{"name":"m","alias":"canary"}""", stub.Requests.Single().Text);
        Assert.Equal(HttpMethod.Delete, stub.Requests.Single().Method);
    }

    [Fact]
    public async Task RegisteredClient_RetriesAnIdempotentCallAfter503()
    {
        var stub = new StubMlflowHandler((_, i) => i < 2
            ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
            : StubMlflowHandler.Response(RecordedSession.Load(RecordedSession.V2_17_2)["R05"]));
        await using var provider = Build(stub);

        var run = await provider.GetRequiredService<IExperimentTracker>().GetRunAsync("acedde1ba1da49d3869e23dbd5b129a5");

        Assert.Equal("trial-a", run.RunName);
        Assert.Equal(3, stub.Requests.Count);
    }

    [Fact]
    public async Task RegisteredClient_DoesNotRetryACreate()
    {
        var stub = new StubMlflowHandler((_, _) => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        await using var provider = Build(stub);

        var error = await Assert.ThrowsAsync<TrackingException>(() =>
            provider.GetRequiredService<IExperimentTracker>().CreateRunAsync(new NewRun { ExperimentId = "3", RunName = "x" }));

        Assert.Equal("HTTP_503", error.ErrorCode);
        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task RegisteredClient_DoesNotRetryA500()
    {
        // MLflow answers 500 for deterministic failures (A13), so retrying would only repeat it.
        var stub = StubMlflowHandler.Recorded(RecordedSession.Load(RecordedSession.V2_17_2), "A13", "A13");
        await using var provider = Build(stub);

        await Assert.ThrowsAsync<TrackingException>(() => provider.GetRequiredService<IExperimentTracker>().GetRunAsync("x"));

        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task RegisteredClient_GivesUpAfterMaxRetries_WithTheLastStatus()
    {
        var stub = new StubMlflowHandler((_, _) => new HttpResponseMessage(HttpStatusCode.TooManyRequests));
        await using var provider = Build(stub, maxRetries: 2);

        var error = await Assert.ThrowsAsync<TrackingException>(() => provider.GetRequiredService<IModelRegistry>().GetVersionAsync("m", "1"));

        Assert.Equal("HTTP_429", error.ErrorCode);
        Assert.Equal(3, stub.Requests.Count);
    }

    [Fact]
    public async Task RegisteredClient_WithRetriesOff_SendsOnce()
    {
        var stub = new StubMlflowHandler((_, _) => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        await using var provider = Build(stub, maxRetries: 0);

        await Assert.ThrowsAsync<TrackingException>(() => provider.GetRequiredService<IExperimentTracker>().GetRunAsync("x"));

        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task Call_CancelledWithoutTheCallerAsking_IsReportedAsATimeout()
    {
        var stub = new StubMlflowHandler((_, _) => throw new TaskCanceledException("the handler gave up waiting"));
        var client = stub.Client(o => o.Timeout = TimeSpan.FromMilliseconds(1));

        var error = await Assert.ThrowsAsync<TrackingException>(() => client.GetRunAsync("x"));

        Assert.Contains("did not answer within", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_CancelledByTheCaller_StaysACancellation()
    {
        var stub = new StubMlflowHandler((_, _) => throw new TaskCanceledException());
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stub.Client().GetRunAsync("x", cancelled.Token));
    }

    [Fact]
    public async Task AddMlflowTracking_WhenTheUriIsMissing_FailsValidationNamingTheSetting()
    {
        await using var provider = Build(null, uri: null);

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MlflowOptions>>().Value);

        Assert.Contains("Mlflow:TrackingUri", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://mlflow", null, null, "http:// or https://")]
    [InlineData("http://mlflow", "t", "u", "not both")]
    [InlineData("http://mlflow", null, "u", "go together")]
    public void Options_WithInconsistentSettings_AreRefusedWithAClearMessage(string uri, string? token, string? user, string expected)
    {
        var options = new MlflowOptions { TrackingUri = uri, Token = token, Username = user };

        var result = new MlflowOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddMlflowTracking_ResolvesOneClientForBothPorts_FromConfiguration()
    {
        await using var provider = Build(new StubMlflowHandler((_, _) => StubMlflowHandler.Json("{}")), uri: "http://mlflow:5000/prefix");

        var tracker = provider.GetRequiredService<IExperimentTracker>();

        Assert.IsType<MlflowClient>(tracker);
        Assert.IsType<MlflowClient>(provider.GetRequiredService<IModelRegistry>());
        Assert.Equal("mlflow", tracker.Backend);
        Assert.Equal("http://mlflow:5000/prefix/", tracker.Location);
    }

    private static ServiceProvider Build(StubMlflowHandler? stub, string? uri = "http://mlflow.test", int maxRetries = 3)
    {
        var settings = new Dictionary<string, string?> { ["Mlflow:MaxRetries"] = maxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (uri is not null)
        {
            settings["Mlflow:TrackingUri"] = uri;
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddMlflowTracking(o => o.RetryDelay = TimeSpan.Zero);
        if (stub is not null)
        {
            services.AddHttpClient(MlflowServiceCollectionExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => stub);
        }

        return services.BuildServiceProvider();
    }

    private static int Count(System.Text.Json.JsonElement body, string name) =>
        body.TryGetProperty(name, out var items) ? items.GetArrayLength() : 0;

    private static List<System.Text.Json.JsonElement> Items(System.Text.Json.JsonElement body, string name) =>
        body.TryGetProperty(name, out var items) ? [.. items.EnumerateArray()] : [];
}

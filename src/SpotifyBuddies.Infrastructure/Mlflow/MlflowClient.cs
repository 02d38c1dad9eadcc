using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Infrastructure.Tracking;

namespace SpotifyBuddies.Infrastructure.Mlflow;

/// <summary>
/// <see cref="IExperimentTracker"/> and <see cref="IModelRegistry"/> over MLflow's REST API (2.x; contract-tested against
/// recordings of 2.12.2 and 2.17.2), with run artifacts through the server's <c>mlflow-artifacts</c> proxy.
/// </summary>
/// <remarks>
/// <para><b>Validation first.</b> Keys, values and aliases are checked with <see cref="TrackingRules"/> before anything
/// is sent, so this client refuses what the local tracker refuses, including values MLflow would truncate silently.</para>
/// <para><b>Errors.</b> A JSON error body <c>{error_code, message}</c> becomes <see cref="TrackingNotFoundException"/>
/// (RESOURCE_DOES_NOT_EXIST) or <see cref="TrackingException"/> with the server's code and message; a non-JSON answer
/// (an HTML 404/405 from a wrong URL or proxy), a timeout or an unreachable server become <see cref="TrackingException"/>
/// naming the endpoint.</para>
/// <para><b>Retries</b> (the resilience handler registered by <see cref="MlflowServiceCollectionExtensions.AddMlflowTracking"/>)
/// apply only to requests marked idempotent here: reads, log-batch (params are immutable, tags overwrite, the SQL store
/// keeps one row per identical metric point), run updates, alias set/delete and artifact PUTs. Creates are never
/// retried; get-or-create resolves its own races.</para>
/// </remarks>
public sealed partial class MlflowClient : IExperimentTracker, IModelRegistry
{
    /// <summary>max_results sent to metrics/get-history: the servers recorded ignore it, but some need it (always sent).</summary>
    public const int MetricHistoryPageSize = 25_000;

    private const string Api = "api/2.0/mlflow/";
    private const string JsonMediaType = "application/json";

    private readonly HttpClient _http;
    private readonly MlflowOptions _options;
    private readonly Uri _base;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, string> _artifactRoots = new(StringComparer.Ordinal);
    private Version? _serverVersion;

    public MlflowClient(HttpClient httpClient, IOptions<MlflowOptions> options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        _http = httpClient;
        _options = options.Value;
        _base = _options.BaseUri;
        _time = timeProvider ?? TimeProvider.System;
    }

    public string Backend => "mlflow";

    public string Location => _base.ToString();

    // ---------------------------------------------------------------- experiments

    public async Task<Experiment> GetOrCreateExperimentAsync(string name, CancellationToken cancellationToken = default)
    {
        TrackingRules.ValidateExperimentName(name);
        var found = await FindExperimentAsync(name, cancellationToken);
        if (found is null)
        {
            try
            {
                var created = await SendJsonAsync(
                    HttpMethod.Post, "experiments/create", new CreateExperimentRequest(name), MlflowJson.Default.CreateExperimentRequest,
                    MlflowJson.Default.CreateExperimentResponse, idempotent: false, cancellationToken);
                var id = created.ExperimentId ?? throw Malformed("experiments/create", "experiment_id");
                var experiment = await GetJsonAsync(
                    "experiments/get", [("experiment_id", id)], MlflowJson.Default.ExperimentResponse, cancellationToken);
                return ToExperiment(experiment.Experiment ?? throw Malformed("experiments/get", "experiment"));
            }
            catch (TrackingException ex) when (ex.ErrorCode == "RESOURCE_ALREADY_EXISTS")
            {
                // Someone else created it (or it is deleted: create refuses a deleted name too, E08). Read it again.
                found = await FindExperimentAsync(name, cancellationToken)
                    ?? throw new TrackingException(ex.ErrorCode, $"MLflow says experiment '{name}' exists but get-by-name does not find it: {ex.Message}");
            }
        }

        if (found.LifecycleStage == "deleted")
        {
            await SendJsonAsync(
                HttpMethod.Post, "experiments/restore", new ExperimentIdRequest(found.ExperimentId), MlflowJson.Default.ExperimentIdRequest,
                MlflowJson.Default.EmptyResponse, idempotent: false, cancellationToken);
            found = await FindExperimentAsync(name, cancellationToken)
                ?? throw new TrackingNotFoundException($"Experiment '{name}' vanished while it was being restored.");
        }

        return ToExperiment(found);
    }

    /// <summary>Soft-deletes an experiment (MLflow's experiments/delete); <see cref="GetOrCreateExperimentAsync"/> restores it.</summary>
    public Task DeleteExperimentAsync(string experimentId, CancellationToken cancellationToken = default) =>
        SendJsonAsync(
            HttpMethod.Post, "experiments/delete", new ExperimentIdRequest(experimentId), MlflowJson.Default.ExperimentIdRequest,
            MlflowJson.Default.EmptyResponse, idempotent: false, cancellationToken);

    private async Task<ExperimentJson?> FindExperimentAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await GetJsonAsync(
                "experiments/get-by-name", [("experiment_name", name)], MlflowJson.Default.ExperimentResponse, cancellationToken);
            return response.Experiment ?? throw Malformed("experiments/get-by-name", "experiment");
        }
        catch (TrackingNotFoundException)
        {
            return null;
        }
    }

    // ---------------------------------------------------------------- runs

    public async Task<TrackedRun> CreateRunAsync(NewRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var tags = NewRunTags.Build(run, _options.UserId);
        var request = new CreateRunRequest(
            run.ExperimentId,
            string.IsNullOrEmpty(_options.UserId) ? null : _options.UserId,
            string.IsNullOrEmpty(run.RunName) ? null : run.RunName,
            (run.StartTime ?? _time.GetUtcNow()).ToUnixTimeMilliseconds(),
            [.. tags.Select(t => new KeyValueJson(t.Key, t.Value))]);
        var response = await SendJsonAsync(
            HttpMethod.Post, "runs/create", request, MlflowJson.Default.CreateRunRequest, MlflowJson.Default.RunResponse,
            idempotent: false, cancellationToken);
        return ToRun(response.Run, "runs/create");
    }

    public async Task<TrackedRun> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var response = await GetJsonAsync("runs/get", [("run_id", runId)], MlflowJson.Default.RunResponse, cancellationToken);
        return ToRun(response.Run, "runs/get");
    }

    public async Task UpdateRunAsync(string runId, RunStatus status, DateTimeOffset? endTime = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var end = RunStatusNames.IsTerminal(status) ? endTime ?? _time.GetUtcNow() : endTime;
        await SendJsonAsync(
            HttpMethod.Post, "runs/update", new UpdateRunRequest(runId, RunStatusNames.ToMlflow(status), end?.ToUnixTimeMilliseconds()),
            MlflowJson.Default.UpdateRunRequest, MlflowJson.Default.UpdateRunResponse, idempotent: true, cancellationToken);
    }

    public async Task LogBatchAsync(
        string runId,
        IReadOnlyList<MetricPoint>? metrics = null,
        IReadOnlyList<KeyValuePair<string, string>>? parameters = null,
        IReadOnlyList<KeyValuePair<string, string>>? tags = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        metrics ??= [];
        tags ??= [];
        var maxTagLength = await MaxTagValueLengthAsync(tags, cancellationToken);
        var distinctParams = TrackingRules.ValidateBatch(metrics, parameters ?? [], tags, maxTagLength);
        foreach (var chunk in LogBatchSplitter.Split(metrics, distinctParams, tags))
        {
            var request = new LogBatchRequest(
                runId,
                chunk.Metrics.Count == 0 ? null : [.. chunk.Metrics.Select(LogBatchSplitter.ToJson)],
                chunk.Params.Count == 0 ? null : [.. chunk.Params.Select(p => new KeyValueJson(p.Key, p.Value))],
                chunk.Tags.Count == 0 ? null : [.. chunk.Tags.Select(t => new KeyValueJson(t.Key, t.Value))]);
            await SendJsonAsync(
                HttpMethod.Post, "runs/log-batch", request, MlflowJson.Default.LogBatchRequest, MlflowJson.Default.EmptyResponse,
                idempotent: true, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<MetricPoint>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        TrackingRules.ValidateKey("metric", key);
        var points = new List<MetricPoint>();
        string? token = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        do
        {
            List<(string, string)> query = [("run_id", runId), ("metric_key", key), ("max_results", MetricHistoryPageSize.ToString(CultureInfo.InvariantCulture))];
            if (token is not null)
            {
                query.Add(("page_token", token));
            }

            var page = await GetJsonAsync("metrics/get-history", query, MlflowJson.Default.MetricHistoryResponse, cancellationToken);
            points.AddRange((page.Metrics ?? []).Select(m => new MetricPoint(m.Key, m.Value, DateTimeOffset.FromUnixTimeMilliseconds(m.Timestamp), m.Step)));
            token = string.IsNullOrEmpty(page.NextPageToken) || !seen.Add(page.NextPageToken) ? null : page.NextPageToken;
        }
        while (token is not null);

        return [.. points.Select((p, i) => (p, i)).OrderBy(x => x.p.Step).ThenBy(x => x.p.Timestamp).ThenBy(x => x.i).Select(x => x.p)];
    }

    public async Task<RunPage> SearchRunsAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.MaxResults is < 1 or > TrackingRules.MaxSearchResults)
        {
            throw TrackingRules.Invalid($"Invalid value {query.MaxResults} for max_results: it must be between 1 and {TrackingRules.MaxSearchResults}.");
        }

        var request = new SearchRunsRequest(
            [.. query.ExperimentIds],
            string.IsNullOrWhiteSpace(query.Filter) ? null : query.Filter,
            "ACTIVE_ONLY",
            query.MaxResults,
            query.OrderBy.Count == 0 ? null : [.. query.OrderBy],
            string.IsNullOrEmpty(query.PageToken) ? null : query.PageToken);
        var response = await SendJsonAsync(
            HttpMethod.Post, "runs/search", request, MlflowJson.Default.SearchRunsRequest, MlflowJson.Default.SearchRunsResponse,
            idempotent: true, cancellationToken);
        var runs = (response.Runs ?? []).Select(r => ToRun(r, "runs/search")).ToList();
        return new RunPage(runs, string.IsNullOrEmpty(response.NextPageToken) ? null : response.NextPageToken);
    }

    /// <summary>The server's version from <c>GET /version</c> (cached), or null when it does not say.</summary>
    public async Task<Version?> GetServerVersionAsync(CancellationToken cancellationToken = default)
    {
        if (_serverVersion is not null)
        {
            return _serverVersion;
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_base, "version"));
        MarkIdempotent(request);
        using var response = await SendAsync(request, "version", _options.Timeout, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var text = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
        var digits = new string([.. text.TakeWhile(c => char.IsDigit(c) || c == '.')]);
        _serverVersion = Version.TryParse(digits, out var version) ? version : null;
        return _serverVersion;
    }

    /// <summary>
    /// Tag values up to 8000 characters are kept by MLflow 2.17.2, but 2.12.2 truncates them at 5000 without an error
    /// (R16b). Only when a tag is longer than 5000 is the server's version asked; older or unknown servers get 5000.
    /// </summary>
    private async Task<int> MaxTagValueLengthAsync(IReadOnlyList<KeyValuePair<string, string>> tags, CancellationToken cancellationToken)
    {
        const int OldLimit = 5000;
        if (!tags.Any(t => t.Value is { Length: > OldLimit }))
        {
            return TrackingRules.MaxTagValueLength;
        }

        Version? version;
        try
        {
            version = await GetServerVersionAsync(cancellationToken);
        }
        catch (TrackingException)
        {
            version = null;
        }

        return version is not null && version >= new Version(2, 17) ? TrackingRules.MaxTagValueLength : OldLimit;
    }

    // ---------------------------------------------------------------- HTTP

    internal static readonly HttpRequestOptionsKey<bool> IdempotentKey = new("SpotifyBuddies.Mlflow.Idempotent");

    /// <summary>True when the request was marked safe to send again (see the remarks on retries).</summary>
    public static bool IsIdempotent(HttpRequestMessage request) =>
        request is not null && request.Options.TryGetValue(IdempotentKey, out var idempotent) && idempotent;

    private static void MarkIdempotent(HttpRequestMessage request) => request.Options.Set(IdempotentKey, true);

    private Uri ApiUri(string endpoint, IEnumerable<(string Key, string Value)>? query = null)
    {
        var builder = new StringBuilder(Api).Append(endpoint);
        var separator = '?';
        foreach (var (key, value) in query ?? [])
        {
            builder.Append(separator).Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        return new Uri(_base, builder.ToString());
    }

    private async Task<TResponse> GetJsonAsync<TResponse>(
        string endpoint, IEnumerable<(string Key, string Value)> query, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ApiUri(endpoint, query));
        MarkIdempotent(request);
        return await ReadJsonAsync(request, endpoint, responseType, cancellationToken);
    }

    private async Task<TResponse> SendJsonAsync<TRequest, TResponse>(
        HttpMethod method,
        string endpoint,
        TRequest body,
        JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType,
        bool idempotent,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, ApiUri(endpoint));
        // A byte array, not a stream: Content-Length is known (no chunked upload) and a retry can send it again.
        request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, requestType));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(JsonMediaType);
        if (idempotent)
        {
            MarkIdempotent(request);
        }

        return await ReadJsonAsync(request, endpoint, responseType, cancellationToken);
    }

    private async Task<TResponse> ReadJsonAsync<TResponse>(
        HttpRequestMessage request, string endpoint, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(request, endpoint, _options.Timeout, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        try
        {
            return JsonSerializer.Deserialize(bytes.Length == 0 ? "{}"u8 : bytes, responseType)
                ?? throw Malformed(endpoint, "a JSON object");
        }
        catch (JsonException ex)
        {
            throw new TrackingException(
                $"MLflow {request.Method} {endpoint} answered {(int)response.StatusCode} with a body that is not the expected JSON ({ex.Message}): {Snippet(bytes)}",
                ex);
        }
    }

    /// <summary>Sends with an overall timeout; a non-success answer throws the mapped <see cref="TrackingException"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(
        HttpRequestMessage request, string endpoint, TimeSpan timeout, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        Authorize(request);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, deadline.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TrackingException($"MLflow {request.Method} {endpoint} at {_base} did not answer within {timeout.TotalSeconds:0.#} s.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new TrackingException($"Could not reach MLflow at {_base} ({request.Method} {endpoint}): {ex.Message}", ex);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ToExceptionAsync(request, endpoint, response, cancellationToken);
        }
    }

    private static async Task<TrackingException> ToExceptionAsync(
        HttpRequestMessage request, string endpoint, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        MlflowError? error = null;
        if (response.Content.Headers.ContentType?.MediaType == JsonMediaType)
        {
            try
            {
                error = JsonSerializer.Deserialize(bytes, MlflowJson.Default.MlflowError);
            }
            catch (JsonException)
            {
                error = null;
            }
        }

        if (error is { ErrorCode: { Length: > 0 } code })
        {
            var message = error.Message ?? $"MLflow {request.Method} {endpoint} failed with {code}.";
            return code == "RESOURCE_DOES_NOT_EXIST" ? new TrackingNotFoundException(message) : new TrackingException(code, message);
        }

        var status = (int)response.StatusCode;
        var hint = response.StatusCode switch
        {
            HttpStatusCode.NotFound => " The URL is not an MLflow API route: check Mlflow:TrackingUri (and that the server is MLflow 2.3 or later).",
            HttpStatusCode.MethodNotAllowed => " The route exists but not for this method.",
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => " Check Mlflow:Token or Mlflow:Username/Password.",
            _ => string.Empty,
        };
        return new TrackingException($"HTTP_{status}", $"MLflow {request.Method} {endpoint} answered {status} {response.ReasonPhrase}.{hint} Body: {Snippet(bytes)}");
    }

    private void Authorize(HttpRequestMessage request)
    {
        if (!string.IsNullOrEmpty(_options.Token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.Token);
        }
        else if (!string.IsNullOrEmpty(_options.Username))
        {
            var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_options.Username}:{_options.Password}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        }
    }

    private static string Snippet(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes.AsSpan(0, Math.Min(bytes.Length, 300))).ReplaceLineEndings(" ");
        return bytes.Length > 300 ? text + "…" : text;
    }

    private static TrackingException Malformed(string endpoint, string what) =>
        new("INTERNAL_ERROR", $"MLflow {endpoint} answered without {what}.");

    // ---------------------------------------------------------------- mapping

    private static Experiment ToExperiment(ExperimentJson json) =>
        new(json.ExperimentId, json.Name, json.ArtifactLocation ?? string.Empty, json.LifecycleStage ?? "active");

    private TrackedRun ToRun(RunJson? json, string endpoint)
    {
        var info = json?.Info ?? throw Malformed(endpoint, "run.info");
        var runId = info.RunId ?? info.RunUuid ?? throw Malformed(endpoint, "run.info.run_id");
        var data = json.Data;
        var tags = (data?.Tags ?? []).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        var artifactUri = info.ArtifactUri ?? string.Empty;
        if (artifactUri.Length > 0)
        {
            _artifactRoots[runId] = artifactUri;
        }

        return new TrackedRun
        {
            RunId = runId,
            ExperimentId = info.ExperimentId ?? throw Malformed(endpoint, "run.info.experiment_id"),
            RunName = info.RunName ?? tags.GetValueOrDefault(TrackingTags.RunName),
            Status = RunStatusNames.FromMlflow(info.Status),
            StartTime = DateTimeOffset.FromUnixTimeMilliseconds(info.StartTime ?? 0),
            EndTime = info.EndTime is { } end ? DateTimeOffset.FromUnixTimeMilliseconds(end) : null,
            ArtifactUri = artifactUri,
            Metrics = (data?.Metrics ?? []).GroupBy(m => m.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.MaxBy(m => (m.Step, m.Timestamp, m.Value))!.Value, StringComparer.Ordinal),
            Params = (data?.Params ?? []).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
            Tags = tags,
        };
    }
}

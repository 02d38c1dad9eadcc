using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Infrastructure.Tracking;

namespace SpotifyBuddies.Infrastructure.Mlflow;

// The model registry (model_registry.proto): registered models, versions, aliases. Recorded quirks handled here:
// get-by-alias is GET registered-models/alias (there is no model-versions/get-by-alias, G14); an alias that is not set
// answers 400 INVALID_PARAMETER_VALUE, not 404 (G21); DELETE alias reads its arguments only from a JSON body (G22/G23).
public sealed partial class MlflowClient
{
    /// <summary>How long <see cref="CreateVersionAsync(string, string, string?, IReadOnlyDictionary{string, string}?, string?, CancellationToken)"/>
    /// waits for a version in PENDING_REGISTRATION to become READY.</summary>
    public static readonly TimeSpan RegistrationTimeout = TimeSpan.FromMinutes(5);

    public async Task<RegisteredModel> GetOrCreateModelAsync(string name, string? description = null, CancellationToken cancellationToken = default)
    {
        TrackingRules.ValidateModelName(name);
        if (await FindModelAsync(name, cancellationToken) is { } existing)
        {
            return existing;
        }

        try
        {
            var created = await SendJsonAsync(
                HttpMethod.Post, "registered-models/create", new CreateRegisteredModelRequest(name, description),
                MlflowJson.Default.CreateRegisteredModelRequest, MlflowJson.Default.RegisteredModelResponse, idempotent: false, cancellationToken);
            return ToModel(created.RegisteredModel ?? throw Malformed("registered-models/create", "registered_model"));
        }
        catch (TrackingException ex) when (ex.ErrorCode == "RESOURCE_ALREADY_EXISTS")
        {
            return await FindModelAsync(name, cancellationToken)
                ?? throw new TrackingException(ex.ErrorCode, $"MLflow says model '{name}' exists but cannot get it: {ex.Message}");
        }
    }

    public async Task<IReadOnlyList<RegisteredModel>> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        var models = new List<RegisteredModel>();
        await foreach (var page in PagesAsync("registered-models/search", [("max_results", "1000")], MlflowJson.Default.SearchRegisteredModelsResponse, p => p.NextPageToken, cancellationToken))
        {
            models.AddRange((page.RegisteredModels ?? []).Select(ToModel));
        }

        return [.. models.OrderBy(m => m.Name, StringComparer.Ordinal)];
    }

    public Task<ModelVersion> CreateVersionAsync(
        string name,
        string source,
        string? runId,
        IReadOnlyDictionary<string, string>? tags = null,
        CancellationToken cancellationToken = default) =>
        CreateVersionAsync(name, source, runId, tags, description: null, cancellationToken);

    /// <summary>As the port's <c>CreateVersionAsync</c>, with MLflow's version description.</summary>
    public async Task<ModelVersion> CreateVersionAsync(
        string name,
        string source,
        string? runId,
        IReadOnlyDictionary<string, string>? tags,
        string? description,
        CancellationToken cancellationToken = default)
    {
        TrackingRules.ValidateModelName(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        foreach (var (key, value) in tags ?? new Dictionary<string, string>())
        {
            TrackingRules.ValidateKey("tag", key);
            TrackingRules.ValidateTagValue(key, value);
        }

        var request = new CreateModelVersionRequest(
            name, source, runId, tags is { Count: > 0 } ? [.. tags.Select(t => new KeyValueJson(t.Key, t.Value))] : null, description);
        var created = await SendJsonAsync(
            HttpMethod.Post, "model-versions/create", request, MlflowJson.Default.CreateModelVersionRequest,
            MlflowJson.Default.ModelVersionResponse, idempotent: false, cancellationToken);
        var version = created.ModelVersion ?? throw Malformed("model-versions/create", "model_version");

        // The SQL store answers READY at once (G04); other stores register asynchronously.
        var deadline = _time.GetUtcNow() + RegistrationTimeout;
        while (version.Status == "PENDING_REGISTRATION")
        {
            if (_time.GetUtcNow() > deadline)
            {
                throw new TrackingException("INTERNAL_ERROR", $"Version {version.Version} of model '{name}' is still PENDING_REGISTRATION after {RegistrationTimeout.TotalMinutes} min.");
            }

            await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken);
            version = await GetVersionJsonAsync(name, version.Version, cancellationToken);
        }

        if (version.Status == "FAILED_REGISTRATION")
        {
            throw new TrackingException("INTERNAL_ERROR", $"MLflow failed to register version {version.Version} of model '{name}': {version.StatusMessage}");
        }

        return ToVersion(version);
    }

    public async Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string name, CancellationToken cancellationToken = default)
    {
        TrackingRules.ValidateModelName(name);
        var versions = new List<ModelVersion>();
        await foreach (var page in PagesAsync("model-versions/search", [("filter", $"name={Quote(name)}")], MlflowJson.Default.SearchModelVersionsResponse, p => p.NextPageToken, cancellationToken))
        {
            versions.AddRange((page.ModelVersions ?? []).Select(ToVersion));
        }

        return [.. versions.OrderByDescending(v => long.TryParse(v.Version, out var n) ? n : 0)];
    }

    public async Task<ModelVersion> GetVersionAsync(string name, string version, CancellationToken cancellationToken = default)
    {
        TrackingRules.ValidateModelName(name);
        ArgumentException.ThrowIfNullOrEmpty(version);
        return ToVersion(await GetVersionJsonAsync(name, version, cancellationToken));
    }

    public async Task SetAliasAsync(string name, string aliasName, string version, CancellationToken cancellationToken = default)
    {
        TrackingRules.ValidateModelName(name);
        TrackingRules.ValidateAlias(aliasName);
        ArgumentException.ThrowIfNullOrEmpty(version);
        await SendJsonAsync(
            HttpMethod.Post, "registered-models/alias", new SetAliasRequest(name, aliasName, version),
            MlflowJson.Default.SetAliasRequest, MlflowJson.Default.EmptyResponse, idempotent: true, cancellationToken);
    }

    public async Task DeleteAliasAsync(string name, string aliasName, CancellationToken cancellationToken = default)
    {
        TrackingRules.ValidateModelName(name);
        TrackingRules.ValidateAlias(aliasName);
        // DELETE with a JSON body: the server reads nothing from the query string of a DELETE (G23).
        await SendJsonAsync(
            HttpMethod.Delete, "registered-models/alias", new DeleteAliasRequest(name, aliasName),
            MlflowJson.Default.DeleteAliasRequest, MlflowJson.Default.EmptyResponse, idempotent: true, cancellationToken);
    }

    public async Task<ModelVersion?> GetVersionByAliasAsync(string name, string aliasName, CancellationToken cancellationToken = default)
    {
        TrackingRules.ValidateModelName(name);
        TrackingRules.ValidateAlias(aliasName);
        try
        {
            var response = await GetJsonAsync(
                "registered-models/alias", [("name", name), ("alias", aliasName)], MlflowJson.Default.ModelVersionResponse, cancellationToken);
            return ToVersion(response.ModelVersion ?? throw Malformed("registered-models/alias", "model_version"));
        }
        catch (TrackingNotFoundException)
        {
            return null; // no such model: no alias either
        }
        catch (TrackingException ex) when (ex.ErrorCode == TrackingRules.InvalidParameterValue
            && ex.Message.Contains("not found", StringComparison.OrdinalIgnoreCase))
        {
            return null; // "Registered model alias staging not found." (400, G21)
        }
    }

    private async Task<RegisteredModel?> FindModelAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await GetJsonAsync("registered-models/get", [("name", name)], MlflowJson.Default.RegisteredModelResponse, cancellationToken);
            return ToModel(response.RegisteredModel ?? throw Malformed("registered-models/get", "registered_model"));
        }
        catch (TrackingNotFoundException)
        {
            return null;
        }
    }

    private async Task<ModelVersionJson> GetVersionJsonAsync(string name, string version, CancellationToken cancellationToken)
    {
        var response = await GetJsonAsync(
            "model-versions/get", [("name", name), ("version", version)], MlflowJson.Default.ModelVersionResponse, cancellationToken);
        return response.ModelVersion ?? throw Malformed("model-versions/get", "model_version");
    }

    /// <summary>Follows next_page_token until the server gives none (or repeats one).</summary>
    private async IAsyncEnumerable<TPage> PagesAsync<TPage>(
        string endpoint,
        IReadOnlyList<(string Key, string Value)> query,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<TPage> type,
        Func<TPage, string?> nextToken,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        do
        {
            var pageQuery = token is null ? query : [.. query, ("page_token", token)];
            var page = await GetJsonAsync(endpoint, pageQuery, type, cancellationToken);
            yield return page;
            token = nextToken(page);
            if (string.IsNullOrEmpty(token) || !seen.Add(token))
            {
                token = null;
            }
        }
        while (token is not null);
    }

    /// <summary>A string literal for MLflow's search filters: single quotes, or double quotes when the value has one.</summary>
    private static string Quote(string value) =>
        !value.Contains('\'', StringComparison.Ordinal) ? $"'{value}'"
        : !value.Contains('"', StringComparison.Ordinal) ? $"\"{value}\""
        : throw TrackingRules.Invalid($"The model name {value} has both ' and \" and cannot be put in an MLflow filter.");

    private static RegisteredModel ToModel(RegisteredModelJson json) => new(
        json.Name,
        string.IsNullOrEmpty(json.Description) ? null : json.Description,
        DateTimeOffset.FromUnixTimeMilliseconds(json.CreationTimestamp ?? 0),
        DateTimeOffset.FromUnixTimeMilliseconds(json.LastUpdatedTimestamp ?? json.CreationTimestamp ?? 0),
        new SortedDictionary<string, string>((json.Aliases ?? []).ToDictionary(a => a.Alias, a => a.Version, StringComparer.Ordinal), StringComparer.Ordinal));

    private static ModelVersion ToVersion(ModelVersionJson json) => new()
    {
        Name = json.Name,
        Version = json.Version,
        Source = json.Source ?? string.Empty,
        RunId = string.IsNullOrEmpty(json.RunId) ? null : json.RunId,
        Status = json.Status ?? "READY",
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(json.CreationTimestamp ?? 0),
        Aliases = [.. (json.Aliases ?? []).Order(StringComparer.Ordinal)],
        Tags = (json.Tags ?? []).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal),
    };
}

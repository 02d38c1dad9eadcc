using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Infrastructure.Mlflow;

namespace SpotifyBuddies.Cli.Composition;

/// <summary>
/// Finds an experiment by name without creating it. The tracking port only has get-or-create (what training needs);
/// listing runs must not leave an empty experiment behind for a mistyped name, so this reads what each backend
/// already exposes: the local tracker's documented <c>experiments/&lt;id&gt;/meta.json</c> files, or MLflow's
/// <c>GET experiments/get-by-name</c>. Deleted experiments count as missing.
/// </summary>
internal static class ExperimentLookup
{
    private const string Endpoint = "experiments/get-by-name";

    public static async Task<Experiment?> FindLocalAsync(string trackerRoot, string name, CancellationToken cancellationToken)
    {
        foreach (var experiment in await ReadLocalAsync(trackerRoot, cancellationToken))
        {
            if (experiment.Name == name)
            {
                return experiment;
            }
        }

        return null;
    }

    public static async Task<IReadOnlyList<string>> LocalNamesAsync(string trackerRoot, CancellationToken cancellationToken) =>
        [.. (await ReadLocalAsync(trackerRoot, cancellationToken)).Select(e => e.Name).Order(StringComparer.Ordinal)];

    public static async Task<Experiment?> FindMlflowAsync(HttpClient http, MlflowOptions options, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        var uri = new Uri(options.BaseUri, $"api/2.0/mlflow/{Endpoint}?experiment_name={Uri.EscapeDataString(name)}");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (!string.IsNullOrEmpty(options.Token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
        }
        else if (!string.IsNullOrEmpty(options.Username))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}")));
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, deadline.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TrackingException($"MLflow GET {Endpoint} at {options.BaseUri} did not answer within {options.Timeout.TotalSeconds:0.#} s.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new TrackingException($"Could not reach MLflow at {options.BaseUri} (GET {Endpoint}): {ex.Message}", ex);
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonElement root = default;
            var isJson = false;
            try
            {
                root = JsonDocument.Parse(body.Length == 0 ? "{}" : body).RootElement.Clone();
                isJson = root.ValueKind == JsonValueKind.Object;
            }
            catch (JsonException)
            {
                isJson = false;
            }

            if (response.StatusCode == HttpStatusCode.NotFound && isJson && Text(root, "error_code") == "RESOURCE_DOES_NOT_EXIST")
            {
                return null;
            }

            if (!response.IsSuccessStatusCode)
            {
                var message = isJson && Text(root, "message") is { } serverMessage
                    ? serverMessage
                    : $"MLflow GET {Endpoint} answered {(int)response.StatusCode} {response.ReasonPhrase}: {Snippet(body)} (is Mlflow:TrackingUri an MLflow server?)";
                throw new TrackingException(isJson && Text(root, "error_code") is { } code ? code : $"HTTP_{(int)response.StatusCode}", message);
            }

            if (!isJson || !root.TryGetProperty("experiment", out var experiment) || Text(experiment, "experiment_id") is not { } id)
            {
                throw new TrackingException($"MLflow GET {Endpoint} answered without an experiment: {Snippet(body)}");
            }

            var stage = Text(experiment, "lifecycle_stage") ?? "active";
            return stage == "deleted"
                ? null
                : new Experiment(id, Text(experiment, "name") ?? name, Text(experiment, "artifact_location") ?? "", stage);
        }
    }

    private static async Task<List<Experiment>> ReadLocalAsync(string trackerRoot, CancellationToken cancellationToken)
    {
        var found = new List<Experiment>();
        var directory = Path.Combine(trackerRoot, "experiments");
        if (!Directory.Exists(directory))
        {
            return found;
        }

        foreach (var meta in Directory.EnumerateFiles(directory, "meta.json", SearchOption.AllDirectories))
        {
            JsonElement root;
            try
            {
                await using var stream = File.OpenRead(meta);
                using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
                root = document.RootElement.Clone();
            }
            catch (Exception ex) when (ex is JsonException or IOException)
            {
                continue; // being replaced by a writer (temp + rename), or not ours
            }

            if (Text(root, "id") is { } id && Text(root, "name") is { } name && Text(root, "lifecycle_stage") is "active")
            {
                found.Add(new Experiment(id, name, Text(root, "artifact_location") ?? "", "active"));
            }
        }

        return found;
    }

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static string Snippet(string body)
    {
        var flat = body.ReplaceLineEndings(" ").Trim();
        return flat.Length <= 200 ? flat : flat[..200] + "…";
    }
}

using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SpotifyBuddies.Infrastructure.Tracking;

/// <summary>
/// Where the local tracker keeps things under its root directory (times in Unix milliseconds, JSON in UTF-8):
/// <code>
/// experiments/.lock                              held while an experiment is created, deleted or restored
/// experiments/&lt;id&gt;/meta.json                   {id, name, artifact_location, lifecycle_stage, creation_time, last_update_time}
/// runs/&lt;run_id&gt;/meta.json                      {run_id, experiment_id, run_name, status, start_time, end_time, artifact_uri, lifecycle_stage}
/// runs/&lt;run_id&gt;/params.json                    {key: value}   rewritten atomically under the run's lock
/// runs/&lt;run_id&gt;/tags.json                      {key: value}   same
/// runs/&lt;run_id&gt;/metrics/&lt;key&gt;.jsonl            one {"value","timestamp","step"} line per point, append-only
/// runs/&lt;run_id&gt;/.lock                          held while the run's files change
/// registry/.lock                                 held while a registered model is created
/// registry/&lt;model&gt;/meta.json                   {name, description, creation_time, last_updated_time, aliases{alias: version}}
/// registry/&lt;model&gt;/versions/&lt;n&gt;.json          {version, source, run_id, status, creation_time, tags}
/// registry/&lt;model&gt;/.lock                       held while versions or aliases change
/// </code>
/// Keys and names are escaped for file names (<see cref="Escape"/>). Run artifacts are not here: they go to the
/// <see cref="Core.Artifacts.IArtifactStore"/> under <c>runs/&lt;run_id&gt;/artifacts/…</c>.
/// </summary>
internal sealed class LocalTrackerFiles(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public string ExperimentsLock => Path.Combine(Root, "experiments", ".lock");

    public string ExperimentsDirectory => Path.Combine(Root, "experiments");

    public string ExperimentMeta(string id) => Path.Combine(Root, "experiments", id, "meta.json");

    public string RunsDirectory => Path.Combine(Root, "runs");

    public string RunDirectory(string runId) => Path.Combine(Root, "runs", runId);

    public string RunMeta(string runId) => Path.Combine(RunDirectory(runId), "meta.json");

    public string RunParams(string runId) => Path.Combine(RunDirectory(runId), "params.json");

    public string RunTags(string runId) => Path.Combine(RunDirectory(runId), "tags.json");

    public string RunLock(string runId) => Path.Combine(RunDirectory(runId), ".lock");

    public string RunMetricsDirectory(string runId) => Path.Combine(RunDirectory(runId), "metrics");

    public string RunMetric(string runId, string key) => Path.Combine(RunMetricsDirectory(runId), Escape(key) + ".jsonl");

    public string RegistryDirectory => Path.Combine(Root, "registry");

    public string RegistryLock => Path.Combine(Root, "registry", ".lock");

    public string ModelDirectory(string name) => Path.Combine(Root, "registry", Escape(name));

    public string ModelMeta(string name) => Path.Combine(ModelDirectory(name), "meta.json");

    public string ModelLock(string name) => Path.Combine(ModelDirectory(name), ".lock");

    public string ModelVersion(string name, long version) => Path.Combine(ModelDirectory(name), "versions", $"{version}.json");

    public string ModelVersionsDirectory(string name) => Path.Combine(ModelDirectory(name), "versions");

    /// <summary>A file-name-safe form of a key or name: letters, digits, '_', '-' and inner '.' stay; the rest is %XX (UTF-8).</summary>
    public static string Escape(string value)
    {
        var builder = new StringBuilder(value.Length);
        var bytes = Encoding.UTF8.GetBytes(value);
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            var plain = b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'_' or (byte)'-'
                || (b == (byte)'.' && i > 0);
            if (plain)
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    public static string Unescape(string value) => Uri.UnescapeDataString(value);
}

internal sealed record ExperimentFile(string Id, string Name, string ArtifactLocation, string LifecycleStage, long CreationTime, long LastUpdateTime);

internal sealed record RunFile(
    string RunId,
    string ExperimentId,
    string? RunName,
    string Status,
    long StartTime,
    long? EndTime,
    string ArtifactUri,
    string LifecycleStage);

internal sealed record MetricLine(double Value, long Timestamp, long Step);

internal sealed record ModelFile(string Name, string? Description, long CreationTime, long LastUpdatedTime, Dictionary<string, string> Aliases);

internal sealed record VersionFile(long Version, string Source, string? RunId, string Status, long CreationTime, Dictionary<string, string> Tags);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ExperimentFile))]
[JsonSerializable(typeof(RunFile))]
[JsonSerializable(typeof(MetricLine))]
[JsonSerializable(typeof(ModelFile))]
[JsonSerializable(typeof(VersionFile))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class LocalTrackerJson : JsonSerializerContext;

/// <summary>Reads and writes the JSON files of <see cref="LocalTrackerFiles"/>.</summary>
internal static class JsonFile
{
    public static async Task<T?> ReadAsync<T>(string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.Asynchronous);
            return await JsonSerializer.DeserializeAsync(stream, type, cancellationToken)
                ?? throw new InvalidDataException($"'{path}' holds null.");
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is not valid tracker JSON: {ex.Message}", ex);
        }
    }

    public static Task WriteAsync<T>(string path, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        AtomicFile.WriteAllBytesAsync(path, JsonSerializer.SerializeToUtf8Bytes(value, type), cancellationToken);
}

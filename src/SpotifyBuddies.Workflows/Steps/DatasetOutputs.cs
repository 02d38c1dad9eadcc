using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SpotifyBuddies.Data.Datasets;

namespace SpotifyBuddies.Workflows.Steps;

/// <summary>What the dataset-producing steps share: reading a complete earlier output's manifest, and its counts as outputs.</summary>
internal static class DatasetOutputs
{
    /// <summary>How the capabilities serialise their parameters into a manifest (snake_case).</summary>
    public static readonly JsonSerializerOptions ParameterJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The manifest of a complete dataset of <paramref name="kind"/> in <paramref name="directory"/>, or null.</summary>
    public static async Task<DatasetManifest?> ReadCompleteAsync(string directory, string kind, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, DatasetManifest.FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        var manifest = await DatasetManifest.ReadAsync(path, cancellationToken);
        return string.Equals(manifest.Kind, kind, StringComparison.Ordinal) ? manifest : null;
    }

    /// <summary>True when every input the manifest names is still the file it read (same path and size).</summary>
    public static bool InputsUnchanged(DatasetManifest manifest, IEnumerable<string> expectedPaths)
    {
        var expected = expectedPaths.Select(Path.GetFullPath).ToHashSet(StringComparer.Ordinal);
        return manifest.Inputs.Count == expected.Count
            && manifest.Inputs.All(i => expected.Contains(i.Path) && File.Exists(i.Path) && new FileInfo(i.Path).Length == i.Bytes);
    }

    /// <summary>Every headline count of the manifest, as an output object.</summary>
    public static JsonObject Counts(DatasetManifest manifest) =>
        new(manifest.Counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => new KeyValuePair<string, JsonNode?>(c.Key, c.Value)));

    public static long Count(DatasetManifest manifest, string name) => manifest.Counts.TryGetValue(name, out var value) ? value : 0;

    public static JsonArray Warnings(DatasetManifest manifest) => [.. manifest.Warnings.Select(w => (JsonNode?)w)];

    /// <exception cref="StepFailedException">A non-empty directory the step does not own and cannot reuse.</exception>
    public static void ThrowIfForeignOutput(StepOutput target, string what)
    {
        if (!target.Owned && Directory.Exists(target.Path) && Directory.EnumerateFileSystemEntries(target.Path).Any())
        {
            throw new StepFailedException(
                $"'{target.Path}' is not empty and holds no {what} made from the same inputs; remove it, or leave 'out' unset to write into the step's work directory.");
        }
    }
}

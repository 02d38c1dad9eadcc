using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SpotifyBuddies.Core.Artifacts;
using SpotifyBuddies.Data.Datasets;
using SpotifyBuddies.Models.Pairing;
using SpotifyBuddies.Workflows.Catalog;

namespace SpotifyBuddies.Workflows.Steps;

/// <summary>
/// Publishes a pairing output (neighbours, candidate pools, no-pool users, statistics, manifest.json) to the artifact
/// store under <c>datasets/pairing/&lt;content hash, 16 hex&gt;/</c>, then replaces the pointer
/// <c>pointers/pairing.json</c> that names it, so serving finds the current pools with one read.
/// </summary>
/// <remarks>
/// <para>The pointer is written last: a reader never sees it name a version whose files are not all stored. A re-run
/// skips files the store already holds with the same SHA-256 and rewrites the pointer.</para>
/// <para>Pointer format (JSON, snake_case): <c>kind</c> ("pairing"), <c>version</c>, <c>prefix</c> (ends with '/'),
/// <c>content_hash</c>, <c>parent</c> (the prepared dataset's content hash), <c>files</c> (names under the prefix),
/// <c>pools</c> (the key of pools.parquet), <c>published_at</c>, <c>workflow</c>, <c>run_id</c>, <c>step</c>.</para>
/// </remarks>
public static class PairingPublisher
{
    public const string Name = "pairing";

    public static string PointerKey => ArtifactKeys.Current(Name);

    /// <summary>Uploads the pairing in <paramref name="directory"/> and points <see cref="PointerKey"/> at it; returns the version prefix.</summary>
    public static async Task<string> PublishAsync(
        IArtifactStore store,
        string directory,
        DatasetManifest manifest,
        StepContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(context);
        var version = manifest.ContentHash[..16];
        var uploaded = 0;
        var kept = 0;
        foreach (var file in manifest.Files)
        {
            var key = ArtifactKeys.Dataset(Name, version, file.Name);
            var stored = await store.StatAsync(key, cancellationToken);
            if (stored is not null && string.Equals(stored.Sha256, file.Sha256, StringComparison.Ordinal))
            {
                kept++;
                continue;
            }

            await store.PutFileAsync(key, Path.Combine(directory, file.Name), cancellationToken);
            uploaded++;
        }

        await store.PutFileAsync(ArtifactKeys.Dataset(Name, version, DatasetManifest.FileName), Path.Combine(directory, DatasetManifest.FileName), cancellationToken);
        context.Log($"published {uploaded} file(s) to {store.Location}/{ArtifactKeys.Dataset(Name, version)}/ ({kept} already there) and manifest.json");

        var pointer = new JsonObject
        {
            ["kind"] = Name,
            ["version"] = version,
            ["prefix"] = ArtifactKeys.Dataset(Name, version) + "/",
            ["content_hash"] = manifest.ContentHash,
            ["parent"] = manifest.Parent,
            ["files"] = new JsonArray([.. manifest.Files.Select(f => (JsonNode?)f.Name), DatasetManifest.FileName]),
            ["pools"] = ArtifactKeys.Dataset(Name, version, PairingLayout.Pools),
            ["published_at"] = DateTimeOffset.UtcNow,
            ["workflow"] = context.Workflow,
            ["run_id"] = context.RunId.ToString(),
            ["step"] = context.StepId,
        };
        var bytes = Encoding.UTF8.GetBytes(pointer.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        using var content = new MemoryStream(bytes);
        await store.PutAsync(PointerKey, content, bytes.Length, cancellationToken);
        context.Log($"pointer {PointerKey} → version {version}");
        return ArtifactKeys.Dataset(Name, version) + "/";
    }
}

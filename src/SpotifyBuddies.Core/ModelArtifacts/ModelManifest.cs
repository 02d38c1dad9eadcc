using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace SpotifyBuddies.Core.ModelArtifacts;

/// <summary>
/// <c>model.json</c> of a model artifact directory: what the model is, how it was trained, on which dataset, and how
/// well it did. The embeddings sit beside it in safetensors (<see cref="EmbeddingsFile"/>); the id maps
/// (<c>users.parquet</c>, <c>playlists.parquet</c>, copied from the dataset) translate dense indexes to external ids.
/// </summary>
public sealed record ModelManifest
{
    public const string FileName = "model.json";
    public const string CurrentFormat = "spotifybuddies-model/v1";
    public const string UserTensor = "user_embeddings";
    public const string PlaylistTensor = "playlist_embeddings";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string Format { get; init; } = CurrentFormat;

    /// <summary>e.g. <c>bpr</c>.</summary>
    public required string Kind { get; init; }

    public required string Name { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required int Users { get; init; }

    public required int Playlists { get; init; }

    public required int Dimensions { get; init; }

    /// <summary>The embeddings file (tensors <see cref="UserTensor"/> [users, d] and <see cref="PlaylistTensor"/> [playlists, d], F32).</summary>
    public string EmbeddingsFile { get; init; } = "embeddings.safetensors";

    /// <summary>Id-map files in the artifact directory: role → file name (users, playlists).</summary>
    public required IReadOnlyDictionary<string, string> IdMaps { get; init; }

    /// <summary>Content hash of the prepared dataset it was trained on.</summary>
    public required string DatasetHash { get; init; }

    /// <summary>Training settings (hyperparameters, backend, device, threads, …).</summary>
    public required JsonObject Training { get; init; }

    /// <summary>Final metrics (e.g. <c>val_mrr</c>, <c>test_hit_10</c>, <c>popularity_val_mrr</c>).</summary>
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    /// <summary>Tracking run that produced it, when tracked.</summary>
    public string? RunId { get; init; }

    public async Task WriteAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = File.Create(path);
        await JsonSerializer.SerializeAsync(stream, this, Json, cancellationToken);
    }

    /// <exception cref="InvalidDataException">Not a model.json of a known format.</exception>
    public static async Task<ModelManifest> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = File.OpenRead(path);
        ModelManifest? manifest;
        try
        {
            manifest = await JsonSerializer.DeserializeAsync<ModelManifest>(stream, Json, cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: not a valid model manifest: {ex.Message}", ex);
        }

        if (manifest is null || !string.Equals(manifest.Format, CurrentFormat, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: format '{manifest?.Format}' is not '{CurrentFormat}'.");
        }

        return manifest;
    }
}

/// <summary>A loaded model artifact: its manifest and both embedding tables (row-major). Needs no TorchSharp.</summary>
public sealed record ModelArtifact(ModelManifest Manifest, float[] UserEmbeddings, float[] PlaylistEmbeddings)
{
    /// <summary>Loads <c>model.json</c> and the embeddings from an artifact directory, checking shapes against the manifest.</summary>
    /// <exception cref="FileNotFoundException">No model.json.</exception>
    /// <exception cref="InvalidDataException">The files disagree with the manifest.</exception>
    public static async Task<ModelArtifact> LoadAsync(string directory, CancellationToken cancellationToken = default)
    {
        var manifestPath = Path.Combine(directory, ModelManifest.FileName);
        if (!File.Exists(manifestPath))
        {
            throw new FileNotFoundException($"'{directory}' has no {ModelManifest.FileName}: it is not a model artifact.", manifestPath);
        }

        var manifest = await ModelManifest.ReadAsync(manifestPath, cancellationToken);
        var tensors = SafeTensors.Read(Path.Combine(directory, manifest.EmbeddingsFile));
        var users = Table(tensors, ModelManifest.UserTensor, manifest.Users, manifest.Dimensions);
        var playlists = Table(tensors, ModelManifest.PlaylistTensor, manifest.Playlists, manifest.Dimensions);
        return new ModelArtifact(manifest, users, playlists);
    }

    private static float[] Table(SafeTensorsFile file, string name, int rows, int dimensions)
    {
        var tensor = file[name];
        if (tensor.Shape.Count != 2 || tensor.Shape[0] != rows || tensor.Shape[1] != dimensions)
        {
            throw new InvalidDataException($"tensor '{name}' has shape [{string.Join(", ", tensor.Shape)}]; model.json says [{rows}, {dimensions}].");
        }

        return tensor.ToFloat32();
    }
}

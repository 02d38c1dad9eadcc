using SpotifyBuddies.Core.ModelArtifacts;
using SpotifyBuddies.Data.Datasets;

namespace SpotifyBuddies.Models.Ranking;

/// <summary>
/// A saved model directory's embeddings laid out in a prepared dataset's index space, so
/// <see cref="BprEvaluator"/> can score that dataset's evaluation rows with it.
/// </summary>
/// <param name="SameDataset">True when the model was trained on this very dataset (same content hash): its tables are used as they are.</param>
/// <param name="UsersMapped">Dataset users the model knows (all of them on the same dataset).</param>
/// <param name="PlaylistsMapped">Dataset playlists the model knows (all of them on the same dataset).</param>
public sealed record AlignedBprModel(
    ModelManifest Manifest,
    BprEmbeddings Embeddings,
    bool SameDataset,
    int UsersMapped,
    int PlaylistsMapped);

/// <summary>
/// Evaluation of a saved model artifact (model.json + safetensors) on a prepared dataset, e.g. a workflow's
/// candidate and the registered champion on the same test rows.
/// </summary>
/// <remarks>
/// A model trained on another dataset (last week's, say) has other dense indexes. Its rows are then matched to the
/// dataset's through the id maps both directories carry (<c>users.parquet</c> <c>user_id</c>, <c>playlists.parquet</c>
/// <c>pid</c>); a user or playlist the model never saw gets a zero vector, so it scores 0 and, with pessimistic ties,
/// ranks as a model that knows nothing about it would.
/// </remarks>
public static class BprModelEvaluation
{
    /// <summary>Loads <paramref name="modelDir"/> and aligns it with <paramref name="dataset"/>.</summary>
    /// <exception cref="FileNotFoundException">The directory has no model.json or no id map.</exception>
    /// <exception cref="InvalidDataException">The files disagree with the manifest, or an id map is malformed.</exception>
    public static async Task<AlignedBprModel> LoadAlignedAsync(string modelDir, BprDataset dataset, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDir);
        ArgumentNullException.ThrowIfNull(dataset);
        var artifact = await ModelArtifact.LoadAsync(modelDir, cancellationToken);
        var manifest = artifact.Manifest;
        if (string.Equals(manifest.DatasetHash, dataset.Manifest.ContentHash, StringComparison.Ordinal)
            && manifest.Users == dataset.Users && manifest.Playlists == dataset.Playlists)
        {
            var same = new BprEmbeddings(manifest.Users, manifest.Playlists, manifest.Dimensions, artifact.UserEmbeddings, artifact.PlaylistEmbeddings);
            return new AlignedBprModel(manifest, same, true, dataset.Users, dataset.Playlists);
        }

        var modelUsers = await ParquetTableReader.ReadStringAsync(IdMap(modelDir, manifest, "users", PreparedDatasetLayout.Users), "user_id", cancellationToken);
        var datasetUsers = await ParquetTableReader.ReadStringAsync(Path.Combine(dataset.Root, PreparedDatasetLayout.Users), "user_id", cancellationToken);
        var modelPlaylists = await ParquetTableReader.ReadInt32Async(IdMap(modelDir, manifest, "playlists", PreparedDatasetLayout.Playlists), "pid", cancellationToken);
        var datasetPlaylists = await ParquetTableReader.ReadInt32Async(Path.Combine(dataset.Root, PreparedDatasetLayout.Playlists), "pid", cancellationToken);
        Expect(modelUsers.Length, manifest.Users, "users", modelDir);
        Expect(modelPlaylists.Length, manifest.Playlists, "playlists", modelDir);
        Expect(datasetUsers.Length, dataset.Users, "users", dataset.Root);
        Expect(datasetPlaylists.Length, dataset.Playlists, "playlists", dataset.Root);

        var d = manifest.Dimensions;
        var users = Remap(Index(modelUsers, StringComparer.Ordinal), datasetUsers, artifact.UserEmbeddings, d, out var usersMapped);
        var playlists = Remap(Index(modelPlaylists, EqualityComparer<int>.Default), datasetPlaylists, artifact.PlaylistEmbeddings, d, out var playlistsMapped);
        var aligned = new BprEmbeddings(dataset.Users, dataset.Playlists, d, users, playlists);
        return new AlignedBprModel(manifest, aligned, false, usersMapped, playlistsMapped);
    }

    private static string IdMap(string modelDir, ModelManifest manifest, string role, string fallback)
    {
        var file = manifest.IdMaps.TryGetValue(role, out var name) ? name : fallback;
        var path = Path.Combine(modelDir, file);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"The model in '{modelDir}' was trained on another dataset and has no '{role}' id map ({file}) to match its indexes to this one's.", path);
    }

    private static void Expect(int rows, int count, string what, string where)
    {
        if (rows != count)
        {
            throw new InvalidDataException($"'{where}': the {what} id map has {rows} rows; the manifest says {count}.");
        }
    }

    private static Dictionary<T, int> Index<T>(T[] ids, IEqualityComparer<T> comparer)
        where T : notnull
    {
        var index = new Dictionary<T, int>(ids.Length, comparer);
        for (var i = 0; i < ids.Length; i++)
        {
            index.TryAdd(ids[i], i);
        }

        return index;
    }

    private static float[] Remap<T>(Dictionary<T, int> modelIndex, T[] datasetIds, float[] modelTable, int d, out int mapped)
        where T : notnull
    {
        var table = new float[(long)datasetIds.Length * d];
        mapped = 0;
        for (var row = 0; row < datasetIds.Length; row++)
        {
            if (modelIndex.TryGetValue(datasetIds[row], out var source))
            {
                Array.Copy(modelTable, (long)source * d, table, (long)row * d, d);
                mapped++;
            }
        }

        return table;
    }
}

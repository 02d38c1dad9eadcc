namespace SpotifyBuddies.Models.Pairing.Approximate;

/// <summary>
/// Builds HNSW indexes over <see cref="UserVectors"/> (Malkov and Yashunin, "Efficient and robust
/// approximate nearest neighbor search using Hierarchical Navigable Small World graphs", 2018, with
/// hnswlib's parameters and neighbour-selection heuristic). Building is separate from querying: build
/// once with <see cref="BuildFile"/>, then any number of processes <see cref="AnnIndex.Open"/> the file.
/// </summary>
/// <remarks>
/// Similarity is the dot product of the unit vectors (cosine). Only users with a non-empty library
/// become nodes. Each node's layer is drawn from <see cref="AnnIndexOptions.Seed"/> and its user index
/// (geometric, mean 1/ln M), so the layer structure never depends on thread timing. Insertion runs
/// on <see cref="AnnIndexOptions.MaxDegreeOfParallelism"/> threads taking nodes in ascending order, with
/// a striped lock per node list for writers (reverse links and pruning) and a global lock only while a
/// node that raises the top layer is inserted, as hnswlib does; with one thread the output is
/// byte-for-byte reproducible.
/// </remarks>
public static class AnnIndexBuilder
{
    /// <summary>Builds an index in memory; <see cref="AnnIndex.Save"/> writes it out.</summary>
    public static AnnIndex Build(
        UserVectors vectors,
        AnnIndexOptions? options = null,
        IProgress<SearchProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        options ??= new AnnIndexOptions();
        options.EnsureValid();
        return new HnswBuilder(vectors, options).Build(progress, cancellationToken);
    }

    /// <summary>Builds an index and writes it to <paramref name="path"/> (atomically: temporary file, then rename).</summary>
    public static AnnIndexInfo BuildFile(
        UserVectors vectors,
        string path,
        AnnIndexOptions? options = null,
        IProgress<SearchProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var index = Build(vectors, options, progress, cancellationToken);
        index.Save(path, cancellationToken);
        return index.Info;
    }
}

using SpotifyBuddies.Data.Datasets;

namespace SpotifyBuddies.Models.Ranking;

/// <summary>
/// What BPR training reads from a prepared dataset: the shuffled raw triplets (memory-mapped, streamed), the
/// validation and test rows, and train-positive counts per playlist for the popularity baseline.
/// </summary>
public sealed class BprDataset : IDisposable
{
    private BprDataset(string root, DatasetManifest manifest, int users, int playlists, TripletSource triplets, EvaluationBatchSet validation, EvaluationBatchSet test, float[] popularity)
    {
        Root = root;
        Manifest = manifest;
        Users = users;
        Playlists = playlists;
        Triplets = triplets;
        Validation = validation;
        Test = test;
        Popularity = popularity;
    }

    public string Root { get; }

    public DatasetManifest Manifest { get; }

    public int Users { get; }

    public int Playlists { get; }

    public TripletSource Triplets { get; }

    public EvaluationBatchSet Validation { get; }

    public EvaluationBatchSet Test { get; }

    /// <summary>Train positives per playlist (split 0 of positives.parquet): the popularity baseline's score.</summary>
    public float[] Popularity { get; }

    /// <summary>Opens a prepared dataset directory.</summary>
    /// <exception cref="FileNotFoundException">No manifest: not a complete prepared dataset.</exception>
    /// <exception cref="InvalidDataException">Another kind of dataset, or files inconsistent with the manifest (index out of range, wrong shape).</exception>
    public static async Task<BprDataset> OpenAsync(string datasetDir, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(datasetDir);
        var root = Path.GetFullPath(datasetDir);
        var manifest = await PreparedDatasetManifest.ReadAsync(root, "training", cancellationToken);
        var users = PreparedDatasetManifest.Count(manifest, "users", root);
        var playlists = PreparedDatasetManifest.Count(manifest, "playlists", root);
        var tripletCount = PreparedDatasetManifest.Count(manifest, "triplets", root);
        var validation = LoadRows(root, manifest, PreparedDatasetLayout.ValidationBatchesRaw, users, playlists);
        var test = LoadRows(root, manifest, PreparedDatasetLayout.TestBatchesRaw, users, playlists);
        var popularity = await PopularityAsync(root, playlists, cancellationToken);

        var tripletPath = Path.Combine(root, PreparedDatasetLayout.TripletsRaw);
        var triplets = TripletSource.Open(tripletPath);
        try
        {
            if (triplets.Count != tripletCount)
            {
                throw new InvalidDataException($"'{tripletPath}' holds {triplets.Count} triplets; the manifest says {tripletCount}.");
            }

            if (triplets.Count == 0)
            {
                throw new InvalidDataException($"'{tripletPath}' holds no triplets: nothing to train on (are there users with train positives and negatives?).");
            }

            CheckTriplets(triplets, users, playlists, tripletPath);
            return new BprDataset(root, manifest, users, playlists, triplets, validation, test, popularity);
        }
        catch
        {
            triplets.Dispose();
            throw;
        }
    }

    public void Dispose() => Triplets.Dispose();

    private static EvaluationBatchSet LoadRows(string root, DatasetManifest manifest, string name, int users, int playlists)
    {
        var file = manifest.Files.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal))
            ?? throw new InvalidDataException($"The dataset manifest lists no '{name}'.");
        if (file.Shape is not { Count: 2 } shape || shape[1] < 3)
        {
            throw new InvalidDataException($"'{name}': the manifest gives no [rows, 2 + negatives] shape.");
        }

        var path = Path.Combine(root, name);
        var rows = EvaluationBatchSet.Load(path, checked((int)shape[1] - 2));
        if (rows.Count != shape[0])
        {
            throw new InvalidDataException($"'{path}' holds {rows.Count} rows; the manifest says {shape[0]}.");
        }

        var values = rows.Values;
        for (var i = 0; i < values.Length; i++)
        {
            var column = i % rows.Width;
            var limit = column == 0 ? users : playlists;
            var min = column < 2 ? 0 : -1;
            if (values[i] < min || values[i] >= limit)
            {
                throw new InvalidDataException(
                    $"'{path}' row {i / rows.Width}, column {column}: index {values[i]} is outside {min}..{limit - 1}.");
            }
        }

        return rows;
    }

    private static void CheckTriplets(TripletSource triplets, int users, int playlists, string path)
    {
        const int chunk = 1 << 16;
        for (long first = 0; first < triplets.Count; first += chunk)
        {
            var rows = triplets.Rows(first, (int)Math.Min(chunk, triplets.Count - first));
            for (var i = 0; i < rows.Length; i++)
            {
                var limit = i % 3 == 0 ? users : playlists;
                if ((uint)rows[i] >= (uint)limit)
                {
                    throw new InvalidDataException(
                        $"'{path}' triplet {first + (i / 3)}, column {i % 3}: index {rows[i]} is outside 0..{limit - 1}.");
                }
            }
        }
    }

    private static async Task<float[]> PopularityAsync(string root, int playlists, CancellationToken cancellationToken)
    {
        var path = Path.Combine(root, PreparedDatasetLayout.Positives);
        var playlistColumn = await ParquetTableReader.ReadInt32Async(path, "playlist_idx", cancellationToken);
        var splitColumn = await ParquetTableReader.ReadInt32Async(path, "split", cancellationToken);
        var counts = new float[playlists];
        for (var i = 0; i < playlistColumn.Length; i++)
        {
            if (splitColumn[i] == PreparedDatasetLayout.SplitTrain)
            {
                if ((uint)playlistColumn[i] >= (uint)playlists)
                {
                    throw new InvalidDataException($"'{path}' row {i}: playlist_idx {playlistColumn[i]} is outside 0..{playlists - 1}.");
                }

                counts[playlistColumn[i]]++;
            }
        }

        return counts;
    }
}

namespace SpotifyBuddies.Data.Datasets;

/// <summary>Opening a prepared dataset's manifest for a consumer (pairing, training), with the checks they all need.</summary>
public static class PreparedDatasetManifest
{
    /// <summary>Reads <c>manifest.json</c> of <paramref name="root"/> and checks it is a complete <see cref="PreparedDatasetLayout.Kind"/> dataset.</summary>
    /// <param name="purpose">What the caller does with it, for messages: "pairing", "training".</param>
    /// <exception cref="FileNotFoundException">No manifest: not a complete prepared dataset (the manifest is written last).</exception>
    /// <exception cref="InvalidDataException">The manifest is of another kind of dataset.</exception>
    public static async Task<DatasetManifest> ReadAsync(string root, string purpose, CancellationToken cancellationToken = default)
    {
        var manifestPath = Path.Combine(root, DatasetManifest.FileName);
        if (!File.Exists(manifestPath))
        {
            throw new FileNotFoundException(
                $"'{root}' has no {DatasetManifest.FileName}: it is not a complete prepared dataset (run 'buddies data prepare').", manifestPath);
        }

        var manifest = await DatasetManifest.ReadAsync(manifestPath, cancellationToken);
        if (!string.Equals(manifest.Kind, PreparedDatasetLayout.Kind, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{root}' is a '{manifest.Kind}' dataset; {purpose} needs a '{PreparedDatasetLayout.Kind}' one.");
        }

        return manifest;
    }

    /// <summary>A row count of the manifest that fits an <see cref="int"/> index space.</summary>
    /// <exception cref="InvalidDataException">The count is missing or out of range.</exception>
    public static int Count(DatasetManifest manifest, string name, string root)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return manifest.Counts.TryGetValue(name, out var value) && value is >= 0 and <= int.MaxValue
            ? (int)value
            : throw new InvalidDataException($"The manifest of '{root}' has no valid '{name}' count.");
    }
}

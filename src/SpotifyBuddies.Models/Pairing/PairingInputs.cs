using SpotifyBuddies.Core.Pairing;
using SpotifyBuddies.Data.Datasets;

namespace SpotifyBuddies.Models.Pairing;

/// <summary>What pairing reads from a prepared dataset: song libraries, ownership and train positives.</summary>
public sealed record PairingInputs
{
    public required string DatasetDir { get; init; }

    public required DatasetManifest Manifest { get; init; }

    public required int Users { get; init; }

    public required int Playlists { get; init; }

    public required UserLibraries Libraries { get; init; }

    /// <summary>Playlists per owner (disjoint rows).</summary>
    public required UserPlaylists Owned { get; init; }

    /// <summary>Each user's train positives (split 0); cold users have none.</summary>
    public required UserPlaylists TrainLiked { get; init; }

    /// <summary>The dataset files read, as manifest inputs (hashes taken from the dataset's manifest).</summary>
    public required IReadOnlyList<DatasetInput> Files { get; init; }

    /// <summary>Reads <see cref="PreparedDatasetLayout.UserSongs"/>, <see cref="PreparedDatasetLayout.Ownership"/> and <see cref="PreparedDatasetLayout.Positives"/>.</summary>
    /// <exception cref="FileNotFoundException">The directory has no manifest (it is not a complete prepared dataset).</exception>
    /// <exception cref="InvalidDataException">The manifest is not a prepared dataset's, or a table is inconsistent.</exception>
    public static async Task<PairingInputs> LoadAsync(string datasetDir, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(datasetDir);
        var root = Path.GetFullPath(datasetDir);
        var manifest = await PreparedDatasetManifest.ReadAsync(root, "pairing", cancellationToken);
        var users = PreparedDatasetManifest.Count(manifest, "users", root);
        var playlists = PreparedDatasetManifest.Count(manifest, "playlists", root);
        var songs = PreparedDatasetManifest.Count(manifest, "songs", root);

        var libraries = UserLibrariesLoader.LoadAsync(root, users, songs, cancellationToken);
        var ownershipPath = Path.Combine(root, PreparedDatasetLayout.Ownership);
        var ownedPlaylists = ParquetTableReader.ReadInt32Async(ownershipPath, "playlist_idx", cancellationToken);
        var owners = ParquetTableReader.ReadInt32Async(ownershipPath, "owner_user_idx", cancellationToken);
        var positivesPath = Path.Combine(root, PreparedDatasetLayout.Positives);
        var positiveUsers = ParquetTableReader.ReadInt32Async(positivesPath, "user_idx", cancellationToken);
        var positivePlaylists = ParquetTableReader.ReadInt32Async(positivesPath, "playlist_idx", cancellationToken);
        var splits = ParquetTableReader.ReadInt32Async(positivesPath, "split", cancellationToken);
        await Task.WhenAll(libraries, ownedPlaylists, owners, positiveUsers, positivePlaylists, splits);

        var (ownerColumn, ownedColumn) = (await owners, await ownedPlaylists);
        var (userColumn, playlistColumn, splitColumn) = (await positiveUsers, await positivePlaylists, await splits);
        UserPlaylists owned;
        try
        {
            owned = UserPlaylists.FromPairs(users, playlists, ownerColumn, ownedColumn, disjoint: true);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"'{ownershipPath}': {ex.Message}", ex);
        }

        UserPlaylists trainLiked;
        try
        {
            trainLiked = TrainRows(users, playlists, userColumn, playlistColumn, splitColumn);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"'{positivesPath}': {ex.Message}", ex);
        }

        return new PairingInputs
        {
            DatasetDir = root,
            Manifest = manifest,
            Users = users,
            Playlists = playlists,
            Libraries = await libraries,
            Owned = owned,
            TrainLiked = trainLiked,
            Files =
            [
                .. new[] { PreparedDatasetLayout.UserSongs, PreparedDatasetLayout.Ownership, PreparedDatasetLayout.Positives }
                    .Select(name => Input(manifest, root, name)),
            ],
        };
    }

    private static UserPlaylists TrainRows(int users, int playlists, int[] userIdx, int[] playlistIdx, int[] split)
    {
        if (split.Length != userIdx.Length)
        {
            throw new ArgumentException("The split column differs in length from the user column.", nameof(split));
        }

        var train = 0;
        foreach (var code in split)
        {
            train += code == PreparedDatasetLayout.SplitTrain ? 1 : 0;
        }

        var trainUsers = new int[train];
        var trainPlaylists = new int[train];
        var n = 0;
        for (var i = 0; i < split.Length; i++)
        {
            if (split[i] == PreparedDatasetLayout.SplitTrain)
            {
                trainUsers[n] = userIdx[i];
                trainPlaylists[n] = playlistIdx[i];
                n++;
            }
        }

        return UserPlaylists.FromPairs(users, playlists, trainUsers, trainPlaylists, disjoint: false);
    }

    private static DatasetInput Input(DatasetManifest manifest, string root, string name)
    {
        DatasetFile file;
        try
        {
            file = manifest.FileNamed(name);
        }
        catch (KeyNotFoundException ex)
        {
            throw new InvalidDataException($"The manifest of '{root}' does not list {name}.", ex);
        }

        return new DatasetInput
        {
            Role = PreparedDatasetLayout.Kind,
            Path = Path.Combine(root, name),
            Bytes = file.Bytes,
            Sha256 = file.Sha256,
        };
    }
}

using System.Globalization;
using SpotifyBuddies.Data.Datasets;

namespace SpotifyBuddies.Models.Pairing;

/// <summary>Builds <see cref="UserLibraries"/> from (user, song) pairs, e.g. <c>user_songs.parquet</c> of a prepared dataset.</summary>
public static class UserLibrariesLoader
{
    /// <summary>Reads <see cref="PreparedDatasetLayout.UserSongs"/> of <paramref name="datasetDirectory"/>.</summary>
    /// <param name="datasetDirectory">A prepared dataset.</param>
    /// <param name="users">Size of the user index space (the manifest's <c>users</c> count).</param>
    /// <param name="songs">Size of the song index space (the manifest's <c>songs</c> count).</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <exception cref="InvalidDataException">An index is out of range or a user lists a song twice.</exception>
    public static async Task<UserLibraries> LoadAsync(string datasetDirectory, int users, int songs, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(datasetDirectory);
        var path = Path.Combine(datasetDirectory, PreparedDatasetLayout.UserSongs);
        var userIdx = await ParquetTableReader.ReadInt32Async(path, "user_idx", cancellationToken);
        var songIdx = await ParquetTableReader.ReadInt32Async(path, "song_idx", cancellationToken);
        try
        {
            return FromPairs(users, songs, userIdx, songIdx);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"'{path}': {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The libraries of <paramref name="users"/> users over <paramref name="songs"/> songs from parallel columns, in
    /// any row order; each row comes out ascending. Users without a pair get an empty library.
    /// </summary>
    /// <exception cref="ArgumentException">The columns differ in length, an index is out of range, or a pair repeats.</exception>
    public static UserLibraries FromPairs(int users, int songs, ReadOnlySpan<int> userIdx, ReadOnlySpan<int> songIdx)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(users);
        ArgumentOutOfRangeException.ThrowIfNegative(songs);
        if (userIdx.Length != songIdx.Length)
        {
            throw new ArgumentException(
                Invariant($"The user and song columns differ in length ({userIdx.Length} and {songIdx.Length})."), nameof(songIdx));
        }

        var offsets = new int[users + 1];
        for (var i = 0; i < userIdx.Length; i++)
        {
            if ((uint)userIdx[i] >= (uint)users)
            {
                throw new ArgumentException(Invariant($"Row {i}: user {userIdx[i]} is outside 0..{users - 1}."), nameof(userIdx));
            }

            if ((uint)songIdx[i] >= (uint)songs)
            {
                throw new ArgumentException(Invariant($"Row {i}: song {songIdx[i]} is outside 0..{songs - 1}."), nameof(songIdx));
            }

            offsets[userIdx[i] + 1]++;
        }

        for (var u = 0; u < users; u++)
        {
            offsets[u + 1] += offsets[u];
        }

        var cursor = offsets.AsSpan(0, users).ToArray();
        var values = new int[userIdx.Length];
        var sorted = true;
        for (var i = 0; i < userIdx.Length; i++)
        {
            var at = cursor[userIdx[i]]++;
            values[at] = songIdx[i];
            sorted &= at == offsets[userIdx[i]] || values[at - 1] < values[at];
        }

        for (var u = 0; u < users; u++)
        {
            var row = values.AsSpan(offsets[u], offsets[u + 1] - offsets[u]);
            if (!sorted)
            {
                row.Sort();
            }

            for (var i = 1; i < row.Length; i++)
            {
                if (row[i] == row[i - 1])
                {
                    throw new ArgumentException(Invariant($"User {u} lists song {row[i]} twice."), nameof(songIdx));
                }
            }
        }

        return new UserLibraries(users, songs, offsets, values);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

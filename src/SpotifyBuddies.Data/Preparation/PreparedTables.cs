using SpotifyBuddies.Data.Datasets;

namespace SpotifyBuddies.Data.Preparation;

/// <summary>A Parquet table of the dataset and what it holds.</summary>
internal sealed record WrittenTable(string Name, long Rows, IReadOnlyList<ColumnSchema> Columns, string Description);

/// <summary>
/// Writes the tables that are known once splits and ownership are decided (everything but the triplets and the
/// evaluation batches), each on its own task, while the negatives phase runs. Rows are appended in index order
/// and row groups are cut at exact multiples of the row-group size, so the bytes depend on the content only.
/// </summary>
internal static class PreparedTables
{
    public static async Task<IReadOnlyList<WrittenTable>> WriteAsync(
        PreparedState state,
        LoadedInputs inputs,
        string directory,
        CancellationToken cancellationToken)
    {
        Task<WrittenTable> Start(string name, IReadOnlyList<ColumnSchema> columns, string description, Func<ParquetTableWriter, CancellationToken, Task> fill) =>
            Task.Run(() => WriteTableAsync(directory, name, columns, description, fill, cancellationToken), cancellationToken);

        var tables = new[]
        {
            Start(PreparedDatasetLayout.Users, PreparedDatasetLayout.UsersColumns, "id map of the kept users", (w, ct) => UsersAsync(w, state, inputs, ct)),
            Start(PreparedDatasetLayout.Playlists, PreparedDatasetLayout.PlaylistsColumns, "id map of the kept playlists (liked by at least one kept user)", (w, ct) => PlaylistsAsync(w, state, inputs, ct)),
            Start(PreparedDatasetLayout.Songs, PreparedDatasetLayout.SongsColumns, "id map of the songs in a kept library or playlist", (w, ct) => SongsAsync(w, state, inputs, ct)),
            Start(PreparedDatasetLayout.UserSongs, PreparedDatasetLayout.UserSongsColumns, "user libraries (the binary user x song matrix)", (w, ct) => UserSongsAsync(w, state, inputs, ct)),
            Start(PreparedDatasetLayout.PlaylistSongs, PreparedDatasetLayout.PlaylistSongsColumns, "playlist contents (the binary playlist x song matrix)", (w, ct) => PlaylistSongsAsync(w, state, ct)),
            Start(PreparedDatasetLayout.Likes, PreparedDatasetLayout.LikesColumns, "liked playlists per user, in the like order", (w, ct) => LikesAsync(w, state, ct)),
            Start(PreparedDatasetLayout.Positives, PreparedDatasetLayout.PositivesColumns, "train/validation/test split of the warm users' likes", (w, ct) => PositivesAsync(w, state, ct)),
            Start(PreparedDatasetLayout.ColdUsers, PreparedDatasetLayout.ColdUsersColumns, "users held out as new/cold users", (w, ct) => ColdUsersAsync(w, state, ct)),
            Start(PreparedDatasetLayout.Ownership, PreparedDatasetLayout.OwnershipColumns, "owner of each owned playlist", (w, ct) => OwnershipAsync(w, state, ct)),
        };

        return await Task.WhenAll(tables);
    }

    private static async Task<WrittenTable> WriteTableAsync(
        string directory,
        string name,
        IReadOnlyList<ColumnSchema> columns,
        string description,
        Func<ParquetTableWriter, CancellationToken, Task> fill,
        CancellationToken cancellationToken)
    {
        await using var writer = await ParquetTableWriter.CreateAsync(Path.Combine(directory, name), columns, cancellationToken: cancellationToken);
        await fill(writer, cancellationToken);
        await writer.CompleteAsync(cancellationToken);
        return new WrittenTable(name, writer.RowsWritten, columns, description);
    }

    private static async Task UsersAsync(ParquetTableWriter writer, PreparedState state, LoadedInputs inputs, CancellationToken cancellationToken)
    {
        var (index, id, source, songs, exploration) = (writer.Ints(0), writer.Strings(1), writer.Ints(2), writer.Ints(3), writer.Doubles(4));
        for (var u = 0; u < state.UserCount; u++)
        {
            index.Add(u);
            id.Add(inputs.UserIds[state.UserSource[u]]);
            source.Add(state.UserSource[u]);
            songs.Add(state.UserSongCount[u]);
            exploration.Add(state.Exploration[u]);
            await writer.FlushIfFullAsync(cancellationToken);
        }
    }

    private static async Task PlaylistsAsync(ParquetTableWriter writer, PreparedState state, LoadedInputs inputs, CancellationToken cancellationToken)
    {
        var (index, pid, name, source, songs) = (writer.Ints(0), writer.Ints(1), writer.Strings(2), writer.Ints(3), writer.Ints(4));
        for (var p = 0; p < state.PlaylistCount; p++)
        {
            var original = state.PlaylistSource[p];
            index.Add(p);
            pid.Add(inputs.PlaylistPids[original]);
            name.Add(inputs.PlaylistNames[original]);
            source.Add(original);
            songs.Add(state.PlaylistSongs.Length(p));
            await writer.FlushIfFullAsync(cancellationToken);
        }
    }

    private static async Task SongsAsync(ParquetTableWriter writer, PreparedState state, LoadedInputs inputs, CancellationToken cancellationToken)
    {
        var (index, key) = (writer.Ints(0), writer.Strings(1));
        for (var s = 0; s < state.SongSource.Length; s++)
        {
            index.Add(s);
            key.Add(inputs.SongKeys[state.SongSource[s]]);
            await writer.FlushIfFullAsync(cancellationToken);
        }
    }

    private static async Task UserSongsAsync(ParquetTableWriter writer, PreparedState state, LoadedInputs inputs, CancellationToken cancellationToken)
    {
        var (user, song) = (writer.Ints(0), writer.Ints(1));
        for (var u = 0; u < state.UserCount; u++)
        {
            var row = inputs.UserSongs.Offsets[state.UserSource[u]];
            var end = inputs.UserSongs.Offsets[state.UserSource[u] + 1];
            for (; row < end; row++)
            {
                user.Add(u);
                song.Add(state.SongMap[inputs.UserSongs.Values[row]]);
                await writer.FlushIfFullAsync(cancellationToken);
            }
        }
    }

    private static async Task PlaylistSongsAsync(ParquetTableWriter writer, PreparedState state, CancellationToken cancellationToken)
    {
        var (playlist, song) = (writer.Ints(0), writer.Ints(1));
        var rows = state.PlaylistSongs;
        for (var p = 0; p < state.PlaylistCount; p++)
        {
            for (var i = rows.Offsets[p]; i < rows.Offsets[p + 1]; i++)
            {
                playlist.Add(p);
                song.Add(state.SongMap[rows.Values[i]]);
                await writer.FlushIfFullAsync(cancellationToken);
            }
        }
    }

    private static async Task LikesAsync(ParquetTableWriter writer, PreparedState state, CancellationToken cancellationToken)
    {
        var (user, playlist, matches, score, rank) = (writer.Ints(0), writer.Ints(1), writer.Ints(2), writer.Doubles(3), writer.Ints(4));
        for (var u = 0; u < state.UserCount; u++)
        {
            var liked = state.Liked[u];
            for (var r = 0; r < liked.Length; r++)
            {
                user.Add(u);
                playlist.Add(liked[r].Playlist.Value);
                matches.Add(liked[r].Matches);
                score.Add(liked[r].Score);
                rank.Add(r);
                await writer.FlushIfFullAsync(cancellationToken);
            }
        }
    }

    private static async Task PositivesAsync(ParquetTableWriter writer, PreparedState state, CancellationToken cancellationToken)
    {
        var (user, playlist, split) = (writer.Ints(0), writer.Ints(1), writer.Ints(2));
        for (var u = 0; u < state.UserCount; u++)
        {
            if (state.Splits[u] is not { } parts)
            {
                continue;
            }

            foreach (var (code, items) in new[]
            {
                (PreparedDatasetLayout.SplitTrain, parts.Train),
                (PreparedDatasetLayout.SplitValidation, parts.Validation),
                (PreparedDatasetLayout.SplitTest, parts.Test),
            })
            {
                foreach (var item in items)
                {
                    user.Add(u);
                    playlist.Add(item.Value);
                    split.Add(code);
                    await writer.FlushIfFullAsync(cancellationToken);
                }
            }
        }
    }

    private static async Task ColdUsersAsync(ParquetTableWriter writer, PreparedState state, CancellationToken cancellationToken)
    {
        var user = writer.Ints(0);
        foreach (var cold in state.ColdUsers)
        {
            user.Add(cold.Value);
            await writer.FlushIfFullAsync(cancellationToken);
        }
    }

    private static async Task OwnershipAsync(ParquetTableWriter writer, PreparedState state, CancellationToken cancellationToken)
    {
        var (playlist, owner) = (writer.Ints(0), writer.Ints(1));
        var owners = state.Ownership!.OwnerByPlaylist;
        for (var p = 0; p < owners.Length; p++)
        {
            if (owners[p] >= 0)
            {
                playlist.Add(p);
                owner.Add(owners[p]);
                await writer.FlushIfFullAsync(cancellationToken);
            }
        }
    }
}

using System.Globalization;

namespace SpotifyBuddies.Core.Pairing;

/// <summary>
/// A set of playlists per user (who owns what, who liked what in training) as CSR rows: user u's are
/// <c>Values[Offsets[u]..Offsets[u+1]]</c>, ascending and distinct.
/// </summary>
public sealed class UserPlaylists
{
    private UserPlaylists(int users, int playlists, int[] offsets, int[] values)
    {
        Users = users;
        Playlists = playlists;
        Offsets = offsets;
        Values = values;
    }

    public int Users { get; }

    /// <summary>Size of the playlist index space.</summary>
    public int Playlists { get; }

    public int[] Offsets { get; }

    public int[] Values { get; }

    /// <summary>Entries over all users.</summary>
    public int Count => Values.Length;

    /// <summary>The playlists of <paramref name="user"/>, ascending (empty when none).</summary>
    public ReadOnlySpan<int> Of(int user) => Values.AsSpan(Offsets[user], Offsets[user + 1] - Offsets[user]);

    public int CountOf(int user) => Offsets[user + 1] - Offsets[user];

    /// <summary>How many entries <paramref name="users"/> have together.</summary>
    public int CountOf(ReadOnlySpan<int> users)
    {
        var total = 0;
        foreach (var user in users)
        {
            total += CountOf(user);
        }

        return total;
    }

    /// <summary>
    /// Builds the rows from parallel (user, playlist) columns in any order, e.g. <c>ownership.parquet</c>'s
    /// (owner_user_idx, playlist_idx) or the train rows of <c>positives.parquet</c>.
    /// </summary>
    /// <param name="users">Size of the user index space.</param>
    /// <param name="playlists">Size of the playlist index space.</param>
    /// <param name="userIdx">The user of each pair.</param>
    /// <param name="playlistIdx">The playlist of each pair.</param>
    /// <param name="disjoint">Whether a playlist may belong to one user only (ownership): a second user is an error.</param>
    /// <exception cref="ArgumentException">The columns differ in length, an index is out of range, a pair repeats, or (with <paramref name="disjoint"/>) a playlist has two users.</exception>
    public static UserPlaylists FromPairs(int users, int playlists, ReadOnlySpan<int> userIdx, ReadOnlySpan<int> playlistIdx, bool disjoint)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(users);
        ArgumentOutOfRangeException.ThrowIfNegative(playlists);
        if (playlistIdx.Length != userIdx.Length)
        {
            throw new ArgumentException(
                Invariant($"The user and playlist columns differ in length ({userIdx.Length} and {playlistIdx.Length})."), nameof(playlistIdx));
        }

        var holder = disjoint ? new int[playlists] : [];
        if (disjoint)
        {
            holder.AsSpan().Fill(-1);
        }

        var offsets = new int[users + 1];
        for (var i = 0; i < playlistIdx.Length; i++)
        {
            var user = userIdx[i];
            var playlist = playlistIdx[i];
            if ((uint)user >= (uint)users)
            {
                throw new ArgumentException(Invariant($"Row {i}: user {user} is outside 0..{users - 1}."), nameof(userIdx));
            }

            if ((uint)playlist >= (uint)playlists)
            {
                throw new ArgumentException(Invariant($"Row {i}: playlist {playlist} is outside 0..{playlists - 1}."), nameof(playlistIdx));
            }

            if (disjoint)
            {
                if (holder[playlist] >= 0 && holder[playlist] != user)
                {
                    throw new ArgumentException(
                        Invariant($"Row {i}: playlist {playlist} belongs to user {holder[playlist]} and to user {user}."), nameof(playlistIdx));
                }

                holder[playlist] = user;
            }

            offsets[user + 1]++;
        }

        for (var u = 0; u < users; u++)
        {
            offsets[u + 1] += offsets[u];
        }

        var cursor = offsets.AsSpan(0, users).ToArray();
        var values = new int[playlistIdx.Length];
        for (var i = 0; i < playlistIdx.Length; i++)
        {
            values[cursor[userIdx[i]]++] = playlistIdx[i];
        }

        for (var u = 0; u < users; u++)
        {
            var row = values.AsSpan(offsets[u], offsets[u + 1] - offsets[u]);
            row.Sort();
            for (var j = 1; j < row.Length; j++)
            {
                if (row[j] == row[j - 1])
                {
                    throw new ArgumentException(Invariant($"User {u} has playlist {row[j]} twice."), nameof(playlistIdx));
                }
            }
        }

        return new UserPlaylists(users, playlists, offsets, values);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

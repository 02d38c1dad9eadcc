namespace SpotifyBuddies.Core.Preparation;

/// <summary>Playlist ownership.</summary>
public static class OwnershipAssigner
{
    /// <summary><c>score / √s</c> with s at least 1.</summary>
    public static double Priority(double score, int userSongs) => score / Math.Sqrt(Math.Max(1, userSongs));

    /// <summary>
    /// Playlists in ascending index order (= MPD file order); each playlist's candidates by priority descending,
    /// ties to the higher user index; the playlist goes to the first candidate owning fewer than <paramref name="cap"/>.
    /// A playlist whose candidates are all at the cap stays unowned (counted, never silent).
    /// </summary>
    /// <remarks>
    /// <para>Candidates may come in any order. Every candidate's playlist must be in [0, <paramref name="playlistCount"/>)
    /// and its user non-negative. Priorities compare with <see cref="double.CompareTo(double)"/> (NaN lowest).</para>
    /// <para>O(candidates + playlists) time: candidates are bucketed by playlist (a counting sort of their positions,
    /// one int each), and since owned counts change only between playlists, "the first candidate below the cap in
    /// priority order" is simply the best-ranked candidate below the cap, found in one scan of the bucket.</para>
    /// </remarks>
    public static OwnershipResult Assign(int playlistCount, ReadOnlySpan<OwnershipCandidate> candidates, int cap)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(playlistCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cap);

        // Bucket boundaries: candidates of playlist p occupy order[bucketStart[p] .. bucketStart[p + 1]).
        var bucketStart = new int[playlistCount + 1];
        var maxUser = -1;
        foreach (var candidate in candidates)
        {
            var playlist = candidate.Playlist.Value;
            if ((uint)playlist >= (uint)playlistCount)
            {
                throw new ArgumentException(
                    $"Candidate playlist {candidate.Playlist} is outside [0, {playlistCount}).", nameof(candidates));
            }

            if (candidate.User.Value < 0)
            {
                throw new ArgumentException($"Candidate user {candidate.User} is negative.", nameof(candidates));
            }

            bucketStart[playlist + 1]++;
            maxUser = Math.Max(maxUser, candidate.User.Value);
        }

        for (var p = 0; p < playlistCount; p++)
        {
            bucketStart[p + 1] += bucketStart[p];
        }

        var order = new int[candidates.Length];
        var cursor = bucketStart.AsSpan(0, playlistCount).ToArray();
        for (var i = 0; i < candidates.Length; i++)
        {
            order[cursor[candidates[i].Playlist.Value]++] = i;
        }

        var ownerByPlaylist = new int[playlistCount];
        var owned = new int[maxUser + 1];
        var owners = 0;
        var unownedWithCandidates = 0;
        var withoutCandidates = 0;
        for (var p = 0; p < playlistCount; p++)
        {
            var start = bucketStart[p];
            var end = bucketStart[p + 1];
            if (start == end)
            {
                ownerByPlaylist[p] = -1;
                withoutCandidates++;
                continue;
            }

            var bestUser = -1;
            var bestPriority = 0.0;
            for (var k = start; k < end; k++)
            {
                var candidate = candidates[order[k]];
                var user = candidate.User.Value;
                if (owned[user] >= cap)
                {
                    continue;
                }

                if (bestUser < 0 || RanksBefore(candidate.Priority, user, bestPriority, bestUser))
                {
                    bestUser = user;
                    bestPriority = candidate.Priority;
                }
            }

            ownerByPlaylist[p] = bestUser;
            if (bestUser < 0)
            {
                unownedWithCandidates++;
            }
            else if (owned[bestUser]++ == 0)
            {
                owners++;
            }
        }

        return new OwnershipResult(ownerByPlaylist, owners, unownedWithCandidates, withoutCandidates);
    }

    /// <summary>Priority descending, then user index descending.</summary>
    private static bool RanksBefore(double priority, int user, double otherPriority, int otherUser)
    {
        var byPriority = priority.CompareTo(otherPriority);
        return byPriority > 0 || (byPriority == 0 && user > otherUser);
    }
}

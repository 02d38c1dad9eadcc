using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Core.Pairing;

/// <summary>What one user's walk over their candidates found.</summary>
/// <param name="Neighbours">Candidates kept (owners of at least one playlist); their positions are in the walk's <c>kept</c> span.</param>
/// <param name="Reachable">Playlists those neighbours own, less the user's exclusions (with repeats only if rows overlap).</param>
/// <param name="Walked">Candidates looked at (all of them unless the minimums were met first).</param>
/// <param name="MetMinimums">Whether both minimums were met; otherwise every owner among the candidates was kept.</param>
public readonly record struct NeighbourWalk(int Neighbours, int Reachable, int Walked, bool MetMinimums);

/// <summary>
/// The original's neighbour selection (original-system.md §2) as pure functions over spans: order the top-K
/// candidates, then walk them, skipping candidates who own no playlist, until there are at least
/// <c>minNeighbours</c> neighbours and <c>minPlaylists</c> reachable playlists; if that never happens every
/// owner among the candidates is kept.
/// </summary>
public static class NeighbourSelection
{
    /// <summary>
    /// The order in which to walk a user's candidates: fills <paramref name="ranks"/> with the similarity ranks
    /// 0, 1, 2, … (most similar first), or, with <paramref name="shuffle"/>, a uniform permutation of them drawn from
    /// <paramref name="random"/> (the original shuffled its top 100 and so lost the similarity order). Step i of the
    /// walk visits the candidate of rank <c>ranks[i]</c>.
    /// </summary>
    public static void WalkOrder(Span<int> ranks, bool shuffle, DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        for (var i = 0; i < ranks.Length; i++)
        {
            ranks[i] = i;
        }

        if (shuffle)
        {
            random.Shuffle(ranks);
        }
    }

    /// <summary>
    /// Walks <paramref name="candidates"/> in order for <paramref name="user"/>: a candidate who is the user or owns
    /// no playlist is skipped; any other becomes a neighbour (its position in <paramref name="candidates"/> is written
    /// to <paramref name="kept"/>) and adds the playlists they own that are not in <paramref name="excluded"/> to
    /// <paramref name="reachable"/>. The walk stops right after the neighbour that brings both counts to their minimums.
    /// </summary>
    /// <param name="user">The user the neighbours are for.</param>
    /// <param name="candidates">Candidate users in walk order.</param>
    /// <param name="owned">Who owns which playlists.</param>
    /// <param name="excluded">Playlists the user must not be offered, ascending (see <see cref="CandidatePool.Exclusions"/>).</param>
    /// <param name="minNeighbours">Neighbours needed to stop (at least 1).</param>
    /// <param name="minPlaylists">Reachable playlists needed to stop (at least 0).</param>
    /// <param name="kept">Receives the positions (in <paramref name="candidates"/>) of the neighbours, in walk order; at least as long as <paramref name="candidates"/>.</param>
    /// <param name="reachable">Receives the reachable playlists; at least <see cref="UserPlaylists.CountOf(ReadOnlySpan{int})"/> of the candidates long.</param>
    public static NeighbourWalk Walk(
        int user,
        ReadOnlySpan<int> candidates,
        UserPlaylists owned,
        ReadOnlySpan<int> excluded,
        int minNeighbours,
        int minPlaylists,
        Span<int> kept,
        Span<int> reachable)
    {
        ArgumentNullException.ThrowIfNull(owned);
        ArgumentOutOfRangeException.ThrowIfLessThan(minNeighbours, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(minPlaylists);
        if (kept.Length < candidates.Length)
        {
            throw new ArgumentException("The kept buffer must be at least as long as the candidates.", nameof(kept));
        }

        var neighbours = 0;
        var reached = 0;
        for (var i = 0; i < candidates.Length; i++)
        {
            var candidate = candidates[i];
            if (candidate == user)
            {
                continue;
            }

            var playlists = owned.Of(candidate);
            if (playlists.IsEmpty)
            {
                continue;
            }

            kept[neighbours++] = i;
            if (reachable.Length - reached < playlists.Length)
            {
                throw new ArgumentException("The reachable buffer is shorter than the playlists the candidates own.", nameof(reachable));
            }

            if (excluded.IsEmpty)
            {
                playlists.CopyTo(reachable[reached..]);
                reached += playlists.Length;
            }
            else
            {
                foreach (var playlist in playlists)
                {
                    if (excluded.BinarySearch(playlist) < 0)
                    {
                        reachable[reached++] = playlist;
                    }
                }
            }

            if (neighbours >= minNeighbours && reached >= minPlaylists)
            {
                return new NeighbourWalk(neighbours, reached, i + 1, MetMinimums: true);
            }
        }

        return new NeighbourWalk(neighbours, reached, candidates.Length, MetMinimums: false);
    }
}

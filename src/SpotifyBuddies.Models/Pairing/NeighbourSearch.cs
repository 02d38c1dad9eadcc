namespace SpotifyBuddies.Models.Pairing;

/// <summary>
/// Users' song libraries as a CSR matrix of binary user × song vectors: user u's songs are
/// <c>Songs[Offsets[u]..Offsets[u+1]]</c>, unique and ascending.
/// </summary>
public sealed class UserLibraries
{
    public UserLibraries(int users, int songs, int[] offsets, int[] songIndexes)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentNullException.ThrowIfNull(songIndexes);
        if (offsets.Length != users + 1 || offsets[^1] != songIndexes.Length)
        {
            throw new ArgumentException("offsets must have users + 1 entries ending at the number of song entries", nameof(offsets));
        }

        Users = users;
        Songs = songs;
        Offsets = offsets;
        SongIndexes = songIndexes;
    }

    public int Users { get; }
    public int Songs { get; }
    public int[] Offsets { get; }
    public int[] SongIndexes { get; }

    public ReadOnlySpan<int> Library(int user) => SongIndexes.AsSpan(Offsets[user], Offsets[user + 1] - Offsets[user]);
}

/// <summary>
/// Up to <see cref="K"/> neighbours per user, most similar first: user u's are
/// <c>Neighbours[u*K .. u*K + Counts[u]]</c> with <c>Similarities</c> alongside. Never contains the user itself.
/// Equal similarities are ordered by ascending user index (deterministic).
/// </summary>
public sealed record NeighbourLists(int Users, int K, int[] Counts, int[] Neighbours, float[] Similarities)
{
    public ReadOnlySpan<int> Of(int user) => Neighbours.AsSpan(user * K, Counts[user]);

    public ReadOnlySpan<float> SimilaritiesOf(int user) => Similarities.AsSpan(user * K, Counts[user]);
}

/// <summary>Progress of a neighbour search: users done of total.</summary>
public sealed record SearchProgress(string Phase, long Done, long Total);

/// <summary>
/// Finds each user's top-K taste neighbours by cosine similarity of binary song libraries.
/// Implementations: exact (sparse, inverted index) and approximate (ANN index file).
/// </summary>
public interface INeighbourSearch
{
    /// <summary>Engine name as used on the command line (<c>exact</c>, <c>approximate</c>).</summary>
    string Name { get; }

    NeighbourLists Search(UserLibraries libraries, int k, IProgress<SearchProgress>? progress = null, CancellationToken cancellationToken = default);
}

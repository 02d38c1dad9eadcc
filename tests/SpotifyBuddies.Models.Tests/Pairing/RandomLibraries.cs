using SpotifyBuddies.Core.Randomness;
using SpotifyBuddies.Models.Pairing;

namespace SpotifyBuddies.Models.Tests.Pairing;

/// <summary>Small random song libraries with the awkward cases built in: empty libraries, identical libraries, popular songs.</summary>
internal static class RandomLibraries
{
    /// <param name="users">Users.</param>
    /// <param name="songs">Songs (the first tenth are "popular": most users have some of them).</param>
    /// <param name="maxLibrary">Largest library drawn.</param>
    /// <param name="seed">Seed.</param>
    public static UserLibraries Create(int users, int songs, int maxLibrary, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var rows = new List<int[]>(users);
        var popular = Math.Max(1, songs / 10);
        for (var u = 0; u < users; u++)
        {
            var kind = random.NextInt(10);
            if (kind == 0)
            {
                rows.Add([]); // empty library
            }
            else if (kind == 1 && rows.Count > 0)
            {
                rows.Add(rows[random.NextInt(rows.Count)]); // a copy: ties
            }
            else
            {
                var size = random.NextInt(1, maxLibrary + 1);
                var library = new SortedSet<int>();
                while (library.Count < Math.Min(size, songs))
                {
                    library.Add(random.NextBool(0.4) ? random.NextInt(popular) : random.NextInt(songs));
                }

                rows.Add([.. library]);
            }
        }

        return FromRows(songs, rows);
    }

    public static UserLibraries FromRows(int songs, IReadOnlyList<int[]> rows)
    {
        var offsets = new int[rows.Count + 1];
        for (var u = 0; u < rows.Count; u++)
        {
            offsets[u + 1] = offsets[u] + rows[u].Length;
        }

        return new UserLibraries(rows.Count, songs, offsets, [.. rows.SelectMany(r => r)]);
    }
}

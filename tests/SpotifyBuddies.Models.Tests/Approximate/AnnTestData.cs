using SpotifyBuddies.Core.Randomness;
using SpotifyBuddies.Models.Pairing;
using SpotifyBuddies.Models.Pairing.Approximate;

namespace SpotifyBuddies.Models.Tests.Approximate;

/// <summary>Deterministic data for the approximate-engine tests.</summary>
internal static class AnnTestData
{
    /// <summary>
    /// Unit vectors around <paramref name="clusters"/> random centres (Gaussian noise of
    /// <paramref name="noise"/> per coordinate), with every <paramref name="emptyEvery"/>-th row all zeros
    /// (an empty library) when given.
    /// </summary>
    public static UserVectors Clustered(int users, int dimensions, int clusters, double noise, ulong seed, int emptyEvery = 0)
    {
        var random = new DeterministicRandom(seed);
        var centres = new float[clusters * dimensions];
        for (var i = 0; i < centres.Length; i++)
        {
            centres[i] = (float)random.NextGaussian();
        }

        var values = new float[users * dimensions];
        for (var u = 0; u < users; u++)
        {
            if (emptyEvery > 0 && u % emptyEvery == emptyEvery - 1)
            {
                continue;
            }

            var c = random.NextInt(clusters);
            for (var j = 0; j < dimensions; j++)
            {
                values[(u * dimensions) + j] = centres[(c * dimensions) + j] + (float)(noise * random.NextGaussian());
            }
        }

        return UserVectors.FromValues(users, dimensions, values);
    }

    /// <summary>Libraries drawn from a few taste groups (each user mostly picks songs of one group), some empty.</summary>
    public static UserLibraries TasteGroups(int users, int songs, int groups, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var rows = new List<int[]>(users);
        var perGroup = songs / groups;
        for (var u = 0; u < users; u++)
        {
            if (u % 13 == 5)
            {
                rows.Add([]);
                continue;
            }

            var group = random.NextInt(groups);
            var size = random.NextInt(5, 30);
            var library = new SortedSet<int>();
            while (library.Count < size)
            {
                library.Add(random.NextBool(0.8) ? (group * perGroup) + random.NextInt(perGroup) : random.NextInt(songs));
            }

            rows.Add([.. library]);
        }

        var offsets = new int[users + 1];
        for (var u = 0; u < users; u++)
        {
            offsets[u + 1] = offsets[u] + rows[u].Length;
        }

        return new UserLibraries(users, songs, offsets, [.. rows.SelectMany(r => r)]);
    }

    /// <summary>Cosine of two ascending song lists.</summary>
    public static double Cosine(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        if (a.IsEmpty || b.IsEmpty)
        {
            return 0;
        }

        int i = 0, j = 0, shared = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j])
            {
                shared++;
                i++;
                j++;
            }
            else if (a[i] < b[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return shared / Math.Sqrt((double)a.Length * b.Length);
    }
}

using SpotifyBuddies.Models.Pairing;

namespace SpotifyBuddies.Models.Tests.Pairing;

/// <summary>
/// The reference the engines are checked against: dense binary vectors, every pair's dot product (over the query's
/// songs), a full sort.
/// Order: cosine descending compared exactly (shared²·|b'| vs shared'²·|b| in 128-bit integers), then user ascending;
/// pairs sharing nothing are not neighbours.
/// </summary>
internal static class BruteForceNeighbours
{
    public static (int[] Users, double[] Similarities)[] Compute(UserLibraries libraries, int k)
    {
        var n = libraries.Users;
        var dense = new bool[n, libraries.Songs];
        var sizes = new int[n];
        for (var u = 0; u < n; u++)
        {
            foreach (var song in libraries.Library(u))
            {
                dense[u, song] = true;
            }

            sizes[u] = libraries.Library(u).Length;
        }

        var result = new (int[] Users, double[] Similarities)[n];
        for (var u = 0; u < n; u++)
        {
            var candidates = new List<(int User, int Shared)>();
            for (var v = 0; v < n; v++)
            {
                if (v == u)
                {
                    continue;
                }

                var shared = 0;
                foreach (var song in libraries.Library(u))
                {
                    shared += dense[v, song] ? 1 : 0;
                }

                if (shared > 0)
                {
                    candidates.Add((v, shared));
                }
            }

            candidates.Sort((a, b) =>
            {
                var left = (Int128)a.Shared * a.Shared * sizes[b.User];
                var right = (Int128)b.Shared * b.Shared * sizes[a.User];
                return left != right ? right.CompareTo(left) : a.User.CompareTo(b.User);
            });
            var top = candidates.Take(k).ToArray();
            result[u] = (
                [.. top.Select(c => c.User)],
                [.. top.Select(c => c.Shared / (Math.Sqrt(sizes[u]) * Math.Sqrt(sizes[c.User])))]);
        }

        return result;
    }
}

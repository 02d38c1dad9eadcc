using System.Globalization;

namespace SpotifyBuddies.Core.Pairing;

/// <summary>
/// The KNN pairing rules of original-system.md §2, all overridable; validated before a run. The defaults are the
/// original's "v2" run, except that candidates are walked in similarity order (the original shuffled them; set
/// <see cref="ShuffleCandidates"/> to reproduce that) and the user's own and train-liked playlists are left out of
/// the pool (the original kept them).
/// </summary>
public sealed record PairingParameters
{
    /// <summary>Seed of every random decision (candidate shuffles, pool samples).</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Candidates per user: the K most similar users. At least 1.</summary>
    public int K { get; init; } = 100;

    /// <summary>The walk may stop once it has this many neighbours (owners)… At least 1.</summary>
    public int MinNeighbours { get; init; } = 50;

    /// <summary>…and this many reachable playlists. At least 0.</summary>
    public int MinPlaylists { get; init; } = 20;

    /// <summary>Most playlists in a user's candidate pool (a uniform sample when more are reachable). At least 1.</summary>
    public int PoolSize { get; init; } = 75;

    /// <summary>Walk the candidates in a per-user random order instead of similarity order (the original's behaviour).</summary>
    public bool ShuffleCandidates { get; init; }

    /// <summary>Every problem with the parameters (empty when valid), each naming the parameter.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        RequireAtLeast(problems, nameof(K), K, 1);
        RequireAtLeast(problems, nameof(MinNeighbours), MinNeighbours, 1);
        RequireAtLeast(problems, nameof(MinPlaylists), MinPlaylists, 0);
        RequireAtLeast(problems, nameof(PoolSize), PoolSize, 1);
        return problems;
    }

    private static void RequireAtLeast(List<string> problems, string name, int value, int minimum)
    {
        if (value < minimum)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{name} must be at least {minimum}; got {value}."));
        }
    }
}

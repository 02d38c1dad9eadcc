using System.Globalization;

namespace SpotifyBuddies.Models.Pairing.Approximate;

/// <summary>
/// Parameters of an HNSW index, named and defaulted as in hnswlib so the two can be compared like for like.
/// </summary>
/// <remarks>
/// The speed/recall knob is <see cref="EfSearch"/> (stored in the file as the default, overridable per
/// query): a larger candidate list costs proportionally more time and never lowers recall in
/// expectation. <see cref="M"/> and <see cref="EfConstruction"/> trade build time and file size for a
/// better graph.
/// </remarks>
public sealed record AnnIndexOptions
{
    public const int DefaultM = 16;
    public const int DefaultEfConstruction = 200;
    public const int DefaultEfSearch = 100;

    /// <summary>Links per node on the upper layers; layer 0 keeps up to 2·M. In [2, 256].</summary>
    public int M { get; init; } = DefaultM;

    /// <summary>Candidate list size while inserting. At least 1 (raised to M when smaller, as in hnswlib).</summary>
    public int EfConstruction { get; init; } = DefaultEfConstruction;

    /// <summary>
    /// Default candidate list size for queries, recorded in the file. At least 1; a search for K
    /// neighbours always uses at least K (K + 1 when the query is an indexed user, who is dropped).
    /// </summary>
    public int EfSearch { get; init; } = DefaultEfSearch;

    /// <summary>Seed of the layer assignment (each node's layer depends only on the seed and the user index).</summary>
    public ulong Seed { get; init; } = UserVectors.DefaultSeed;

    /// <summary>
    /// Threads inserting at once; -1 (the default) means one per core. With 1 the build is fully
    /// deterministic (same file bytes every time); with more, concurrent insertions interleave
    /// differently from run to run, so the graph (not its expected recall) varies slightly.
    /// </summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>Every problem with the options (empty when valid), each naming the option.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (M is < 2 or > 256)
        {
            problems.Add(Invariant($"{nameof(M)} must be in [2, 256]; got {M}."));
        }

        if (EfConstruction < 1)
        {
            problems.Add(Invariant($"{nameof(EfConstruction)} must be at least 1; got {EfConstruction}."));
        }

        if (EfSearch < 1)
        {
            problems.Add(Invariant($"{nameof(EfSearch)} must be at least 1; got {EfSearch}."));
        }

        if (MaxDegreeOfParallelism is 0 or < -1)
        {
            problems.Add(Invariant($"{nameof(MaxDegreeOfParallelism)} must be -1 (all cores) or at least 1; got {MaxDegreeOfParallelism}."));
        }

        return problems;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem, if any.</summary>
    public void EnsureValid()
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems));
        }
    }

    internal int Threads => MaxDegreeOfParallelism == -1 ? Environment.ProcessorCount : MaxDegreeOfParallelism;

    private static string Invariant(FormattableString message) => message.ToString(CultureInfo.InvariantCulture);
}

using System.Diagnostics;

namespace SpotifyBuddies.Models.Pairing.Approximate;

/// <summary>What the last <see cref="ApproximateNeighbourSearch.Search"/> did with the index file.</summary>
/// <param name="IndexPath">The file used, or null for an in-memory index.</param>
/// <param name="Reused">An existing file matched the libraries and options and was opened instead of rebuilt.</param>
/// <param name="RebuildReason">Why an existing file was not reused (stale, unreadable, or asked to rebuild); null otherwise.</param>
/// <param name="IndexTime">Time to get the index (open, or hash vectors + build + save).</param>
/// <param name="SearchTime">Time to search every user.</param>
public sealed record ApproximateRunInfo(string? IndexPath, bool Reused, string? RebuildReason, TimeSpan IndexTime, TimeSpan SearchTime);

/// <summary>
/// The <c>approximate</c> pairing engine: embeds the libraries as dense unit vectors
/// (<see cref="UserVectors"/>, truncated SVD by default), builds an HNSW index over them (<see cref="AnnIndexBuilder"/>), or opens the
/// one already at <see cref="ApproximateSearchOptions.IndexPath"/> when it was built from the same
/// libraries with the same options, and searches every user's top K in parallel.
/// </summary>
/// <remarks>
/// Similarities are dot products of the dense vectors, approximating the libraries' cosine (see
/// <see cref="UserVectors"/> for how closely); recall against the exact dense reference is set by
/// <see cref="ApproximateSearchOptions.EfSearch"/>. A file built from other libraries, with other options, of another
/// format version or damaged is rebuilt and replaced atomically (<see cref="LastRun"/> says why).
/// Users with empty libraries get no neighbours and are nobody's neighbour; the user is never their
/// own neighbour; lists are ordered by similarity, then user index.
/// </remarks>
public sealed class ApproximateNeighbourSearch(ApproximateSearchOptions? options = null) : INeighbourSearch
{
    public const string EngineName = "approximate";

    public string Name => EngineName;

    public ApproximateSearchOptions Options { get; } = options ?? new ApproximateSearchOptions();

    /// <summary>What the most recent search did (not synchronised: one search at a time per instance for this to be meaningful).</summary>
    public ApproximateRunInfo? LastRun { get; private set; }

    public NeighbourLists Search(UserLibraries libraries, int k, IProgress<SearchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(libraries);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var clock = Stopwatch.StartNew();
        using var index = OpenOrBuild(libraries, progress, cancellationToken, out var reused, out var reason);
        var indexTime = clock.Elapsed;
        var lists = index.SearchAll(k, Options.EfSearch, Options.MaxDegreeOfParallelism, progress, cancellationToken);
        LastRun = new ApproximateRunInfo(Options.IndexPath, reused, reason, indexTime, clock.Elapsed - indexTime);
        return lists;
    }

    /// <summary>
    /// The index for these libraries: the file at <see cref="ApproximateSearchOptions.IndexPath"/> when it matches
    /// (same libraries fingerprint, user count, vector method, dimensions, seed, M and efConstruction), else a fresh
    /// build (saved to that path when there is one). The caller disposes it.
    /// </summary>
    public AnnIndex OpenOrBuild(UserLibraries libraries, IProgress<SearchProgress>? progress = null, CancellationToken cancellationToken = default) =>
        OpenOrBuild(libraries, progress, cancellationToken, out _, out _);

    /// <summary>Whether an index file's header says it was built from these libraries with these options.</summary>
    public bool Matches(AnnIndexInfo info, UserLibraries libraries)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(libraries);
        return info.Users == libraries.Users
            && info.Dimensions == Options.Dimensions
            && info.VectorMethod == Options.VectorMethod
            && info.VectorSeed == Options.Seed
            && info.Seed == Options.Seed
            && info.M == Options.M
            && info.EfConstruction == Options.EfConstruction
            && info.SourceFingerprint == UserVectors.Fingerprint(libraries);
    }

    private AnnIndex OpenOrBuild(
        UserLibraries libraries,
        IProgress<SearchProgress>? progress,
        CancellationToken cancellationToken,
        out bool reused,
        out string? reason)
    {
        ArgumentNullException.ThrowIfNull(libraries);
        var problems = Options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems));
        }

        reused = false;
        reason = null;
        var path = Options.IndexPath;
        if (path is not null && File.Exists(path))
        {
            if (Options.Rebuild)
            {
                reason = "a rebuild was requested";
            }
            else
            {
                AnnIndex? existing = null;
                try
                {
                    existing = AnnIndex.Open(path, Options.VerifyChecksum);
                }
                catch (AnnIndexFormatException e)
                {
                    // The file is a cache of a deterministic computation: an unreadable one is rebuilt.
                    reason = e.Message;
                }

                if (existing is not null)
                {
                    if (Matches(existing.Info, libraries))
                    {
                        reused = true;
                        return existing;
                    }

                    existing.Dispose();
                    reason = "the index was built from other libraries or with other options";
                }
            }
        }

        progress?.Report(new SearchProgress("vectors", 0, libraries.Users));
        var vectors = UserVectors.FromLibraries(libraries, Options.Dimensions, Options.Seed, Options.VectorMethod, cancellationToken);
        progress?.Report(new SearchProgress("vectors", libraries.Users, libraries.Users));
        var index = AnnIndexBuilder.Build(vectors, Options.ToIndexOptions(), progress, cancellationToken);
        try
        {
            if (path is not null)
            {
                index.Save(path, cancellationToken);
            }

            return index;
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }
}

/// <summary>
/// Entry point for <c>buddies pair --engine approximate --index FILE</c>: turns command-line values into a
/// validated engine (defaults for what is not given).
/// </summary>
public static class ApproximateNeighbourSearchFactory
{
    /// <exception cref="ArgumentException">Some value is out of range; the message lists every problem (exit code 1).</exception>
    public static ApproximateNeighbourSearch Create(
        string? indexPath,
        int? efSearch = null,
        int? m = null,
        int? efConstruction = null,
        int? dimensions = null,
        ulong? seed = null,
        UserVectorMethod? vectorMethod = null,
        bool rebuild = false,
        int maxDegreeOfParallelism = -1)
    {
        var defaults = new ApproximateSearchOptions();
        var options = defaults with
        {
            IndexPath = indexPath,
            EfSearch = efSearch ?? defaults.EfSearch,
            M = m ?? defaults.M,
            EfConstruction = efConstruction ?? defaults.EfConstruction,
            Dimensions = dimensions ?? defaults.Dimensions,
            Seed = seed ?? defaults.Seed,
            VectorMethod = vectorMethod ?? defaults.VectorMethod,
            Rebuild = rebuild,
            MaxDegreeOfParallelism = maxDegreeOfParallelism,
        };
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems));
        }

        return new ApproximateNeighbourSearch(options);
    }
}

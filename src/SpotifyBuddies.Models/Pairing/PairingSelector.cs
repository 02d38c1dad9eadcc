using System.Runtime.ExceptionServices;
using SpotifyBuddies.Core.Pairing;
using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Models.Pairing;

/// <summary>Why a user ended with an empty candidate pool (they are then served as cold users).</summary>
public enum NoPoolReason
{
    /// <summary>The user has a pool.</summary>
    None = 0,

    /// <summary>The search found no candidate: the user shares no song with anyone (e.g. an empty library).</summary>
    NoCandidates = 1,

    /// <summary>No candidate owns a playlist.</summary>
    NoOwnerAmongCandidates = 2,

    /// <summary>Every playlist the neighbours own is one the user owns or liked in training.</summary>
    AllExcluded = 3,
}

/// <summary>The selection and pools of every user, indexed by user.</summary>
public sealed class PairingOutcome
{
    public required int Users { get; init; }

    /// <summary>Slots per user of <see cref="Selected"/> (the neighbour lists' K).</summary>
    public required int K { get; init; }

    /// <summary>Slots per user of <see cref="Pools"/>.</summary>
    public required int PoolSize { get; init; }

    /// <summary>1 where the candidate of that rank became a neighbour (same slots as <see cref="NeighbourLists"/>).</summary>
    public required byte[] Selected { get; init; }

    /// <summary>Neighbours kept per user.</summary>
    public required int[] NeighbourCounts { get; init; }

    /// <summary>Candidates the walk looked at per user.</summary>
    public required int[] Walked { get; init; }

    /// <summary>Whether the walk met both minimums (otherwise every owner among the candidates was kept).</summary>
    public required bool[] MetMinimums { get; init; }

    /// <summary>Distinct playlists the neighbours own, less the user's exclusions.</summary>
    public required int[] Reachable { get; init; }

    /// <summary>Playlists the neighbours own that were dropped because the user owns or liked them in training.</summary>
    public required int[] Excluded { get; init; }

    public required int[] PoolCounts { get; init; }

    /// <summary>The pools: user u's are <c>Pools[u*PoolSize .. u*PoolSize + PoolCounts[u]]</c>, ascending.</summary>
    public required int[] Pools { get; init; }

    public required NoPoolReason[] Reasons { get; init; }

    public ReadOnlySpan<int> PoolOf(int user) => Pools.AsSpan(user * PoolSize, PoolCounts[user]);

    public ReadOnlySpan<byte> SelectedOf(int user, int count) => Selected.AsSpan(user * K, count);
}

/// <summary>
/// Applies the Core pairing rules (<see cref="NeighbourSelection"/>, <see cref="CandidatePool"/>) to every user in
/// parallel. Each user's random choices come from streams forked by purpose and user index
/// (<c>pairing/walk-order/u</c>, <c>pairing/pool/u</c>), so the outcome does not depend on the thread count.
/// </summary>
public static class PairingSelector
{
    public const string Phase = "select neighbours & pools";

    private const int BlockSize = 512;

    public static PairingOutcome Run(
        NeighbourLists lists,
        UserPlaylists owned,
        UserPlaylists trainLiked,
        PairingParameters parameters,
        int maxDegreeOfParallelism = -1,
        IProgress<SearchProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentNullException.ThrowIfNull(owned);
        ArgumentNullException.ThrowIfNull(trainLiked);
        ArgumentNullException.ThrowIfNull(parameters);
        var problems = parameters.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(parameters));
        }

        if (owned.Users != lists.Users || trainLiked.Users != lists.Users)
        {
            throw new ArgumentException("The neighbour lists, ownership and train likes must cover the same users.", nameof(owned));
        }

        var users = lists.Users;
        var poolSize = parameters.PoolSize;
        var outcome = new PairingOutcome
        {
            Users = users,
            K = lists.K,
            PoolSize = poolSize,
            Selected = new byte[(long)users * lists.K],
            NeighbourCounts = new int[users],
            Walked = new int[users],
            MetMinimums = new bool[users],
            Reachable = new int[users],
            Excluded = new int[users],
            PoolCounts = new int[users],
            Pools = new int[checked(users * poolSize)],
            Reasons = new NoPoolReason[users],
        };

        var root = new DeterministicRandom(parameters.Seed);
        var orderRoot = root.Fork("pairing/walk-order");
        var poolRoot = root.Fork("pairing/pool");
        var blocks = (users + BlockSize - 1) / BlockSize;
        long done = 0;
        progress?.Report(new SearchProgress(Phase, 0, users));
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism, CancellationToken = cancellationToken };
        try
        {
            Parallel.For(
                0,
                blocks,
                options,
                () => new Scratch(lists.K),
                (block, _, scratch) =>
                {
                    var end = Math.Min(users, (block + 1) * BlockSize);
                    for (var u = block * BlockSize; u < end; u++)
                    {
                        SelectOne(u, lists, owned, trainLiked, parameters, orderRoot, poolRoot, scratch, outcome);
                    }

                    progress?.Report(new SearchProgress(Phase, Interlocked.Add(ref done, end - (block * BlockSize)), users));
                    return scratch;
                },
                static _ => { });
        }
        catch (AggregateException aggregate)
        {
            var flat = aggregate.Flatten().InnerExceptions;
            ExceptionDispatchInfo.Capture(flat.FirstOrDefault(e => e is not OperationCanceledException) ?? flat[0]).Throw();
            throw;
        }

        return outcome;
    }

    private static void SelectOne(
        int user,
        NeighbourLists lists,
        UserPlaylists owned,
        UserPlaylists trainLiked,
        PairingParameters parameters,
        DeterministicRandom orderRoot,
        DeterministicRandom poolRoot,
        Scratch scratch,
        PairingOutcome outcome)
    {
        var candidates = lists.Of(user);
        var count = candidates.Length;
        if (count == 0)
        {
            outcome.Reasons[user] = NoPoolReason.NoCandidates;
            return;
        }

        var ranks = scratch.Ranks.AsSpan(0, count);
        if (parameters.ShuffleCandidates)
        {
            NeighbourSelection.WalkOrder(ranks, shuffle: true, orderRoot.Fork((ulong)user));
        }
        else
        {
            for (var i = 0; i < count; i++)
            {
                ranks[i] = i;
            }
        }

        var walk = scratch.Walk.AsSpan(0, count);
        for (var i = 0; i < count; i++)
        {
            walk[i] = candidates[ranks[i]];
        }

        var own = owned.Of(user);
        var liked = trainLiked.Of(user);
        var excluded = scratch.Exclusions(own.Length + liked.Length);
        var excludedCount = CandidatePool.Exclusions(own, liked, excluded);

        var reachable = scratch.Reachable(owned.CountOf(walk));
        var kept = scratch.Kept.AsSpan(0, count);
        var result = NeighbourSelection.Walk(
            user, walk, owned, excluded[..excludedCount], parameters.MinNeighbours, parameters.MinPlaylists, kept, reachable);

        var selected = outcome.Selected.AsSpan(user * lists.K, count);
        var ownedByNeighbours = 0;
        foreach (var position in kept[..result.Neighbours])
        {
            selected[ranks[position]] = 1;
            ownedByNeighbours += owned.CountOf(walk[position]);
        }

        var pool = CandidatePool.Sample(reachable[..result.Reachable], parameters.PoolSize, poolRoot.Fork((ulong)user));
        reachable[..pool].CopyTo(outcome.Pools.AsSpan(user * parameters.PoolSize, parameters.PoolSize));

        outcome.NeighbourCounts[user] = result.Neighbours;
        outcome.Walked[user] = result.Walked;
        outcome.MetMinimums[user] = result.MetMinimums;
        outcome.Reachable[user] = result.Reachable;
        outcome.Excluded[user] = ownedByNeighbours - result.Reachable;
        outcome.PoolCounts[user] = pool;
        outcome.Reasons[user] = result.Neighbours == 0 ? NoPoolReason.NoOwnerAmongCandidates
            : pool == 0 ? NoPoolReason.AllExcluded
            : NoPoolReason.None;
    }

    /// <summary>Per-thread buffers, grown on demand. Not thread-safe.</summary>
    private sealed class Scratch(int k)
    {
        private int[] _exclusions = new int[64];
        private int[] _reachable = new int[1024];

        public int[] Ranks { get; } = new int[k];

        public int[] Walk { get; } = new int[k];

        public int[] Kept { get; } = new int[k];

        public Span<int> Exclusions(int length)
        {
            if (_exclusions.Length < length)
            {
                _exclusions = new int[Math.Max(length, _exclusions.Length * 2)];
            }

            return _exclusions;
        }

        public Span<int> Reachable(int length)
        {
            if (_reachable.Length < length)
            {
                _reachable = new int[Math.Max(length, _reachable.Length * 2)];
            }

            return _reachable;
        }
    }
}

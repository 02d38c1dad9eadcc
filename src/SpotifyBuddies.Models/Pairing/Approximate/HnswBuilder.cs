using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Models.Pairing.Approximate;

/// <summary>One HNSW build straight into the final file image (see <see cref="AnnIndexBuilder"/>).</summary>
internal sealed unsafe class HnswBuilder
{
    private const int MaxLevelCap = 32;
    private const int LockStripes = 1 << 14;

    private readonly UserVectors _vectors;
    private readonly AnnIndexOptions _options;
    private readonly int _m;
    private readonly int _m0;
    private readonly int _efConstruction;
    private readonly Lock[] _locks = new Lock[LockStripes];
    private readonly Lock _global = new();
    private HnswGraph _graph;
    private int[] _levels = [];
    private int _entry = -1;
    private int _maxLevel = -1;

    public HnswBuilder(UserVectors vectors, AnnIndexOptions options)
    {
        _vectors = vectors;
        _options = options;
        _m = options.M;
        _m0 = 2 * options.M;
        _efConstruction = Math.Max(options.EfConstruction, options.M);
        for (var i = 0; i < _locks.Length; i++)
        {
            _locks[i] = new Lock();
        }
    }

    public AnnIndex Build(IProgress<SearchProgress>? progress, CancellationToken cancellationToken)
    {
        var users = _vectors.Users;
        var dimensions = _vectors.Dimensions;
        var nodeUsers = new int[_vectors.NonEmptyUsers];
        var n = 0;
        for (var u = 0; u < users; u++)
        {
            if (!_vectors.IsEmpty(u))
            {
                nodeUsers[n++] = u;
            }
        }

        _levels = new int[n];
        var upperOffsets = new int[n + 1];
        var levelScale = 1.0 / Math.Log(_m);
        var key = SplitMix64.Mix(_options.Seed ^ 0x4C45_5645_4C53_5345UL);
        long upper = 0;
        for (var i = 0; i < n; i++)
        {
            var h = SplitMix64.Mix(key + (uint)nodeUsers[i]);
            var unit = ((h >> 11) + 1) * (1.0 / (1UL << 53));
            var level = Math.Min(MaxLevelCap, (int)Math.Floor(-Math.Log(unit) * levelScale));
            _levels[i] = level;
            upperOffsets[i] = checked((int)upper);
            upper += (long)level * (_m + 1);
        }

        upperOffsets[n] = checked((int)upper);
        var layout = AnnIndexFormat.ComputeLayout(dimensions, n, users, _m0, upper);
        var handle = new NativeImageHandle(layout.FileLength);
        try
        {
            var image = (byte*)handle.DangerousGetHandle();
            var vectorsAt = (float*)(image + layout.Vectors);
            for (var i = 0; i < n; i++)
            {
                _vectors.Of(nodeUsers[i]).CopyTo(new Span<float>(vectorsAt + ((long)i * dimensions), dimensions));
            }

            nodeUsers.CopyTo(new Span<int>(image + layout.NodeUsers, n));
            var userNodes = new Span<int>(image + layout.UserNodes, users);
            userNodes.Fill(-1);
            for (var i = 0; i < n; i++)
            {
                userNodes[nodeUsers[i]] = i;
            }

            upperOffsets.CopyTo(new Span<int>(image + layout.UpperOffsets, n + 1));
            _graph = new HnswGraph(image, layout, dimensions, n, _m);
            InsertAll(n, progress, cancellationToken);

            var info = new AnnIndexInfo
            {
                FormatVersion = AnnIndexFormat.Version,
                Dimensions = dimensions,
                IndexedUsers = n,
                Users = users,
                M = _m,
                MaxLinksLayer0 = _m0,
                EfConstruction = _options.EfConstruction,
                EfSearch = _options.EfSearch,
                MaxLevel = _maxLevel,
                EntryPoint = _entry,
                Seed = _options.Seed,
                VectorMethod = _vectors.Method,
                VectorSeed = _vectors.Seed,
                SourceFingerprint = _vectors.SourceFingerprint,
                ContentChecksum = XxHash64.Hash(image + AnnIndexFormat.HeaderSize, layout.FileLength - AnnIndexFormat.HeaderSize),
                FileLength = layout.FileLength,
            };
            AnnIndexFormat.WriteHeader(new Span<byte>(image, AnnIndexFormat.HeaderSize), info, upper, layout);
            return AnnIndex.FromImage(handle, layout.FileLength);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private void InsertAll(int n, IProgress<SearchProgress>? progress, CancellationToken cancellationToken)
    {
        if (n == 0)
        {
            return;
        }

        _entry = 0;
        _maxLevel = _levels[0];
        var next = 0;
        var done = 1L;
        var step = Math.Max(1, n / 100);
        progress?.Report(new SearchProgress("build", done, n));
        var threads = Math.Max(1, Math.Min(_options.Threads, n - 1));
        Parallel.For(
            0,
            threads,
            new ParallelOptions { MaxDegreeOfParallelism = threads },
            _ =>
            {
                var scratch = new BuildScratch(n, _m0);
                while (!cancellationToken.IsCancellationRequested)
                {
                    var node = Interlocked.Increment(ref next);
                    if (node >= n)
                    {
                        break;
                    }

                    Insert(node, scratch);
                    var finished = Interlocked.Increment(ref done);
                    if (finished % step == 0 || finished == n)
                    {
                        progress?.Report(new SearchProgress("build", finished, n));
                    }
                }
            });
        cancellationToken.ThrowIfCancellationRequested();
    }

    private void Insert(int q, BuildScratch scratch)
    {
        var level = _levels[q];
        int entry;
        int maxLevel;
        var holdsGlobal = false;
        _global.Enter();
        try
        {
            entry = _entry;
            maxLevel = _maxLevel;
            holdsGlobal = level > maxLevel;
        }
        finally
        {
            if (!holdsGlobal)
            {
                _global.Exit();
            }
        }

        try
        {
            var query = _graph.Vector(q);
            var current = entry;
            var currentSimilarity = VectorMath.Dot(query, _graph.Vector(current), _graph.Dimensions);
            for (var lc = maxLevel; lc > level; lc--)
            {
                _graph.Greedy(query, ref current, ref currentSimilarity, lc);
            }

            for (var lc = Math.Min(level, maxLevel); lc >= 0; lc--)
            {
                _graph.SearchLayer(query, current, currentSimilarity, _efConstruction, lc, scratch);
                var found = scratch.SortResults();
                current = found[0].Node;
                currentSimilarity = found[0].Key;
                var selected = scratch.Selected;
                var kept = SelectNeighbours(found, _m, selected);
                var slot = _graph.Slot(q, lc);
                lock (LockOf(q))
                {
                    for (var j = 0; j < kept; j++)
                    {
                        slot[1 + j] = selected[j].Node;
                    }

                    Volatile.Write(ref *slot, kept);
                }

                for (var j = 0; j < kept; j++)
                {
                    AddReverseLink(selected[j].Node, q, selected[j].Key, lc, scratch);
                }
            }

            if (holdsGlobal)
            {
                _entry = q;
                _maxLevel = level;
            }
        }
        finally
        {
            if (holdsGlobal)
            {
                _global.Exit();
            }
        }
    }

    /// <summary>Adds q to n's list on a layer, pruning n's list with the heuristic when it is full.</summary>
    private void AddReverseLink(int n, int q, float similarity, int level, BuildScratch scratch)
    {
        var capacity = level == 0 ? _m0 : _m;
        var slot = _graph.Slot(n, level);
        lock (LockOf(n))
        {
            var count = *slot;
            for (var j = 0; j < count; j++)
            {
                if (slot[1 + j] == q)
                {
                    return;
                }
            }

            if (count < capacity)
            {
                slot[1 + count] = q;
                Volatile.Write(ref *slot, count + 1);
                return;
            }

            var pool = scratch.Pool.AsSpan(0, count + 1);
            var vector = _graph.Vector(n);
            pool[0] = new HeapEntry(similarity, q);
            for (var j = 0; j < count; j++)
            {
                var m = slot[1 + j];
                pool[1 + j] = new HeapEntry(VectorMath.Dot(vector, _graph.Vector(m), _graph.Dimensions), m);
            }

            pool.Sort(default(BestFirst));
            var selected = scratch.Pruned;
            var kept = SelectNeighbours(pool, capacity, selected);
            for (var j = 0; j < kept; j++)
            {
                slot[1 + j] = selected[j].Node;
            }

            Volatile.Write(ref *slot, kept);
        }
    }

    /// <summary>
    /// hnswlib's getNeighborsByHeuristic2: walking candidates best first, keep one only if it is more
    /// similar to the base than to every neighbour already kept; stop at <paramref name="limit"/>.
    /// </summary>
    private int SelectNeighbours(ReadOnlySpan<HeapEntry> candidates, int limit, HeapEntry[] selected)
    {
        if (candidates.Length <= limit)
        {
            candidates.CopyTo(selected);
            return candidates.Length;
        }

        var kept = 0;
        foreach (var candidate in candidates)
        {
            if (kept >= limit)
            {
                break;
            }

            var vector = _graph.Vector(candidate.Node);
            var good = true;
            for (var j = 0; j < kept; j++)
            {
                if (VectorMath.Dot(vector, _graph.Vector(selected[j].Node), _graph.Dimensions) > candidate.Key)
                {
                    good = false;
                    break;
                }
            }

            if (good)
            {
                selected[kept++] = candidate;
            }
        }

        return kept;
    }

    private Lock LockOf(int node) => _locks[node & (LockStripes - 1)];

    private sealed class BuildScratch(int nodes, int maxLinks) : SearchScratch(nodes, maxLinks)
    {
        public HeapEntry[] Pool { get; } = new HeapEntry[maxLinks + 1];

        /// <summary>The new node's chosen neighbours (read while <see cref="Pruned"/> is rewritten per neighbour).</summary>
        public HeapEntry[] Selected { get; } = new HeapEntry[maxLinks + 1];

        public HeapEntry[] Pruned { get; } = new HeapEntry[maxLinks + 1];
    }
}

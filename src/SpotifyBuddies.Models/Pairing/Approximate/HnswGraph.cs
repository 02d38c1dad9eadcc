using System.Runtime.CompilerServices;

namespace SpotifyBuddies.Models.Pairing.Approximate;

/// <summary>
/// A view of an HNSW graph laid out as in <see cref="AnnIndexFormat"/>, over native memory (the build
/// image or the memory-mapped file), with the two layer searches of the HNSW paper. The builder and the
/// index use this one type, so a built index and the file it is saved to search identically.
/// </summary>
/// <remarks>
/// Every neighbour id and list length read from the graph is range-checked before use, so a damaged
/// file opened without checksum verification fails with <see cref="AnnIndexFormatException"/> rather
/// than reading out of bounds. During a parallel build, lists are read without locks while another
/// thread may rewrite them (as hnswlib's readers would without their lock): the memory starts zeroed and
/// only valid node ids are ever written, so a racing reader sees a slightly stale but valid list.
/// </remarks>
internal readonly unsafe struct HnswGraph
{
    public readonly float* Vectors;
    public readonly int* Layer0;
    public readonly int* UpperOffsets;
    public readonly int* UpperLinks;
    public readonly int Dimensions;
    public readonly int Nodes;
    public readonly int M;
    public readonly int M0;

    public HnswGraph(byte* image, AnnIndexFormat.Layout layout, int dimensions, int nodes, int m)
    {
        Vectors = (float*)(image + layout.Vectors);
        Layer0 = (int*)(image + layout.Layer0);
        UpperOffsets = (int*)(image + layout.UpperOffsets);
        UpperLinks = (int*)(image + layout.UpperLinks);
        Dimensions = dimensions;
        Nodes = nodes;
        M = m;
        M0 = 2 * m;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float* Vector(int node) => Vectors + ((long)node * Dimensions);

    /// <summary>The list slot of a node on a layer: [count, ids...]; the node must have that layer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int* Slot(int node, int level)
    {
        if (level == 0)
        {
            return Layer0 + ((long)node * (M0 + 1));
        }

        var offset = UpperOffsets[node] + ((long)(level - 1) * (M + 1));
        if (offset + M + 1 > UpperOffsets[node + 1])
        {
            throw Corrupt();
        }

        return UpperLinks + offset;
    }

    /// <summary>Number of upper layers of a node (its level).</summary>
    public int LevelOf(int node) => (UpperOffsets[node + 1] - UpperOffsets[node]) / (M + 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<int> Links(int node, int level)
    {
        var slot = Slot(node, level);
        var count = Volatile.Read(ref *slot);
        if ((uint)count > (uint)(level == 0 ? M0 : M))
        {
            throw Corrupt();
        }

        return new ReadOnlySpan<int>(slot + 1, count);
    }

    /// <summary>Greedy walk on one layer towards <paramref name="query"/> (the ef = 1 search of the upper layers).</summary>
    public void Greedy(float* query, ref int current, ref float currentSimilarity, int level)
    {
        bool changed;
        do
        {
            changed = false;
            foreach (var n in Links(current, level))
            {
                if ((uint)n >= (uint)Nodes)
                {
                    throw Corrupt();
                }

                var similarity = VectorMath.Dot(query, Vector(n), Dimensions);
                if (similarity > currentSimilarity)
                {
                    currentSimilarity = similarity;
                    current = n;
                    changed = true;
                }
            }
        }
        while (changed);
    }

    /// <summary>
    /// Best-first search of one layer from <paramref name="entry"/>, keeping the best <paramref name="ef"/>
    /// nodes in <see cref="SearchScratch.Results"/> (a min-heap on similarity: worst on top).
    /// </summary>
    public void SearchLayer(float* query, int entry, float entrySimilarity, int ef, int level, SearchScratch scratch)
    {
        scratch.NewVisit();
        scratch.Visit(entry);
        var candidates = scratch.Candidates;
        var results = scratch.Results;
        candidates.Clear();
        results.Clear();
        candidates.Push(-entrySimilarity, entry);
        results.Push(entrySimilarity, entry);
        var bound = entrySimilarity;
        var pending = scratch.Pending;
        var vectorBytes = Dimensions * sizeof(float);
        while (candidates.Count > 0)
        {
            var top = candidates.Top;
            if (-top.Key < bound && results.Count >= ef)
            {
                break;
            }

            candidates.Pop();
            var waiting = 0;
            foreach (var n in Links(top.Node, level))
            {
                if ((uint)n >= (uint)Nodes)
                {
                    throw Corrupt();
                }

                if (scratch.Visit(n))
                {
                    pending[waiting++] = n;
                    VectorMath.Prefetch(Vector(n), vectorBytes);
                }
            }

            for (var i = 0; i < waiting; i++)
            {
                var n = pending[i];
                var similarity = VectorMath.Dot(query, Vector(n), Dimensions);
                if (results.Count < ef || similarity > bound)
                {
                    candidates.Push(-similarity, n);
                    results.Push(similarity, n);
                    if (results.Count > ef)
                    {
                        results.Pop();
                    }

                    bound = results.Top.Key;
                }
            }
        }
    }

    public static AnnIndexFormatException Corrupt() =>
        new("the ANN index graph is corrupt (a link or list length is out of range); rebuild the index");
}

/// <summary>A node with a key (a similarity, or its negation for a max-heap).</summary>
internal readonly record struct HeapEntry(float Key, int Node);

/// <summary>Binary min-heap of <see cref="HeapEntry"/> by key.</summary>
internal sealed class NodeHeap(int capacity)
{
    private HeapEntry[] _items = new HeapEntry[Math.Max(4, capacity)];

    public int Count { get; private set; }

    public HeapEntry Top => _items[0];

    public ReadOnlySpan<HeapEntry> Items => _items.AsSpan(0, Count);

    public void Clear() => Count = 0;

    public void Push(float key, int node)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        var items = _items;
        var i = Count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (items[parent].Key <= key)
            {
                break;
            }

            items[i] = items[parent];
            i = parent;
        }

        items[i] = new HeapEntry(key, node);
    }

    public void Pop()
    {
        var items = _items;
        var count = --Count;
        if (count == 0)
        {
            return;
        }

        var last = items[count];
        var i = 0;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= count)
            {
                break;
            }

            if (child + 1 < count && items[child + 1].Key < items[child].Key)
            {
                child++;
            }

            if (items[child].Key >= last.Key)
            {
                break;
            }

            items[i] = items[child];
            i = child;
        }

        items[i] = last;
    }
}

/// <summary>Per-thread search state: visit stamps, the two heaps and buffers. Not thread-safe.</summary>
internal class SearchScratch
{
    private readonly int[] _visited;
    private int _stamp;

    public SearchScratch(int nodes, int maxLinks)
    {
        _visited = new int[Math.Max(1, nodes)];
        Pending = new int[maxLinks + 1];
    }

    public NodeHeap Candidates { get; } = new(256);

    public NodeHeap Results { get; } = new(256);

    public int[] Pending { get; }

    /// <summary>Results sorted best first (filled by <see cref="SortResults"/>).</summary>
    public HeapEntry[] Sorted { get; private set; } = new HeapEntry[256];

    public void NewVisit()
    {
        if (++_stamp == int.MaxValue)
        {
            Array.Clear(_visited);
            _stamp = 1;
        }
    }

    /// <summary>Marks a node visited; false if it already was in this search.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Visit(int node)
    {
        ref var slot = ref _visited[node];
        if (slot == _stamp)
        {
            return false;
        }

        slot = _stamp;
        return true;
    }

    /// <summary>Copies the results heap into <see cref="Sorted"/>, by similarity descending then node ascending.</summary>
    public Span<HeapEntry> SortResults()
    {
        var items = Results.Items;
        if (Sorted.Length < items.Length)
        {
            Sorted = new HeapEntry[items.Length * 2];
        }

        var sorted = Sorted.AsSpan(0, items.Length);
        items.CopyTo(sorted);
        sorted.Sort(default(BestFirst));
        return sorted;
    }
}

/// <summary>Similarity descending, then node (and so user) ascending.</summary>
internal readonly struct BestFirst : IComparer<HeapEntry>
{
    public int Compare(HeapEntry x, HeapEntry y) => x.Key != y.Key ? y.Key.CompareTo(x.Key) : x.Node.CompareTo(y.Node);
}

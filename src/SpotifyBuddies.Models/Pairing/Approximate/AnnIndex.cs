using System.Collections.Concurrent;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace SpotifyBuddies.Models.Pairing.Approximate;

/// <summary>One neighbour found by an <see cref="AnnIndex"/> search.</summary>
public readonly record struct AnnHit(int User, float Similarity);

/// <summary>
/// A read-only HNSW index over user vectors, either just built (<see cref="AnnIndexBuilder.Build"/>) or
/// opened from a file (<see cref="Open"/>). Thread-safe for any number of concurrent searches.
/// </summary>
/// <remarks>
/// <para>
/// <b>Sharing.</b> <see cref="Open"/> memory-maps the file read-only and shared, and searches read the
/// vectors and links straight from the mapping: nothing is copied into managed arrays, so several
/// processes opening one file share a single copy in the OS page cache, and opening costs only the
/// header checks (plus one sequential pass for the content checksum unless that is turned off).
/// The file is opened with read and delete sharing, so a rebuild can atomically replace it while
/// readers keep their mapping of the old one.
/// </para>
/// <para>
/// <b>Results.</b> Similarity is the dot product of unit vectors (cosine). Results come most similar
/// first, ties by ascending user index. A search for an indexed user never returns the user itself;
/// users with empty libraries are not in the index: they get no neighbours and are nobody's.
/// </para>
/// <para>
/// <b>Knob.</b> <c>efSearch</c> (default <see cref="AnnIndexInfo.EfSearch"/>) is the candidate list size:
/// larger is slower and more accurate. A search for K neighbours uses at least K (K + 1 for an indexed user).
/// </para>
/// </remarks>
public sealed unsafe class AnnIndex : IDisposable
{
    private readonly SafeHandle _handle;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly MemoryMappedFile? _file;
    private readonly byte* _image;
    private readonly HnswGraph _graph;
    private readonly int* _nodeUsers;
    private readonly int* _userNodes;
    private readonly ConcurrentBag<SearchScratch> _scratch = [];
    private int _disposed;

    private AnnIndex(SafeHandle handle, byte* image, long length, string source, bool verifyChecksum, MemoryMappedFile? file, MemoryMappedViewAccessor? view)
    {
        _handle = handle;
        _image = image;
        _file = file;
        _view = view;
        Source = source;
        var (info, upperInts, layout) = AnnIndexFormat.ReadHeader(new ReadOnlySpan<byte>(image, (int)Math.Min(length, AnnIndexFormat.HeaderSize)), length, source);
        if (verifyChecksum && XxHash64.Hash(image + AnnIndexFormat.HeaderSize, length - AnnIndexFormat.HeaderSize) != info.ContentChecksum)
        {
            throw new AnnIndexFormatException(source, "has corrupt content (checksum mismatch); rebuild the index");
        }

        Info = info;
        _graph = new HnswGraph(image, layout, info.Dimensions, info.IndexedUsers, info.M);
        _nodeUsers = (int*)(image + layout.NodeUsers);
        _userNodes = (int*)(image + layout.UserNodes);
        CheckUpperOffsets(upperInts, source);
    }

    /// <summary>What the header says: shape, parameters, seeds, fingerprint.</summary>
    public AnnIndexInfo Info { get; }

    /// <summary>The file this index was opened from, or "(in memory)".</summary>
    public string Source { get; }

    public int Dimensions => Info.Dimensions;

    /// <summary>The user id space: users 0 .. Users - 1.</summary>
    public int Users => Info.Users;

    /// <summary>Users in the graph (non-empty libraries).</summary>
    public int IndexedUsers => Info.IndexedUsers;

    /// <summary>
    /// Opens an index file: maps it read-only and shared, then checks the header (magic, version,
    /// header checksum, counts against the file length) and, when <paramref name="verifyChecksum"/>, the
    /// content checksum. Nothing is copied into managed memory.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="AnnIndexFormatException">The file is truncated, corrupt, not an index, or of another format version.</exception>
    public static AnnIndex Open(string path, bool verifyChecksum = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 1);
        MemoryMappedFile? file = null;
        MemoryMappedViewAccessor? view = null;
        var acquired = false;
        try
        {
            var length = stream.Length;
            Span<byte> header = stackalloc byte[AnnIndexFormat.HeaderSize];
            var read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            AnnIndexFormat.ReadHeader(header[..read], length, path);
            file = MemoryMappedFile.CreateFromFile(stream, mapName: null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            acquired = true;
            return new AnnIndex(view.SafeMemoryMappedViewHandle, pointer + view.PointerOffset, length, path, verifyChecksum, file, view);
        }
        catch
        {
            if (acquired)
            {
                view!.SafeMemoryMappedViewHandle.ReleasePointer();
            }

            view?.Dispose();
            if (file is null)
            {
                stream.Dispose();
            }
            else
            {
                file.Dispose();
            }

            throw;
        }
    }

    internal static AnnIndex FromImage(NativeImageHandle handle, long length) =>
        new(handle, (byte*)handle.DangerousGetHandle(), length, "(in memory)", verifyChecksum: false, file: null, view: null);

    /// <summary>Whether the user is in the index (has a non-empty library).</summary>
    public bool Contains(int user) => (uint)user < (uint)Users && NodeOf(user) >= 0;

    /// <summary>
    /// The user's unit vector, read from the index (empty for a user not in it). The span points into
    /// the index's memory: do not use it after disposing the index.
    /// </summary>
    public ReadOnlySpan<float> VectorOf(int user)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(user);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(user, Users);
        using var lease = Lease();
        var node = NodeOf(user);
        return node < 0 ? default : new ReadOnlySpan<float>(_graph.Vector(node), Dimensions);
    }

    /// <summary>The <paramref name="k"/> users most similar to an indexed user, excluding the user (see the remarks).</summary>
    public AnnHit[] Search(int user, int k, int? efSearch = null)
    {
        var users = new int[Math.Max(0, k)];
        var similarities = new float[users.Length];
        var found = Search(user, k, efSearch ?? Info.EfSearch, users, similarities);
        return ToHits(users, similarities, found);
    }

    /// <summary>The <paramref name="k"/> indexed users most similar to a query vector of <see cref="Dimensions"/> floats.</summary>
    public AnnHit[] Search(ReadOnlySpan<float> query, int k, int? efSearch = null)
    {
        var users = new int[Math.Max(0, k)];
        var similarities = new float[users.Length];
        var found = Search(query, k, efSearch ?? Info.EfSearch, users, similarities);
        return ToHits(users, similarities, found);
    }

    /// <summary>Allocation-free form of <see cref="Search(int, int, int?)"/>; returns how many were written.</summary>
    public int Search(int user, int k, int efSearch, Span<int> neighbours, Span<float> similarities)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(user);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(user, Users);
        CheckSearchArguments(k, efSearch, neighbours, similarities);
        using var lease = Lease();
        var node = NodeOf(user);
        if (node < 0)
        {
            return 0;
        }

        var scratch = Rent();
        try
        {
            return SearchNode(_graph.Vector(node), node, k, efSearch, neighbours, similarities, scratch);
        }
        finally
        {
            _scratch.Add(scratch);
        }
    }

    /// <summary>Allocation-free form of <see cref="Search(ReadOnlySpan{float}, int, int?)"/>; returns how many were written.</summary>
    public int Search(ReadOnlySpan<float> query, int k, int efSearch, Span<int> neighbours, Span<float> similarities)
    {
        if (query.Length != Dimensions)
        {
            throw new ArgumentException($"the query must have {Dimensions} floats; got {query.Length}", nameof(query));
        }

        CheckSearchArguments(k, efSearch, neighbours, similarities);
        using var lease = Lease();
        var scratch = Rent();
        try
        {
            fixed (float* q = query)
            {
                return SearchNode(q, -1, k, efSearch, neighbours, similarities, scratch);
            }
        }
        finally
        {
            _scratch.Add(scratch);
        }
    }

    /// <summary>
    /// Every user's <paramref name="k"/> nearest neighbours (users not in the index get none), in
    /// parallel over <paramref name="maxDegreeOfParallelism"/> threads (-1: one per core).
    /// </summary>
    public NeighbourLists SearchAll(
        int k,
        int? efSearch = null,
        int maxDegreeOfParallelism = -1,
        IProgress<SearchProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var ef = efSearch ?? Info.EfSearch;
        ArgumentOutOfRangeException.ThrowIfLessThan(ef, 1, nameof(efSearch));
        var users = Users;
        var counts = new int[users];
        var neighbours = new int[checked(users * k)];
        var similarities = new float[neighbours.Length];
        var nodes = IndexedUsers;
        var done = 0L;
        var step = Math.Max(1, nodes / 100);
        using var lease = Lease();
        Parallel.For(
            0,
            nodes,
            new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism, CancellationToken = cancellationToken },
            Rent,
            (node, _, scratch) =>
            {
                var user = _nodeUsers[node];
                if ((uint)user >= (uint)users)
                {
                    throw HnswGraph.Corrupt();
                }

                counts[user] = SearchNode(
                    _graph.Vector(node),
                    node,
                    k,
                    ef,
                    neighbours.AsSpan(user * k, k),
                    similarities.AsSpan(user * k, k),
                    scratch);
                var finished = Interlocked.Increment(ref done);
                if (progress is not null && (finished % step == 0 || finished == nodes))
                {
                    progress.Report(new SearchProgress("search", finished, nodes));
                }

                return scratch;
            },
            _scratch.Add);
        return new NeighbourLists(users, k, counts, neighbours, similarities);
    }

    /// <summary>Writes the index image to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    public void Save(string path, CancellationToken cancellationToken = default)
    {
        using var lease = Lease();
        var length = Info.FileLength;
        AtomicFile.Write(
            path,
            stream =>
            {
                const int chunk = 1 << 26;
                for (long at = 0; at < length; at += chunk)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    stream.Write(new ReadOnlySpan<byte>(_image + at, (int)Math.Min(chunk, length - at)));
                }
            },
            cancellationToken);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_view is not null)
        {
            // The mapping goes away once the last in-flight search releases its reference.
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _file!.Dispose();
        }
        else
        {
            _handle.Dispose();
        }
    }

    private int SearchNode(float* query, int excludeNode, int k, int efSearch, Span<int> neighbours, Span<float> similarities, SearchScratch scratch)
    {
        if (k == 0 || IndexedUsers == 0)
        {
            return 0;
        }

        var ef = Math.Max(efSearch, excludeNode >= 0 ? k + 1 : k);
        int current;
        float currentSimilarity;
        if (excludeNode >= 0)
        {
            // The query is a node: the best possible entry is the node itself, so skip the descent.
            current = excludeNode;
            currentSimilarity = VectorMath.Dot(query, query, Dimensions);
        }
        else
        {
            current = Info.EntryPoint;
            currentSimilarity = VectorMath.Dot(query, _graph.Vector(current), Dimensions);
            for (var level = Info.MaxLevel; level > 0; level--)
            {
                _graph.Greedy(query, ref current, ref currentSimilarity, level);
            }
        }

        _graph.SearchLayer(query, current, currentSimilarity, ef, 0, scratch);
        var count = 0;
        foreach (var found in scratch.SortResults())
        {
            if (found.Node == excludeNode)
            {
                continue;
            }

            if (count == k)
            {
                break;
            }

            var user = _nodeUsers[found.Node];
            if ((uint)user >= (uint)Users)
            {
                throw HnswGraph.Corrupt();
            }

            neighbours[count] = user;
            similarities[count] = found.Key;
            count++;
        }

        return count;
    }

    private int NodeOf(int user)
    {
        var node = _userNodes[user];
        if (node < -1 || node >= IndexedUsers)
        {
            throw HnswGraph.Corrupt();
        }

        return node;
    }

    private void CheckUpperOffsets(long upperInts, string source)
    {
        var slot = Info.M + 1;
        var nodes = IndexedUsers;
        var offsets = _graph.UpperOffsets;
        var ok = offsets[0] == 0 && offsets[nodes] == upperInts;
        for (var i = 0; ok && i < nodes; i++)
        {
            var size = offsets[i + 1] - offsets[i];
            ok = size >= 0 && size % slot == 0 && size / slot <= Info.MaxLevel;
        }

        if (ok && nodes > 0)
        {
            ok = _graph.LevelOf(Info.EntryPoint) == Info.MaxLevel;
        }

        if (!ok)
        {
            throw new AnnIndexFormatException(source, "has a corrupt layer table; rebuild the index");
        }
    }

    private static void CheckSearchArguments(int k, int efSearch, Span<int> neighbours, Span<float> similarities)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfLessThan(efSearch, 1);
        if (neighbours.Length < k || similarities.Length < k)
        {
            throw new ArgumentException("the output spans must hold at least k entries");
        }
    }

    private static AnnHit[] ToHits(int[] users, float[] similarities, int count)
    {
        var hits = new AnnHit[count];
        for (var i = 0; i < count; i++)
        {
            hits[i] = new AnnHit(users[i], similarities[i]);
        }

        return hits;
    }

    private SearchScratch Rent() => _scratch.TryTake(out var scratch) ? scratch : new SearchScratch(IndexedUsers, 2 * Info.M);

    /// <summary>Keeps the memory alive for one operation even if another thread disposes the index meanwhile.</summary>
    private HandleLease Lease()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return new HandleLease(_handle);
    }

    private readonly struct HandleLease : IDisposable
    {
        private readonly SafeHandle _handle;

        public HandleLease(SafeHandle handle)
        {
            var added = false;
            handle.DangerousAddRef(ref added);
            _handle = handle;
        }

        public void Dispose() => _handle.DangerousRelease();
    }
}

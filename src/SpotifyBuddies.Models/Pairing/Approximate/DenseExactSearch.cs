using System.Runtime.InteropServices;

namespace SpotifyBuddies.Models.Pairing.Approximate;

/// <summary>
/// Brute-force top-K over <see cref="UserVectors"/> with the index's own similarity kernel and ordering:
/// the reference "exact search on the same dense vectors" that an <see cref="AnnIndex"/>'s recall is
/// measured against. O(users² · d): fine for tests and for a sample of query users on real sizes.
/// </summary>
public static class DenseExactSearch
{
    /// <summary>
    /// Top-<paramref name="k"/> neighbours by dot product for <paramref name="queryUsers"/> (default: every
    /// user); other users get no neighbours, and so are skipped by <see cref="RecallEvaluator"/>. Empty
    /// users get none and are nobody's neighbour; ties go to the lower user index.
    /// </summary>
    public static unsafe NeighbourLists Search(
        UserVectors vectors,
        int k,
        IReadOnlyList<int>? queryUsers = null,
        int maxDegreeOfParallelism = -1,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var users = vectors.Users;
        var dimensions = vectors.Dimensions;
        var queries = queryUsers ?? Enumerable.Range(0, users).ToArray();
        foreach (var q in queries)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(q, nameof(queryUsers));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(q, users, nameof(queryUsers));
        }

        var counts = new int[users];
        var neighbours = new int[checked(users * k)];
        var similarities = new float[neighbours.Length];
        var pin = GCHandle.Alloc(vectors.RawValues, GCHandleType.Pinned);
        try
        {
            var all = (float*)pin.AddrOfPinnedObject();
            Parallel.For(
                0,
                queries.Count,
                new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism, CancellationToken = cancellationToken },
                () => new HeapEntry[k],
                (i, _, best) =>
                {
                    var u = queries[i];
                    if (vectors.IsEmpty(u))
                    {
                        return best;
                    }

                    var query = all + ((long)u * dimensions);
                    var size = 0;
                    for (var v = 0; v < users; v++)
                    {
                        if (v == u || vectors.IsEmpty(v))
                        {
                            continue;
                        }

                        var similarity = VectorMath.Dot(query, all + ((long)v * dimensions), dimensions);
                        if (size < k)
                        {
                            Push(best, size++, new HeapEntry(similarity, v));
                        }
                        else if (similarity > best[0].Key)
                        {
                            // Users come in ascending order, so an equal similarity never displaces anyone.
                            ReplaceTop(best, size, new HeapEntry(similarity, v));
                        }
                    }

                    var found = best.AsSpan(0, size);
                    found.Sort(default(BestFirst));
                    counts[u] = size;
                    for (var j = 0; j < size; j++)
                    {
                        neighbours[(u * k) + j] = found[j].Node;
                        similarities[(u * k) + j] = found[j].Key;
                    }

                    return best;
                },
                _ => { });
        }
        finally
        {
            pin.Free();
        }

        return new NeighbourLists(users, k, counts, neighbours, similarities);
    }

    /// <summary>a is a worse neighbour than b: lower similarity, or equal and a higher user index.</summary>
    private static bool Worse(HeapEntry a, HeapEntry b) => a.Key < b.Key || (a.Key == b.Key && a.Node > b.Node);

    private static void Push(HeapEntry[] heap, int size, HeapEntry entry)
    {
        var i = size;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!Worse(entry, heap[parent]))
            {
                break;
            }

            heap[i] = heap[parent];
            i = parent;
        }

        heap[i] = entry;
    }

    private static void ReplaceTop(HeapEntry[] heap, int size, HeapEntry entry)
    {
        var i = 0;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= size)
            {
                break;
            }

            if (child + 1 < size && Worse(heap[child + 1], heap[child]))
            {
                child++;
            }

            if (!Worse(heap[child], entry))
            {
                break;
            }

            heap[i] = heap[child];
            i = child;
        }

        heap[i] = entry;
    }
}

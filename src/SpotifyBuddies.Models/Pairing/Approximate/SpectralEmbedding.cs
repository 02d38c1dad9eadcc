using System.Numerics.Tensors;
using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Models.Pairing.Approximate;

/// <summary>
/// Truncated SVD of the row-normalised user × song matrix X̂ (row u = user u's binary library divided by
/// √|library|, so X̂X̂ᵀ is the matrix of library cosines), by the randomised range finder of Halko,
/// Martinsson and Tropp (2011). User u's embedding is row u of U_d·Σ_d, whose dot products are the best
/// rank-d approximation of the cosines in the least-squares sense.
/// </summary>
/// <remarks>
/// Steps, with r = d + <see cref="Oversampling"/> (capped by the matrix's size): Y = X̂Ω for a sparse
/// random sign matrix Ω (8 entries of ±1 per song, drawn on the fly from the seed and never stored); <c>powerIterations</c> times
/// Y ← X̂X̂ᵀ·orth(Y); Q = orth(Y); C = Qᵀ(X̂X̂ᵀ)Q (r × r); C = WΛWᵀ by cyclic Jacobi; embedding = QWΛ^½
/// (first d columns). X̂X̂ᵀ is applied as X̂(X̂ᵀQ) through an inverted index, a block of columns at a
/// time (at most 256 MiB for the songs × block part), so memory stays O(users·r) for any catalogue.
/// orth is CholeskyQR2.
/// All sums are in double over fixed blocks combined in a fixed order, so the result is a pure function
/// of the libraries, d, the seed and the iteration count, whatever the thread count.
/// </remarks>
internal static class SpectralEmbedding
{
    public const int Oversampling = 16;

    /// <summary>Non-zeros per song in the random test matrix (a sparse sign matrix, as Tropp et al. 2019 recommend).</summary>
    private const int SignsPerSong = 8;

    /// <summary>Most bytes for the songs × columns block of X̂ᵀQ; the block narrows for large catalogues.</summary>
    private const long ColumnBlockBytes = 256L << 20;

    private const int RowBlock = 2048;

    /// <summary>Users × <paramref name="dimensions"/> embedding rows (not normalised; empty users are zero rows).</summary>
    public static float[] Compute(UserLibraries libraries, int dimensions, ulong seed, int powerIterations, CancellationToken cancellationToken)
    {
        var n = libraries.Users;
        var output = new float[checked((long)n * dimensions)];
        var weights = new double[n];
        var nonEmpty = 0;
        for (var u = 0; u < n; u++)
        {
            var length = libraries.Offsets[u + 1] - libraries.Offsets[u];
            weights[u] = length == 0 ? 0 : 1 / Math.Sqrt(length);
            nonEmpty += length == 0 ? 0 : 1;
        }

        var postings = InvertedIndex(libraries);
        var usedSongs = 0;
        for (var s = 0; s < libraries.Songs; s++)
        {
            usedSongs += postings.Offsets[s + 1] > postings.Offsets[s] ? 1 : 0;
        }

        var r = Math.Min(dimensions + Oversampling, Math.Min(nonEmpty, usedSongs));
        if (r == 0)
        {
            return output;
        }

        var y = RandomProjection(libraries, weights, r, seed, cancellationToken);
        for (var i = 0; i < powerIterations; i++)
        {
            Orthonormalise(y, n, r);
            y = ApplyGram(libraries, postings, weights, y, r, cancellationToken);
        }

        Orthonormalise(y, n, r);
        var q = y;
        var gq = ApplyGram(libraries, postings, weights, q, r, cancellationToken);
        var c = TransposeTimes(q, gq, n, r);
        for (var i = 0; i < r; i++)
        {
            for (var j = 0; j < i; j++)
            {
                var mean = 0.5 * (c[(i * r) + j] + c[(j * r) + i]);
                c[(i * r) + j] = mean;
                c[(j * r) + i] = mean;
            }
        }

        var (values, vectors) = SymmetricEigen(c, r);
        var kept = Math.Min(dimensions, r);
        var projection = new double[r * kept];
        for (var j = 0; j < kept; j++)
        {
            var scale = Math.Sqrt(Math.Max(0, values[j]));
            for (var i = 0; i < r; i++)
            {
                projection[(i * kept) + j] = vectors[(i * r) + j] * scale;
            }
        }

        Parallel.For(
            0,
            (n + RowBlock - 1) / RowBlock,
            new ParallelOptions { CancellationToken = cancellationToken },
            () => new double[kept],
            (b, _, row) =>
            {
                var end = Math.Min(n, (b + 1) * RowBlock);
                for (var u = b * RowBlock; u < end; u++)
                {
                    if (weights[u] == 0)
                    {
                        continue;
                    }

                    row.AsSpan().Clear();
                    var qu = q.AsSpan(u * r, r);
                    for (var i = 0; i < r; i++)
                    {
                        TensorPrimitives.MultiplyAdd(projection.AsSpan(i * kept, kept), qu[i], row, row);
                    }

                    var target = output.AsSpan(u * dimensions, kept);
                    for (var j = 0; j < kept; j++)
                    {
                        target[j] = (float)row[j];
                    }
                }

                return row;
            },
            _ => { });
        return output;
    }

    /// <summary>Y = X̂Ω where row s of Ω has <see cref="SignsPerSong"/> entries ±1 at columns drawn from a hash of (seed, s).</summary>
    private static double[] RandomProjection(UserLibraries libraries, double[] weights, int r, ulong seed, CancellationToken cancellationToken)
    {
        var n = libraries.Users;
        var y = new double[checked(n * r)];
        var key = SplitMix64.Mix(seed ^ 0x5356_4452_414E_4745UL);
        Parallel.For(
            0,
            (n + RowBlock - 1) / RowBlock,
            new ParallelOptions { CancellationToken = cancellationToken },
            b =>
            {
                var end = Math.Min(n, (b + 1) * RowBlock);
                for (var u = b * RowBlock; u < end; u++)
                {
                    var row = y.AsSpan(u * r, r);
                    foreach (var song in libraries.Library(u))
                    {
                        var state = key + ((ulong)(uint)song * SignsPerSong);
                        for (var j = 0; j < SignsPerSong; j++)
                        {
                            var bits = SplitMix64.Mix(state + (ulong)j);
                            row[(int)(((bits >> 32) * (ulong)r) >> 32)] += (bits & 1) == 0 ? 1.0 : -1.0;
                        }
                    }

                    TensorPrimitives.Multiply(row, weights[u], row);
                }
            });
        return y;
    }

    /// <summary>(X̂X̂ᵀ)·Q for Q of n × r, a block of columns at a time: Z = X̂ᵀQ_block by songs, then X̂Z by users.</summary>
    private static double[] ApplyGram(UserLibraries libraries, UserLibraries postings, double[] weights, double[] q, int r, CancellationToken cancellationToken)
    {
        var n = libraries.Users;
        var songs = libraries.Songs;
        var result = new double[q.Length];
        var block = (int)Math.Clamp(ColumnBlockBytes / sizeof(double) / Math.Max(1, songs), Math.Min(8, r), r);
        var z = new double[(long)songs * block];
        var options = new ParallelOptions { CancellationToken = cancellationToken };
        for (var c0 = 0; c0 < r; c0 += block)
        {
            var width = Math.Min(block, r - c0);
            var start = c0;
            Parallel.For(0, (songs + RowBlock - 1) / RowBlock, options, b =>
            {
                var end = Math.Min(songs, (b + 1) * RowBlock);
                for (var s = b * RowBlock; s < end; s++)
                {
                    var zs = z.AsSpan(s * block, width);
                    zs.Clear();
                    foreach (var u in postings.Library(s))
                    {
                        TensorPrimitives.MultiplyAdd(q.AsSpan((u * r) + start, width), weights[u], zs, zs);
                    }
                }
            });
            Parallel.For(0, (n + RowBlock - 1) / RowBlock, options, b =>
            {
                var end = Math.Min(n, (b + 1) * RowBlock);
                for (var u = b * RowBlock; u < end; u++)
                {
                    var target = result.AsSpan((u * r) + start, width);
                    foreach (var s in libraries.Library(u))
                    {
                        TensorPrimitives.Add(target, z.AsSpan(s * block, width), target);
                    }

                    TensorPrimitives.Multiply(target, weights[u], target);
                }
            });
        }

        return result;
    }

    /// <summary>CholeskyQR2: replaces the n × r matrix <paramref name="y"/> by an orthonormal basis of its columns.</summary>
    private static void Orthonormalise(double[] y, int n, int r)
    {
        for (var pass = 0; pass < 2; pass++)
        {
            var gram = TransposeTimes(y, y, n, r);
            var inverse = InverseCholeskyFactor(gram, r);
            Parallel.For(0, (n + RowBlock - 1) / RowBlock, () => new double[r], (b, _, row) =>
            {
                var end = Math.Min(n, (b + 1) * RowBlock);
                for (var u = b * RowBlock; u < end; u++)
                {
                    var yu = y.AsSpan(u * r, r);
                    row.AsSpan().Clear();
                    for (var i = 0; i < r; i++)
                    {
                        if (yu[i] != 0)
                        {
                            TensorPrimitives.MultiplyAdd(inverse.AsSpan(i * r, r), yu[i], row, row);
                        }
                    }

                    row.CopyTo(yu);
                }

                return row;
            }, _ => { });
        }
    }

    /// <summary>AᵀB for row-major n × r matrices, summed per fixed row block and then in block order.</summary>
    private static double[] TransposeTimes(double[] a, double[] b, int n, int r)
    {
        var blocks = (n + RowBlock - 1) / RowBlock;
        var partials = new double[blocks][];
        Parallel.For(0, blocks, block =>
        {
            var sum = new double[r * r];
            var end = Math.Min(n, (block + 1) * RowBlock);
            for (var u = block * RowBlock; u < end; u++)
            {
                var au = a.AsSpan(u * r, r);
                var bu = b.AsSpan(u * r, r);
                for (var i = 0; i < r; i++)
                {
                    if (au[i] != 0)
                    {
                        var line = sum.AsSpan(i * r, r);
                        TensorPrimitives.MultiplyAdd(bu, au[i], line, line);
                    }
                }
            }

            partials[block] = sum;
        });
        var total = new double[r * r];
        foreach (var partial in partials)
        {
            TensorPrimitives.Add(total, partial, total);
        }

        return total;
    }

    /// <summary>
    /// R⁻¹ (upper triangular, row-major) for the Cholesky factor RᵀR of a Gram matrix, with a tiny ridge
    /// so that rank-deficient inputs (more columns than the data has directions) still factor; the
    /// resulting near-null columns get near-zero eigenvalues later and so contribute nothing.
    /// </summary>
    private static double[] InverseCholeskyFactor(double[] gram, int r)
    {
        var trace = 0.0;
        for (var i = 0; i < r; i++)
        {
            trace += gram[(i * r) + i];
        }

        var ridge = Math.Max(1e-300, 1e-12 * trace / r);
        var l = new double[r * r];
        for (var i = 0; i < r; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var sum = gram[(i * r) + j] + (i == j ? ridge : 0);
                for (var k = 0; k < j; k++)
                {
                    sum -= l[(i * r) + k] * l[(j * r) + k];
                }

                l[(i * r) + j] = i == j ? Math.Sqrt(Math.Max(sum, ridge)) : sum / l[(j * r) + j];
            }
        }

        // L⁻¹ by forward substitution; R⁻¹ = (L⁻¹)ᵀ.
        var linv = new double[r * r];
        for (var i = 0; i < r; i++)
        {
            linv[(i * r) + i] = 1 / l[(i * r) + i];
            for (var j = 0; j < i; j++)
            {
                var sum = 0.0;
                for (var k = j; k < i; k++)
                {
                    sum -= l[(i * r) + k] * linv[(k * r) + j];
                }

                linv[(i * r) + j] = sum / l[(i * r) + i];
            }
        }

        var rinv = new double[r * r];
        for (var i = 0; i < r; i++)
        {
            for (var j = 0; j < r; j++)
            {
                rinv[(i * r) + j] = linv[(j * r) + i];
            }
        }

        return rinv;
    }

    /// <summary>Eigenvalues (descending) and eigenvectors (columns of a row-major r × r matrix) of a symmetric matrix, by cyclic Jacobi.</summary>
    internal static (double[] Values, double[] Vectors) SymmetricEigen(double[] matrix, int r)
    {
        var a = (double[])matrix.Clone();
        var v = new double[r * r];
        for (var i = 0; i < r; i++)
        {
            v[(i * r) + i] = 1;
        }

        for (var sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, diagonal = 0;
            for (var i = 0; i < r; i++)
            {
                diagonal += a[(i * r) + i] * a[(i * r) + i];
                for (var j = i + 1; j < r; j++)
                {
                    off += a[(i * r) + j] * a[(i * r) + j];
                }
            }

            if (off <= 1e-30 * Math.Max(diagonal, 1e-300))
            {
                break;
            }

            for (var p = 0; p < r - 1; p++)
            {
                for (var q = p + 1; q < r; q++)
                {
                    var apq = a[(p * r) + q];
                    if (apq == 0)
                    {
                        continue;
                    }

                    var theta = (a[(q * r) + q] - a[(p * r) + p]) / (2 * apq);
                    var t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt((theta * theta) + 1));
                    var c = 1 / Math.Sqrt((t * t) + 1);
                    var s = t * c;
                    for (var k = 0; k < r; k++)
                    {
                        var akp = a[(k * r) + p];
                        var akq = a[(k * r) + q];
                        a[(k * r) + p] = (c * akp) - (s * akq);
                        a[(k * r) + q] = (s * akp) + (c * akq);
                    }

                    for (var k = 0; k < r; k++)
                    {
                        var apk = a[(p * r) + k];
                        var aqk = a[(q * r) + k];
                        a[(p * r) + k] = (c * apk) - (s * aqk);
                        a[(q * r) + k] = (s * apk) + (c * aqk);
                    }

                    for (var k = 0; k < r; k++)
                    {
                        var vkp = v[(k * r) + p];
                        var vkq = v[(k * r) + q];
                        v[(k * r) + p] = (c * vkp) - (s * vkq);
                        v[(k * r) + q] = (s * vkp) + (c * vkq);
                    }
                }
            }
        }

        var order = Enumerable.Range(0, r).OrderByDescending(i => a[(i * r) + i]).ThenBy(i => i).ToArray();
        var values = new double[r];
        var vectors = new double[r * r];
        for (var j = 0; j < r; j++)
        {
            values[j] = a[(order[j] * r) + order[j]];
            for (var i = 0; i < r; i++)
            {
                vectors[(i * r) + j] = v[(i * r) + order[j]];
            }
        }

        return (values, vectors);
    }

    /// <summary>Song → users (ascending), as a CSR in the same shape as <see cref="UserLibraries"/>.</summary>
    private static UserLibraries InvertedIndex(UserLibraries libraries)
    {
        var offsets = new int[libraries.Songs + 1];
        foreach (var s in libraries.SongIndexes)
        {
            offsets[s + 1]++;
        }

        for (var s = 0; s < libraries.Songs; s++)
        {
            offsets[s + 1] += offsets[s];
        }

        var users = new int[libraries.SongIndexes.Length];
        var next = offsets[..^1];
        for (var u = 0; u < libraries.Users; u++)
        {
            foreach (var s in libraries.Library(u))
            {
                users[next[s]++] = u;
            }
        }

        return new UserLibraries(libraries.Songs, libraries.Users, offsets, users);
    }
}

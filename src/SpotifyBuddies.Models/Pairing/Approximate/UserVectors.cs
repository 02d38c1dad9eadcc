using System.Buffers.Binary;
using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text;
using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Models.Pairing.Approximate;

/// <summary>How <see cref="UserVectors"/> turns binary libraries into dense vectors.</summary>
public enum UserVectorMethod
{
    /// <summary>Given directly (<see cref="UserVectors.FromValues"/>).</summary>
    Given = 0,

    /// <summary>Truncated SVD of the row-normalised user × song matrix (the default).</summary>
    Spectral = 1,

    /// <summary>Signed feature hashing (a sparse random projection, one ±1 per song).</summary>
    Hashing = 2,
}

/// <summary>
/// Dense, L2-normalised float vectors for users, one row of <see cref="Dimensions"/> floats per user,
/// whose dot products approximate the cosine similarity of the users' binary song libraries (the plain
/// cosine the exact engine ranks by: no IDF or other weighting).
/// </summary>
/// <remarks>
/// <para>
/// <b><see cref="UserVectorMethod.Spectral"/></b> (default): row u of U_d·Σ_d from a randomised truncated
/// SVD of the matrix whose rows are the libraries divided by √|library| (see <c>SpectralEmbedding</c>),
/// then normalised. Its dot products are the best rank-d least-squares fit to the cosine matrix, so they
/// keep the taste structure shared by many users; on the synthetic medium preset (100k users, 273k songs,
/// about 43 songs each) the dense top-100 at d = 128 holds about a third of the sparse top-100, and the
/// vectors have a low intrinsic dimension, which HNSW searches easily. When d + 16 covers the matrix's
/// rank (small data), the normalised dot products are the exact cosines.
/// </para>
/// <para>
/// <b><see cref="UserVectorMethod.Hashing"/></b>: song s goes to dimension h(s) mod d with sign ±1 (h is
/// SplitMix64 keyed by the seed); a row is the signed sum over the library, normalised. Unbiased, but the
/// error of each dot product is about 1/√d (0.09 at d = 128), larger than the gap between a user's best
/// and 100th sparse cosine on sparse libraries: on the medium preset the dense top-100 holds under a
/// tenth of the sparse top-100, and the vectors look random to an ANN index (recall needs a very large
/// efSearch). Kept for very large catalogues and as a baseline.
/// </para>
/// <para>
/// A user with an empty library has a zero row (<see cref="IsEmpty"/>); such users are left out of the
/// ANN index, get no neighbours and are nobody's neighbour.
/// </para>
/// <para>
/// <b>File</b> (<see cref="Save"/>, <see cref="Load"/>): a 64-byte little-endian header (magic
/// <c>SBUSRVEC</c>, format version, header size, users, dimensions, seed, source fingerprint, XXH64 of the
/// payload, method, XXH64 of the header) followed by <c>users × dimensions</c> little-endian float32 values,
/// row-major. <see cref="ExportNpy"/> writes the same matrix as a NumPy <c>.npy</c> file for comparisons
/// with hnswlib or faiss (drop the all-zero rows of empty users first).
/// </para>
/// </remarks>
public sealed class UserVectors
{
    public const int DefaultDimensions = 128;
    public const ulong DefaultSeed = 42;
    public const int FormatVersion = 1;

    /// <summary>Power iterations of the randomised SVD (<see cref="UserVectorMethod.Spectral"/>).</summary>
    public const int SpectralPowerIterations = 1;

    private const int HeaderSize = 64;

    /// <summary>Floats per read or write call (1 GiB), as spans cannot span more bytes than int.MaxValue.</summary>
    private const int FloatChunk = 1 << 28;
    private static readonly byte[] Magic = "SBUSRVEC"u8.ToArray();

    private readonly float[] _values;
    private readonly bool[] _empty;

    private UserVectors(int users, int dimensions, float[] values, ulong seed, ulong sourceFingerprint, UserVectorMethod method)
    {
        Method = method;
        Users = users;
        Dimensions = dimensions;
        Seed = seed;
        SourceFingerprint = sourceFingerprint;
        _values = values;
        _empty = new bool[users];
        var nonEmpty = 0;
        for (var u = 0; u < users; u++)
        {
            var empty = !Row(u).ContainsAnyExcept(0f);
            _empty[u] = empty;
            nonEmpty += empty ? 0 : 1;
        }

        NonEmptyUsers = nonEmpty;
    }

    public int Users { get; }

    /// <summary>How the rows were made (<see cref="UserVectorMethod.Given"/> for <see cref="FromValues"/>).</summary>
    public UserVectorMethod Method { get; }

    public int Dimensions { get; }

    /// <summary>The seed of the song hashing (0 for vectors given directly).</summary>
    public ulong Seed { get; }

    /// <summary>XXH64 fingerprint of the libraries these vectors came from (<see cref="Fingerprint"/>); 0 when given directly.</summary>
    public ulong SourceFingerprint { get; }

    /// <summary>Users whose row is not all zeros.</summary>
    public int NonEmptyUsers { get; }

    /// <summary>All rows, row-major.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>The backing array (pinned by callers that read it through pointers).</summary>
    internal float[] RawValues => _values;

    /// <summary>User <paramref name="user"/>'s unit vector (all zeros for an empty library).</summary>
    public ReadOnlySpan<float> Of(int user)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(user);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(user, Users);
        return Row(user);
    }

    /// <summary>Whether the user's row is all zeros (empty library).</summary>
    public bool IsEmpty(int user) => _empty[user];

    /// <summary>Embeds every user's library as a <paramref name="dimensions"/>-wide unit vector by <paramref name="method"/> (see the remarks).</summary>
    public static UserVectors FromLibraries(
        UserLibraries libraries,
        int dimensions = DefaultDimensions,
        ulong seed = DefaultSeed,
        UserVectorMethod method = UserVectorMethod.Spectral,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(libraries);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        var values = method switch
        {
            UserVectorMethod.Spectral => SpectralEmbedding.Compute(libraries, dimensions, seed, SpectralPowerIterations, cancellationToken),
            UserVectorMethod.Hashing => Hash(libraries, dimensions, seed, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown vector method"),
        };
        for (var u = 0; u < libraries.Users; u++)
        {
            Normalise(values.AsSpan(u * dimensions, dimensions));
        }

        return new UserVectors(libraries.Users, dimensions, values, seed, Fingerprint(libraries), method);
    }

    /// <summary>
    /// Vectors given directly (tests, benchmarks, other embeddings): each non-zero row is L2-normalised
    /// on the way in; all-zero rows count as empty users.
    /// </summary>
    public static UserVectors FromValues(int users, int dimensions, ReadOnlySpan<float> values, ulong seed = 0, ulong sourceFingerprint = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(users);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        if (values.Length != (long)users * dimensions)
        {
            throw new ArgumentException($"values must hold users × dimensions = {(long)users * dimensions} floats; got {values.Length}", nameof(values));
        }

        var copy = values.ToArray();
        for (var u = 0; u < users; u++)
        {
            var row = copy.AsSpan(u * dimensions, dimensions);
            if (!TensorPrimitives.IsFiniteAll(row))
            {
                throw new ArgumentException($"row {u} has a NaN or infinite value", nameof(values));
            }

            Normalise(row);
        }

        return new UserVectors(users, dimensions, copy, seed, sourceFingerprint, UserVectorMethod.Given);
    }

    /// <summary>
    /// XXH64 of the libraries' shape and CSR arrays: an index file records it so that a file built from
    /// other libraries is never mistaken for a current one.
    /// </summary>
    public static ulong Fingerprint(UserLibraries libraries)
    {
        ArgumentNullException.ThrowIfNull(libraries);
        var seed = ((ulong)(uint)libraries.Users << 32) | (uint)libraries.Songs;
        var hash = XxHash64.Hash(MemoryMarshal.AsBytes(libraries.Offsets.AsSpan()), seed);
        return XxHash64.Hash(MemoryMarshal.AsBytes(libraries.SongIndexes.AsSpan()), hash);
    }

    /// <summary>Writes the vectors file (format in the remarks), atomically.</summary>
    public void Save(string path, CancellationToken cancellationToken = default)
    {
        var header = new byte[HeaderSize];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), HeaderSize);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), Users);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(20), Dimensions);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(24), Seed);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(32), SourceFingerprint);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(40), Checksum(_values));
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(48), (int)Method);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(56), XxHash64.Hash(header.AsSpan(0, 56)));
        AtomicFile.Write(
            path,
            stream =>
            {
                stream.Write(header);
                WriteFloats(stream, _values);
            },
            cancellationToken);
    }

    /// <summary>Reads a file written by <see cref="Save"/>, checking its header and checksums.</summary>
    /// <exception cref="AnnIndexFormatException">The file is truncated, corrupt or of another format or version.</exception>
    public static UserVectors Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        var header = new byte[HeaderSize];
        if (stream.Length < HeaderSize)
        {
            throw new AnnIndexFormatException(path, Invariant($"is truncated: {stream.Length} bytes, the header alone takes {HeaderSize}"));
        }

        stream.ReadExactly(header);
        if (!header.AsSpan(0, 8).SequenceEqual(Magic))
        {
            throw new AnnIndexFormatException(path, "is not a user-vectors file (bad magic number)");
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8));
        if (version != FormatVersion)
        {
            throw new AnnIndexFormatException(path, Invariant($"has user-vectors format version {version}; this build reads version {FormatVersion}"));
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(56)) != XxHash64.Hash(header.AsSpan(0, 56)))
        {
            throw new AnnIndexFormatException(path, "has a corrupt header (checksum mismatch)");
        }

        var users = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(16));
        var dimensions = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(20));
        if (users < 0 || dimensions < 1)
        {
            throw new AnnIndexFormatException(path, Invariant($"has an invalid shape {users} × {dimensions}"));
        }

        var expected = HeaderSize + ((long)users * dimensions * sizeof(float));
        if (stream.Length != expected)
        {
            throw new AnnIndexFormatException(path, Invariant($"is truncated or padded: {stream.Length} bytes, expected {expected}"));
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("user-vectors files are little-endian; this machine is not");
        }

        var values = new float[(long)users * dimensions];
        for (var at = 0; at < values.Length; at += FloatChunk)
        {
            stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan(at, Math.Min(FloatChunk, values.Length - at))));
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(40)) != Checksum(values))
        {
            throw new AnnIndexFormatException(path, "has corrupt content (checksum mismatch)");
        }

        var method = (UserVectorMethod)BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(48));
        if (!Enum.IsDefined(method))
        {
            throw new AnnIndexFormatException(path, Invariant($"names an unknown vector method {(int)method}"));
        }

        return new UserVectors(
            users,
            dimensions,
            values,
            BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(24)),
            BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(32)),
            method);
    }

    /// <summary>
    /// Writes the matrix as a NumPy v1.0 <c>.npy</c> file (<c>&lt;f4</c>, shape <c>(users, dimensions)</c>,
    /// C order), so the same vectors can be fed to hnswlib or faiss; row i is user i.
    /// </summary>
    public void ExportNpy(string path, CancellationToken cancellationToken = default)
    {
        var dictionary = Invariant($"{{'descr': '<f4', 'fortran_order': False, 'shape': ({Users}, {Dimensions}), }}");
        var unpadded = 10 + dictionary.Length + 1;
        var padding = (64 - (unpadded % 64)) % 64;
        var text = dictionary + new string(' ', padding) + "\n";
        var header = new byte[10 + text.Length];
        header[0] = 0x93;
        "NUMPY"u8.CopyTo(header.AsSpan(1));
        header[6] = 1;
        header[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), checked((ushort)text.Length));
        Encoding.ASCII.GetBytes(text, header.AsSpan(10));
        AtomicFile.Write(
            path,
            stream =>
            {
                stream.Write(header);
                WriteFloats(stream, _values);
            },
            cancellationToken);
    }

    private static float[] Hash(UserLibraries libraries, int dimensions, ulong seed, CancellationToken cancellationToken)
    {
        var users = libraries.Users;
        var values = new float[checked((long)users * dimensions)];
        var key = SplitMix64.Mix(seed ^ 0x5350_4F54_4946_5942UL);
        const int block = 1024;
        Parallel.For(
            0,
            (users + block - 1) / block,
            new ParallelOptions { CancellationToken = cancellationToken },
            b =>
            {
                var end = Math.Min(users, (b + 1) * block);
                for (var u = b * block; u < end; u++)
                {
                    var row = values.AsSpan(u * dimensions, dimensions);
                    foreach (var song in libraries.Library(u))
                    {
                        var h = SplitMix64.Mix(key + (uint)song);
                        var d = (int)(((h >> 32) * (ulong)dimensions) >> 32);
                        row[d] += (h & 1) == 0 ? 1f : -1f;
                    }
                }
            });
        return values;
    }

    private ReadOnlySpan<float> Row(int user) => _values.AsSpan(user * Dimensions, Dimensions);

    private static void Normalise(Span<float> row)
    {
        var norm = TensorPrimitives.Norm(row);
        if (norm > 0)
        {
            TensorPrimitives.Multiply(row, 1f / norm, row);
        }
    }

    private static void WriteFloats(FileStream stream, float[] values)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("user-vectors files are little-endian; this machine is not");
        }

        for (var at = 0; at < values.Length; at += FloatChunk)
        {
            stream.Write(MemoryMarshal.AsBytes(values.AsSpan(at, Math.Min(FloatChunk, values.Length - at))));
        }
    }

    private static unsafe ulong Checksum(float[] values)
    {
        fixed (float* p = values)
        {
            return XxHash64.Hash((byte*)p, (long)values.Length * sizeof(float));
        }
    }

    private static string Invariant(FormattableString message) => message.ToString(CultureInfo.InvariantCulture);
}

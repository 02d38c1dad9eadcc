using System.Buffers.Binary;
using System.Globalization;

namespace SpotifyBuddies.Models.Pairing.Approximate;

/// <summary>What an ANN index file's header says about it.</summary>
public sealed record AnnIndexInfo
{
    public required int FormatVersion { get; init; }

    public required int Dimensions { get; init; }

    /// <summary>Users in the graph (those with a non-empty library).</summary>
    public required int IndexedUsers { get; init; }

    /// <summary>The user index space (indexed or not): user ids run from 0 to Users - 1.</summary>
    public required int Users { get; init; }

    public required int M { get; init; }

    /// <summary>Most links a node keeps on layer 0 (2·M).</summary>
    public required int MaxLinksLayer0 { get; init; }

    public required int EfConstruction { get; init; }

    /// <summary>Default query candidate list size.</summary>
    public required int EfSearch { get; init; }

    /// <summary>Top layer of the graph (-1 for an empty index).</summary>
    public required int MaxLevel { get; init; }

    /// <summary>Entry node (-1 for an empty index).</summary>
    public required int EntryPoint { get; init; }

    /// <summary>Seed of the layer assignment.</summary>
    public required ulong Seed { get; init; }

    /// <summary>How the vectors were made (<see cref="UserVectors.Method"/>).</summary>
    public required UserVectorMethod VectorMethod { get; init; }

    /// <summary>Seed of the vectors (<see cref="UserVectors.Seed"/>).</summary>
    public required ulong VectorSeed { get; init; }

    /// <summary>Fingerprint of the libraries the vectors came from (<see cref="UserVectors.SourceFingerprint"/>).</summary>
    public required ulong SourceFingerprint { get; init; }

    /// <summary>XXH64 of everything after the header.</summary>
    public required ulong ContentChecksum { get; init; }

    public required long FileLength { get; init; }
}

/// <summary>
/// The ANN index file format, version 1. All little-endian; every section starts on a 64-byte boundary.
/// <code>
/// header, 256 bytes:
///   0  magic "SBANNHNS"          8  format version (int32) = 1   12 header size (int32) = 256
///   16 dimensions d              20 indexed users n              24 users (id space) U
///   28 M                         32 M0 = 2·M                     36 efConstruction
///   40 efSearch (default)        44 max level L (-1 if n = 0)    48 entry node (-1 if n = 0)
///   52 vector method             56 layer seed (uint64)          64 vector seed (uint64)
///   72 source fingerprint        80 upper-link int32 count T     88..135 section offsets (int64):
///      vectors, layer 0, node→user, user→node, upper offsets, upper links
///   136 file length (int64)      144 XXH64 of bytes [256, file length)
///   152..247 zero               248 XXH64 of bytes [0, 248)
/// sections:
///   vectors      n·d float32   node i's unit vector (nodes are the non-empty users, ascending)
///   layer 0      n·(M0+1) int32   node i: [count, up to M0 neighbour nodes]
///   node→user    n int32       user index of node i
///   user→node    U int32       node of user u, or -1 (empty library)
///   upper offs   (n+1) int32   node i's upper layers 1..ℓ(i) are (M+1)-int slots [count, up to M nodes]
///                              at upper links [offs[i] + (l-1)(M+1)]; ℓ(i) = (offs[i+1]-offs[i])/(M+1)
///   upper links  T int32
/// </code>
/// </summary>
internal static class AnnIndexFormat
{
    public const int Version = 1;
    public const int HeaderSize = 256;
    public static ReadOnlySpan<byte> Magic => "SBANNHNS"u8;

    public static Layout ComputeLayout(int dimensions, int nodes, int users, int maxLinksLayer0, long upperInts)
    {
        var vectors = (long)HeaderSize;
        var layer0 = Align(vectors + ((long)nodes * dimensions * sizeof(float)));
        var nodeUsers = Align(layer0 + ((long)nodes * (maxLinksLayer0 + 1) * sizeof(int)));
        var userNodes = Align(nodeUsers + ((long)nodes * sizeof(int)));
        var upperOffsets = Align(userNodes + ((long)users * sizeof(int)));
        var upperLinks = Align(upperOffsets + (((long)nodes + 1) * sizeof(int)));
        var length = Align(upperLinks + (upperInts * sizeof(int)));
        return new Layout(vectors, layer0, nodeUsers, userNodes, upperOffsets, upperLinks, length);
    }

    public static void WriteHeader(Span<byte> header, AnnIndexInfo info, long upperInts, Layout layout)
    {
        header[..HeaderSize].Clear();
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], HeaderSize);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], info.Dimensions);
        BinaryPrimitives.WriteInt32LittleEndian(header[20..], info.IndexedUsers);
        BinaryPrimitives.WriteInt32LittleEndian(header[24..], info.Users);
        BinaryPrimitives.WriteInt32LittleEndian(header[28..], info.M);
        BinaryPrimitives.WriteInt32LittleEndian(header[32..], info.MaxLinksLayer0);
        BinaryPrimitives.WriteInt32LittleEndian(header[36..], info.EfConstruction);
        BinaryPrimitives.WriteInt32LittleEndian(header[40..], info.EfSearch);
        BinaryPrimitives.WriteInt32LittleEndian(header[44..], info.MaxLevel);
        BinaryPrimitives.WriteInt32LittleEndian(header[48..], info.EntryPoint);
        BinaryPrimitives.WriteInt32LittleEndian(header[52..], (int)info.VectorMethod);
        BinaryPrimitives.WriteUInt64LittleEndian(header[56..], info.Seed);
        BinaryPrimitives.WriteUInt64LittleEndian(header[64..], info.VectorSeed);
        BinaryPrimitives.WriteUInt64LittleEndian(header[72..], info.SourceFingerprint);
        BinaryPrimitives.WriteInt64LittleEndian(header[80..], upperInts);
        BinaryPrimitives.WriteInt64LittleEndian(header[88..], layout.Vectors);
        BinaryPrimitives.WriteInt64LittleEndian(header[96..], layout.Layer0);
        BinaryPrimitives.WriteInt64LittleEndian(header[104..], layout.NodeUsers);
        BinaryPrimitives.WriteInt64LittleEndian(header[112..], layout.UserNodes);
        BinaryPrimitives.WriteInt64LittleEndian(header[120..], layout.UpperOffsets);
        BinaryPrimitives.WriteInt64LittleEndian(header[128..], layout.UpperLinks);
        BinaryPrimitives.WriteInt64LittleEndian(header[136..], layout.FileLength);
        BinaryPrimitives.WriteUInt64LittleEndian(header[144..], info.ContentChecksum);
        BinaryPrimitives.WriteUInt64LittleEndian(header[248..], XxHash64.Hash(header[..248]));
    }

    /// <summary>
    /// Reads and checks the header of an image of <paramref name="length"/> bytes: magic, version, header
    /// checksum, field ranges, and that the section offsets and file length are exactly those the counts
    /// imply. The content checksum is the caller's to check.
    /// </summary>
    public static (AnnIndexInfo Info, long UpperInts, Layout Layout) ReadHeader(ReadOnlySpan<byte> header, long length, string source)
    {
        if (header.Length >= Magic.Length && !header[..Magic.Length].SequenceEqual(Magic))
        {
            throw new AnnIndexFormatException(source, "is not a Spotify Buddies ANN index (bad magic number)");
        }

        if (length < HeaderSize || header.Length < HeaderSize)
        {
            throw new AnnIndexFormatException(source, Invariant($"is truncated: {length} bytes, the header alone takes {HeaderSize}"));
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (version != Version)
        {
            throw new AnnIndexFormatException(source, Invariant($"has ANN index format version {version}; this build reads version {Version} only (rebuild the index)"));
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(header[248..]) != XxHash64.Hash(header[..248]))
        {
            throw new AnnIndexFormatException(source, "has a corrupt header (checksum mismatch)");
        }

        var info = new AnnIndexInfo
        {
            FormatVersion = version,
            Dimensions = BinaryPrimitives.ReadInt32LittleEndian(header[16..]),
            IndexedUsers = BinaryPrimitives.ReadInt32LittleEndian(header[20..]),
            Users = BinaryPrimitives.ReadInt32LittleEndian(header[24..]),
            M = BinaryPrimitives.ReadInt32LittleEndian(header[28..]),
            MaxLinksLayer0 = BinaryPrimitives.ReadInt32LittleEndian(header[32..]),
            EfConstruction = BinaryPrimitives.ReadInt32LittleEndian(header[36..]),
            EfSearch = BinaryPrimitives.ReadInt32LittleEndian(header[40..]),
            MaxLevel = BinaryPrimitives.ReadInt32LittleEndian(header[44..]),
            EntryPoint = BinaryPrimitives.ReadInt32LittleEndian(header[48..]),
            VectorMethod = (UserVectorMethod)BinaryPrimitives.ReadInt32LittleEndian(header[52..]),
            Seed = BinaryPrimitives.ReadUInt64LittleEndian(header[56..]),
            VectorSeed = BinaryPrimitives.ReadUInt64LittleEndian(header[64..]),
            SourceFingerprint = BinaryPrimitives.ReadUInt64LittleEndian(header[72..]),
            ContentChecksum = BinaryPrimitives.ReadUInt64LittleEndian(header[144..]),
            FileLength = BinaryPrimitives.ReadInt64LittleEndian(header[136..]),
        };
        var upperInts = BinaryPrimitives.ReadInt64LittleEndian(header[80..]);
        var sane = BinaryPrimitives.ReadInt32LittleEndian(header[12..]) == HeaderSize
            && info.Dimensions >= 1
            && info.IndexedUsers >= 0
            && info.Users >= info.IndexedUsers
            && info.M is >= 2 and <= 256
            && info.MaxLinksLayer0 == 2 * info.M
            && info.EfSearch >= 1
            && Enum.IsDefined(info.VectorMethod)
            && upperInts is >= 0 and <= int.MaxValue
            && (info.IndexedUsers == 0
                ? info.MaxLevel == -1 && info.EntryPoint == -1
                : info.MaxLevel >= 0 && info.EntryPoint >= 0 && info.EntryPoint < info.IndexedUsers);
        if (!sane)
        {
            throw new AnnIndexFormatException(source, "has a header with impossible values");
        }

        var layout = ComputeLayout(info.Dimensions, info.IndexedUsers, info.Users, info.MaxLinksLayer0, upperInts);
        var stored = new Layout(
            BinaryPrimitives.ReadInt64LittleEndian(header[88..]),
            BinaryPrimitives.ReadInt64LittleEndian(header[96..]),
            BinaryPrimitives.ReadInt64LittleEndian(header[104..]),
            BinaryPrimitives.ReadInt64LittleEndian(header[112..]),
            BinaryPrimitives.ReadInt64LittleEndian(header[120..]),
            BinaryPrimitives.ReadInt64LittleEndian(header[128..]),
            info.FileLength);
        if (stored != layout)
        {
            throw new AnnIndexFormatException(source, "has a header whose section offsets do not match its counts");
        }

        if (length != layout.FileLength)
        {
            throw new AnnIndexFormatException(
                source,
                length < layout.FileLength
                    ? Invariant($"is truncated: {length} bytes, the header says {layout.FileLength}")
                    : Invariant($"has {length - layout.FileLength} bytes more than the {layout.FileLength} its header says"));
        }

        return (info, upperInts, layout);
    }

    private static long Align(long offset) => (offset + 63) & ~63L;

    private static string Invariant(FormattableString message) => message.ToString(CultureInfo.InvariantCulture);

    /// <summary>Byte offsets of the sections, and the file length.</summary>
    internal readonly record struct Layout(long Vectors, long Layer0, long NodeUsers, long UserNodes, long UpperOffsets, long UpperLinks, long FileLength);
}

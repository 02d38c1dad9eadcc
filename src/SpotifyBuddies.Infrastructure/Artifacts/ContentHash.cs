using System.Buffers;
using System.Security.Cryptography;

namespace SpotifyBuddies.Infrastructure.Artifacts;

/// <summary>SHA-256 of content as it is copied or read, so no store reads anything twice just to checksum it.</summary>
internal static class ContentHash
{
    private const int BufferSize = 1 << 17;

    /// <summary>Lower-case hex, the form <c>ArtifactInfo.Sha256</c> and the S3 metadata use.</summary>
    public static string ToHex(ReadOnlySpan<byte> hash) => Convert.ToHexStringLower(hash);

    /// <summary>Whether <paramref name="value"/> looks like a SHA-256 in lower-case hex.</summary>
    public static bool IsSha256Hex(string? value) =>
        value is { Length: 64 } && value.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    /// <summary>Copies all of <paramref name="source"/> to <paramref name="destination"/> (when given), hashing it.</summary>
    /// <returns>The hex SHA-256 and the number of bytes.</returns>
    public static async Task<(string Sha256, long Length)> CopyAsync(Stream source, Stream? destination, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long length = 0;
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                if (destination is not null)
                {
                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                length += read;
            }

            return (ToHex(hash.GetHashAndReset()), length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads up to <paramref name="count"/> bytes (fewer only at the end of the stream).</summary>
    /// <remarks>Allocates for what arrives, not for <paramref name="count"/>, which may be far larger than the content.</remarks>
    public static async Task<byte[]> ReadUpToAsync(Stream source, int count, CancellationToken cancellationToken)
    {
        using var collected = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while (collected.Length < count
                   && (read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(BufferSize, count - collected.Length)), cancellationToken)) > 0)
            {
                collected.Write(buffer, 0, read);
            }

            return collected.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads and discards <paramref name="count"/> bytes; false when the stream ends first.</summary>
    public static async Task<bool> SkipAsync(Stream source, long count, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (count > 0)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(count, BufferSize)), cancellationToken);
                if (read == 0)
                {
                    return false;
                }

                count -= read;
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

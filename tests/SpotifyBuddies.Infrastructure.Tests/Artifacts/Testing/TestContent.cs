using System.Security.Cryptography;

namespace SpotifyBuddies.Infrastructure.Tests.Artifacts.Testing;

/// <summary>Deterministic test content and streams that behave like network or pipe sources.</summary>
public static class TestContent
{
    public static byte[] Bytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static async Task<string> Sha256Async(Stream stream) => Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));

    public static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory);
        return memory.ToArray();
    }
}

/// <summary>A forward-only view of bytes: no length, no seeking (like a network stream).</summary>
public sealed class NonSeekableStream(byte[] bytes) : GeneratedStream(bytes.Length, (offset, span) => bytes.AsSpan((int)offset, span.Length).CopyTo(span));

/// <summary>Delivers <paramref name="failAfter"/> bytes of <paramref name="bytes"/>, then fails as a broken connection would.</summary>
public sealed class FailingStream(byte[] bytes, int failAfter) : GeneratedStream(bytes.Length, (offset, span) =>
{
    if (offset + span.Length > failAfter)
    {
        throw new IOException($"Simulated failure of the source after {failAfter} bytes.");
    }

    bytes.AsSpan((int)offset, span.Length).CopyTo(span);
});

/// <summary>
/// A non-seekable stream of <paramref name="length"/> bytes produced on demand by <paramref name="fill"/>
/// (given the offset and the span to fill), so large content never needs to be in memory at once.
/// </summary>
public class GeneratedStream(long length, Action<long, Span<byte>> fill) : Stream
{
    private long _position;

    /// <summary>Deterministic pseudo-random content: byte i is a function of (seed, i) alone.</summary>
    public static GeneratedStream PseudoRandom(int seed, long length) => new(length, (offset, span) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            var x = (ulong)(offset + i) * 0x9E3779B97F4A7C15UL ^ (ulong)seed;
            x ^= x >> 29;
            x *= 0xBF58476D1CE4E5B9UL;
            span[i] = (byte)(x >> 56);
        }
    });

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, length - _position);
        if (count <= 0)
        {
            return 0;
        }

        fill(_position, buffer[..count]);
        _position += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

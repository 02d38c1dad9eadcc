using System.Text;
using SpotifyBuddies.Data.Formats;

namespace SpotifyBuddies.Data.Tests.Formats;

/// <summary>Fixture paths and streams shared by the reader tests.</summary>
internal static class FormatTestData
{
    public static string Fixture(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    public static MemoryStream Utf8(string text) => new(Encoding.UTF8.GetBytes(text));

    public static ReadOptions Skip { get; } = new() { SkipBad = true };
}

/// <summary>A read-only stream that hands out at most <c>maxChunk</c> bytes a read, as a network stream may.</summary>
internal sealed class ChunkedStream(Stream inner, int maxChunk) : Stream
{
    public long BytesRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, Math.Min(count, maxChunk));
        BytesRead += read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

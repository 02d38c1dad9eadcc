namespace SpotifyBuddies.Data.Preparation;

/// <summary>
/// A read-only view of the next <c>length</c> bytes of a stream (which it owns), counting the '\n' bytes it hands
/// out and reporting every read to a callback; lets a text reader parse one chunk of a large file.
/// </summary>
internal sealed class WindowStream(Stream inner, long length, Action<long>? onBytesRead = null) : Stream
{
    private readonly long _length = length;
    private long _remaining = length;

    /// <summary>Line feeds in the bytes read so far.</summary>
    public long Newlines { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _length - _remaining;
        set => throw new NotSupportedException();
    }

    /// <summary>Reads the rest of the window (after a reader stopped early), so <see cref="Newlines"/> covers all of it.</summary>
    public void Drain()
    {
        var buffer = new byte[1 << 16];
        while (Read(buffer, 0, buffer.Length) > 0)
        {
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_remaining <= 0)
        {
            return 0;
        }

        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        if (read > 0)
        {
            _remaining -= read;
            Newlines += buffer[..read].Count((byte)'\n');
            onBytesRead?.Invoke(read);
        }

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

using System.Text;

namespace SpotifyBuddies.Data.Formats;

/// <summary>
/// Turns absolute byte offsets of a UTF-8 stream into 1-based line and column numbers, scanning each byte once.
/// Offsets must be asked for in increasing order, and the bytes between the last offset asked for and the
/// new one must still be in the buffer passed in. A line ends at <c>\n</c> (a preceding <c>\r</c> is part of
/// the line, as for <see cref="System.Text.Json.Utf8JsonReader"/>). Columns count UTF-16 code units from the
/// start of the line, as text editors do, so a column stays right after non-ASCII text.
/// </summary>
internal sealed class Utf8PositionTracker
{
    private long _scanned;
    private long _lineStart;
    private long _charsBeforeScanned;

    public long Line { get; private set; } = 1;

    /// <summary>The absolute offset counted up to.</summary>
    public long Offset => _scanned;

    /// <summary>Starts counting at <paramref name="offset"/> (for instance after a byte order mark) on line 1.</summary>
    public void StartAt(long offset)
    {
        _scanned = offset;
        _lineStart = offset;
        _charsBeforeScanned = 0;
        Line = 1;
    }

    /// <summary>
    /// The line and column of the byte at absolute <paramref name="offset"/>; <paramref name="buffer"/> holds the
    /// bytes from absolute offset <paramref name="bufferOffset"/> on.
    /// </summary>
    public (long Line, long Column) Advance(ReadOnlySpan<byte> buffer, long bufferOffset, long offset)
    {
        if (offset > _scanned)
        {
            var segment = buffer.Slice(checked((int)(_scanned - bufferOffset)), checked((int)(offset - _scanned)));
            var lastNewline = segment.LastIndexOf((byte)'\n');
            if (lastNewline >= 0)
            {
                Line += segment.Count((byte)'\n');
                _lineStart = _scanned + lastNewline + 1;
                _charsBeforeScanned = 0;
                segment = segment[(lastNewline + 1)..];
            }

            _charsBeforeScanned += Encoding.UTF8.GetCharCount(segment);
            _scanned = offset;
        }

        return (Line, _charsBeforeScanned + 1);
    }

    /// <summary>
    /// The line and column of a position given as a 1-based line and a 0-based byte offset within that line
    /// (what <see cref="System.Text.Json.JsonException"/> reports), as far as the buffer reaches.
    /// </summary>
    public (long Line, long Column) Locate(ReadOnlySpan<byte> buffer, long bufferOffset, long line, long byteInLine)
    {
        var bufferEnd = bufferOffset + buffer.Length;
        while (Line < line)
        {
            var newline = buffer[checked((int)(_scanned - bufferOffset))..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                break;
            }

            Advance(buffer, bufferOffset, _scanned + newline + 1);
        }

        var offset = Math.Clamp(_lineStart + byteInLine, _scanned, bufferEnd);
        return Advance(buffer, bufferOffset, offset);
    }
}

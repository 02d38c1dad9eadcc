using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace SpotifyBuddies.Data.Datasets;

/// <summary>
/// Writes a raw little-endian int32 matrix (row-major, no header) that a trainer can memory-map; its shape and
/// column names are recorded in the manifest (<see cref="DatasetFile.Shape"/>, <see cref="DatasetFile.Columns"/>).
/// </summary>
public sealed class RawInt32Writer : IDisposable
{
    private readonly FileStream _stream;
    private readonly byte[] _swap;
    private bool _disposed;

    public RawInt32Writer(string path, int columns)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        FilePath = path;
        ColumnCount = columns;
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 20);
        _swap = BitConverter.IsLittleEndian ? [] : new byte[1 << 16];
    }

    public string FilePath { get; }

    public int ColumnCount { get; }

    /// <summary>Values written so far.</summary>
    public long Values { get; private set; }

    /// <summary>Complete rows written so far.</summary>
    public long Rows => Values / ColumnCount;

    /// <summary>Appends values (row-major); rows may span calls.</summary>
    public void Write(ReadOnlySpan<int> values)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (BitConverter.IsLittleEndian)
        {
            _stream.Write(MemoryMarshal.AsBytes(values));
        }
        else
        {
            var perChunk = _swap.Length / sizeof(int);
            for (var start = 0; start < values.Length; start += perChunk)
            {
                var chunk = values.Slice(start, Math.Min(perChunk, values.Length - start));
                for (var i = 0; i < chunk.Length; i++)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(_swap.AsSpan(i * sizeof(int)), chunk[i]);
                }

                _stream.Write(_swap, 0, chunk.Length * sizeof(int));
            }
        }

        Values += values.Length;
    }

    /// <summary>Appends one value.</summary>
    public void Write(int value)
    {
        Span<int> one = [value];
        Write(one);
    }

    /// <summary>Flushes to disk; throws if a row is incomplete.</summary>
    public void Complete()
    {
        if (Values % ColumnCount != 0)
        {
            throw new InvalidOperationException($"'{FilePath}' ends inside a row: {Values} values for {ColumnCount} columns.");
        }

        _stream.Flush();
        Dispose();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stream.Dispose();
    }

    /// <summary>Reads a whole raw int32 file (little-endian) into memory.</summary>
    public static int[] ReadAll(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length % sizeof(int) != 0)
        {
            throw new InvalidDataException($"'{path}' is {bytes.Length} bytes, not a whole number of int32 values.");
        }

        var values = new int[bytes.Length / sizeof(int)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i * sizeof(int)));
        }

        return values;
    }
}

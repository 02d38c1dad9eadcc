using Parquet;
using Parquet.Schema;

namespace SpotifyBuddies.Data.Datasets;

/// <summary>
/// Streams one table into a Parquet file, a row group at a time: append values to the column buffers, call
/// <see cref="FlushIfFullAsync"/> at row boundaries, and <see cref="CompleteAsync"/> at the end. Memory is bounded
/// by the row-group size, not by the table. Snappy-compressed, every column required (no nulls).
/// </summary>
/// <remarks>Not thread-safe: one writer per table, used by one thread at a time.</remarks>
public sealed class ParquetTableWriter : IAsyncDisposable
{
    /// <summary>Rows per row group unless told otherwise: about 4 MiB per int32 column.</summary>
    public const int DefaultRowGroupSize = 1 << 20;

    private static readonly ParquetOptions WriterOptions = new() { CompressionMethod = CompressionMethod.Snappy };

    private readonly Stream _stream;
    private readonly ParquetWriter _writer;
    private readonly DataField[] _fields;
    private readonly ColumnBuffer[] _buffers;
    private readonly int _rowGroupSize;
    private bool _completed;

    private ParquetTableWriter(string path, IReadOnlyList<ColumnSchema> columns, Stream stream, ParquetWriter writer, DataField[] fields, int rowGroupSize)
    {
        FilePath = path;
        Columns = columns;
        _stream = stream;
        _writer = writer;
        _fields = fields;
        _rowGroupSize = rowGroupSize;
        _buffers = new ColumnBuffer[columns.Count];
        var initial = Math.Min(rowGroupSize, 1 << 16);
        for (var i = 0; i < columns.Count; i++)
        {
            _buffers[i] = columns[i].Type switch
            {
                ColumnType.I32 => new ColumnBuffer<int>(initial),
                ColumnType.I64 => new ColumnBuffer<long>(initial),
                ColumnType.F64 => new ColumnBuffer<double>(initial),
                ColumnType.Text => new ColumnBuffer<string>(initial),
                _ => throw new ArgumentOutOfRangeException(nameof(columns), columns[i].Type, "Unknown column type."),
            };
        }
    }

    public string FilePath { get; }

    public IReadOnlyList<ColumnSchema> Columns { get; }

    /// <summary>Rows written to the file so far (flushed row groups).</summary>
    public long RowsWritten { get; private set; }

    /// <summary>Creates (or truncates) <paramref name="path"/> and writes the Parquet header.</summary>
    public static async Task<ParquetTableWriter> CreateAsync(
        string path,
        IReadOnlyList<ColumnSchema> columns,
        int rowGroupSize = DefaultRowGroupSize,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowGroupSize);
        if (columns.Count == 0)
        {
            throw new ArgumentException("A table needs at least one column.", nameof(columns));
        }

        var fields = new DataField[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            fields[i] = columns[i].Type switch
            {
                ColumnType.I32 => new DataField<int>(columns[i].Name),
                ColumnType.I64 => new DataField<long>(columns[i].Name),
                ColumnType.F64 => new DataField<double>(columns[i].Name),
                ColumnType.Text => new DataField<string>(columns[i].Name, nullable: false),
                _ => throw new ArgumentOutOfRangeException(nameof(columns), columns[i].Type, "Unknown column type."),
            };
        }

        var stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 16);
        try
        {
            var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream, WriterOptions, append: false, cancellationToken);
            return new ParquetTableWriter(path, columns, stream, writer, fields, rowGroupSize);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>The buffer of int32 column <paramref name="ordinal"/>.</summary>
    public ColumnBuffer<int> Ints(int ordinal) => Buffer<int>(ordinal);

    /// <summary>The buffer of int64 column <paramref name="ordinal"/>.</summary>
    public ColumnBuffer<long> Longs(int ordinal) => Buffer<long>(ordinal);

    /// <summary>The buffer of double column <paramref name="ordinal"/>.</summary>
    public ColumnBuffer<double> Doubles(int ordinal) => Buffer<double>(ordinal);

    /// <summary>The buffer of string column <paramref name="ordinal"/>.</summary>
    public ColumnBuffer<string> Strings(int ordinal) => Buffer<string>(ordinal);

    /// <summary>Writes the buffered rows as a row group once they reach the row-group size.</summary>
    public ValueTask FlushIfFullAsync(CancellationToken cancellationToken = default) =>
        _buffers[0].Count >= _rowGroupSize ? new ValueTask(FlushAsync(cancellationToken)) : ValueTask.CompletedTask;

    /// <summary>Writes the buffered rows (if any) as one row group.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        var rows = _buffers[0].Count;
        for (var i = 1; i < _buffers.Length; i++)
        {
            if (_buffers[i].Count != rows)
            {
                throw new InvalidOperationException(
                    $"Column '{Columns[i].Name}' of '{FilePath}' has {_buffers[i].Count} values but '{Columns[0].Name}' has {rows}.");
            }
        }

        if (rows == 0)
        {
            return;
        }

        await WriteRowGroupAsync(cancellationToken);
        RowsWritten += rows;
        foreach (var buffer in _buffers)
        {
            buffer.Clear();
        }
    }

    /// <summary>Flushes the last rows and the file footer. A table with no rows gets one empty row group.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        await FlushAsync(cancellationToken);
        if (RowsWritten == 0)
        {
            await WriteRowGroupAsync(cancellationToken);
        }

        _completed = true;
        await _writer.DisposeAsync();
        await _stream.FlushAsync(cancellationToken);
        await _stream.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        await _writer.DisposeAsync();
        await _stream.DisposeAsync();
    }

    private ColumnBuffer<T> Buffer<T>(int ordinal) =>
        _buffers[ordinal] as ColumnBuffer<T>
        ?? throw new InvalidOperationException($"Column '{Columns[ordinal].Name}' is {Columns[ordinal].Type}, not {typeof(T).Name}.");

    private async Task WriteRowGroupAsync(CancellationToken cancellationToken)
    {
        using var group = _writer.CreateRowGroup();
        for (var i = 0; i < _fields.Length; i++)
        {
            switch (_buffers[i])
            {
                case ColumnBuffer<int> ints:
                    await group.WriteAsync(_fields[i], ints.Values, cancellationToken: cancellationToken);
                    break;
                case ColumnBuffer<long> longs:
                    await group.WriteAsync(_fields[i], longs.Values, cancellationToken: cancellationToken);
                    break;
                case ColumnBuffer<double> doubles:
                    await group.WriteAsync(_fields[i], doubles.Values, cancellationToken: cancellationToken);
                    break;
                case ColumnBuffer<string> strings:
                    await group.WriteAsync(_fields[i], strings.Segment);
                    break;
                default:
                    throw new InvalidOperationException($"Unsupported column buffer for '{Columns[i].Name}'.");
            }
        }

        group.CompleteValidate();
    }
}

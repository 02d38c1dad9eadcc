using Parquet;
using Parquet.Schema;

namespace SpotifyBuddies.Data.Datasets;

/// <summary>Reads whole columns of a Parquet table written by <see cref="ParquetTableWriter"/> (or any flat table).</summary>
public static class ParquetTableReader
{
    /// <summary>The column names, in file order.</summary>
    public static async Task<IReadOnlyList<string>> ReadColumnNamesAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var reader = await ParquetReader.CreateAsync(path, cancellationToken: cancellationToken);
        return [.. reader.Schema.DataFields.Select(f => f.Name)];
    }

    /// <summary>Rows over all row groups.</summary>
    public static async Task<long> CountRowsAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var reader = await ParquetReader.CreateAsync(path, cancellationToken: cancellationToken);
        long rows = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            rows += group.RowCount;
        }

        return rows;
    }

    public static Task<int[]> ReadInt32Async(string path, string column, CancellationToken cancellationToken = default) =>
        ReadValuesAsync<int>(path, column, cancellationToken);

    public static Task<long[]> ReadInt64Async(string path, string column, CancellationToken cancellationToken = default) =>
        ReadValuesAsync<long>(path, column, cancellationToken);

    public static Task<double[]> ReadDoubleAsync(string path, string column, CancellationToken cancellationToken = default) =>
        ReadValuesAsync<double>(path, column, cancellationToken);

    public static async Task<string[]> ReadStringAsync(string path, string column, CancellationToken cancellationToken = default)
    {
        await using var reader = await ParquetReader.CreateAsync(path, cancellationToken: cancellationToken);
        var field = FindField(reader, path, column);
        var values = new string?[TotalRows(reader)];
        var offset = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var rows = checked((int)group.RowCount);
            await group.ReadAsync(field, values.AsMemory(offset, rows), null, cancellationToken);
            offset += rows;
        }

        return Array.ConvertAll(values, v => v ?? string.Empty);
    }

    private static async Task<T[]> ReadValuesAsync<T>(string path, string column, CancellationToken cancellationToken)
        where T : struct
    {
        await using var reader = await ParquetReader.CreateAsync(path, cancellationToken: cancellationToken);
        var field = FindField(reader, path, column);
        if (field.ClrType != typeof(T))
        {
            throw new InvalidDataException($"Column '{column}' of '{path}' holds {field.ClrType.Name}, not {typeof(T).Name}.");
        }

        var values = new T[TotalRows(reader)];
        var offset = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var rows = checked((int)group.RowCount);
            await group.ReadAsync(field, values.AsMemory(offset, rows), null, cancellationToken);
            offset += rows;
        }

        return values;
    }

    private static DataField FindField(ParquetReader reader, string path, string column) =>
        reader.Schema.DataFields.FirstOrDefault(f => string.Equals(f.Name, column, StringComparison.Ordinal))
        ?? throw new InvalidDataException(
            $"'{path}' has no column '{column}' (columns: {string.Join(", ", reader.Schema.DataFields.Select(f => f.Name))}).");

    private static int TotalRows(ParquetReader reader)
    {
        long rows = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            rows += group.RowCount;
        }

        return checked((int)rows);
    }
}

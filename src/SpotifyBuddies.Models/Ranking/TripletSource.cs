using System.IO.MemoryMappedFiles;

namespace SpotifyBuddies.Models.Ranking;

/// <summary>
/// Training triplets (user, positive playlist, negative playlist) as int32 rows: the prepared dataset's
/// <c>triplets.i32</c> memory-mapped read-only (so data larger than RAM streams from the page cache), or an
/// in-memory array (tests). Thread-safe for reading.
/// </summary>
public sealed unsafe class TripletSource : IDisposable
{
    public const int Columns = 3;

    private readonly MemoryMappedFile? _file;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly int[]? _array;
    private readonly int* _rows;
    private bool _disposed;

    private TripletSource(int[] array)
    {
        _array = array;
        Count = array.Length / Columns;
    }

    private TripletSource(MemoryMappedFile file, MemoryMappedViewAccessor view, long count, string path)
    {
        _file = file;
        _view = view;
        Count = count;
        Path = path;
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _rows = (int*)(pointer + view.PointerOffset);
    }

    /// <summary>Number of triplets.</summary>
    public long Count { get; }

    /// <summary>The mapped file, or null for an in-memory source.</summary>
    public string? Path { get; }

    /// <summary>Maps a raw little-endian int32 file of rows (user, pos, neg).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Its length is not a whole number of 12-byte rows.</exception>
    public static TripletSource Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The raw triplet file is little-endian; this machine is not.");
        }

        var length = new FileInfo(path).Exists ? new FileInfo(path).Length : throw new FileNotFoundException($"No triplet file at {path}.", path);
        if (length % (Columns * sizeof(int)) != 0)
        {
            throw new InvalidDataException($"{path}: {length} bytes is not a whole number of {Columns}-int32 rows (truncated?).");
        }

        if (length == 0)
        {
            return new TripletSource([]) { };
        }

        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.Read);
        try
        {
            var view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            return new TripletSource(file, view, length / (Columns * sizeof(int)), path);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>An in-memory source over <paramref name="rows"/> (user, pos, neg, user, pos, neg, …); not copied.</summary>
    public static TripletSource FromArray(int[] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Length % Columns != 0)
        {
            throw new ArgumentException($"{rows.Length} values is not a whole number of rows of {Columns}.", nameof(rows));
        }

        return new TripletSource(rows);
    }

    /// <summary><paramref name="count"/> rows from <paramref name="first"/>, as 3·count ints (user, pos, neg, …).</summary>
    public ReadOnlySpan<int> Rows(long first, int count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (first < 0 || count < 0 || first + count > Count)
        {
            throw new ArgumentOutOfRangeException(nameof(first), $"Rows [{first}, {first + count}) outside 0..{Count}.");
        }

        return _array is not null
            ? _array.AsSpan(checked((int)(first * Columns)), count * Columns)
            : new ReadOnlySpan<int>(_rows + (first * Columns), count * Columns);
    }

    /// <summary>Number of batches of <paramref name="batchSize"/> (the last may be short).</summary>
    public int BatchCount(int batchSize) => checked((int)((Count + batchSize - 1) / batchSize));

    /// <summary>The rows of batch <paramref name="batch"/>.</summary>
    public ReadOnlySpan<int> Batch(int batch, int batchSize)
    {
        var first = (long)batch * batchSize;
        return Rows(first, (int)Math.Min(batchSize, Count - first));
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }

        _file?.Dispose();
    }
}

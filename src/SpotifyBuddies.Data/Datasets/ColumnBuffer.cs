namespace SpotifyBuddies.Data.Datasets;

/// <summary>A growable column of values waiting to be written as part of a row group.</summary>
public abstract class ColumnBuffer
{
    private protected ColumnBuffer()
    {
    }

    /// <summary>Values appended since the last flush.</summary>
    public abstract int Count { get; }

    internal abstract void Clear();
}

/// <summary>A growable column of values of type <typeparamref name="T"/>; <see cref="Add"/> is allocation-free once grown.</summary>
public sealed class ColumnBuffer<T> : ColumnBuffer
{
    private T[] _items;
    private int _count;

    internal ColumnBuffer(int initialCapacity) => _items = new T[Math.Max(16, initialCapacity)];

    public override int Count => _count;

    /// <summary>The appended values.</summary>
    public ReadOnlyMemory<T> Values => _items.AsMemory(0, _count);

    internal ArraySegment<T> Segment => new(_items, 0, _count);

    public void Add(T value)
    {
        if (_count == _items.Length)
        {
            Grow(_count + 1);
        }

        _items[_count++] = value;
    }

    public void AddRange(ReadOnlySpan<T> values)
    {
        if (_count + values.Length > _items.Length)
        {
            Grow(_count + values.Length);
        }

        values.CopyTo(_items.AsSpan(_count));
        _count += values.Length;
    }

    /// <summary>Appends <paramref name="count"/> values read from <paramref name="source"/> at <paramref name="start"/>, <paramref name="start"/> + <paramref name="stride"/>, … (a column of a row-major block).</summary>
    public void AddStrided(ReadOnlySpan<T> source, int start, int stride, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        if (count > 0 && start + ((long)(count - 1) * stride) >= source.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "The strided range runs past the source.");
        }

        if (_count + count > _items.Length)
        {
            Grow(_count + count);
        }

        var items = _items;
        var at = _count;
        for (var i = 0; i < count; i++)
        {
            items[at + i] = source[start + (i * stride)];
        }

        _count += count;
    }

    internal override void Clear()
    {
        if (!typeof(T).IsValueType)
        {
            Array.Clear(_items, 0, _count);
        }

        _count = 0;
    }

    private void Grow(int needed)
    {
        var capacity = Math.Max(needed, (int)Math.Min(Array.MaxLength, 2L * _items.Length));
        Array.Resize(ref _items, capacity);
    }
}

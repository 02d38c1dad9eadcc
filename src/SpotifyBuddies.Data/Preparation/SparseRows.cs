namespace SpotifyBuddies.Data.Preparation;

/// <summary>
/// Compressed sparse rows of int column indexes (a 0/1 sparse matrix): row r is
/// <c>Values[Offsets[r] .. Offsets[r + 1])</c>. Rows built here are ascending and duplicate-free.
/// </summary>
internal sealed class SparseRows
{
    public SparseRows(int[] offsets, int[] values)
    {
        if (offsets.Length == 0 || offsets[0] != 0 || offsets[^1] > values.Length)
        {
            throw new ArgumentException("Offsets must start at 0 and end within the values.", nameof(offsets));
        }

        Offsets = offsets;
        Values = values;
    }

    public int[] Offsets { get; }

    public int[] Values { get; }

    public int RowCount => Offsets.Length - 1;

    /// <summary>Non-zero entries over all rows.</summary>
    public int Count => Offsets[^1];

    public ReadOnlySpan<int> this[int row] => Values.AsSpan(Offsets[row], Offsets[row + 1] - Offsets[row]);

    public int Length(int row) => Offsets[row + 1] - Offsets[row];

    /// <summary>
    /// The transpose (column → rows) with <paramref name="columnCount"/> rows, by a counting sort: each of its rows
    /// lists the source rows in ascending order.
    /// </summary>
    public SparseRows Transpose(int columnCount)
    {
        var offsets = new int[columnCount + 1];
        var count = Count;
        var values = Values;
        for (var i = 0; i < count; i++)
        {
            offsets[values[i] + 1]++;
        }

        for (var c = 0; c < columnCount; c++)
        {
            offsets[c + 1] += offsets[c];
        }

        var cursor = offsets.AsSpan(0, columnCount).ToArray();
        var transposed = new int[count];
        for (var r = 0; r < RowCount; r++)
        {
            for (var i = Offsets[r]; i < Offsets[r + 1]; i++)
            {
                transposed[cursor[values[i]]++] = r;
            }
        }

        return new SparseRows(offsets, transposed);
    }

    /// <summary>The rows listed in <paramref name="rows"/> (in that order), with every value mapped through <paramref name="map"/>.</summary>
    /// <remarks>Only monotone maps keep rows ascending; values mapped to a negative number are dropped.</remarks>
    public SparseRows Select(ReadOnlySpan<int> rows, ReadOnlySpan<int> map)
    {
        var offsets = new int[rows.Length + 1];
        var total = 0L;
        for (var i = 0; i < rows.Length; i++)
        {
            total += Length(rows[i]);
        }

        var values = new int[checked((int)total)];
        var n = 0;
        for (var i = 0; i < rows.Length; i++)
        {
            foreach (var value in this[rows[i]])
            {
                var mapped = map.IsEmpty ? value : map[value];
                if (mapped >= 0)
                {
                    values[n++] = mapped;
                }
            }

            offsets[i + 1] = n;
        }

        Array.Resize(ref values, n);
        return new SparseRows(offsets, values);
    }
}

/// <summary>A growable int array without the overhead of <see cref="List{T}"/> in hot loops.</summary>
internal struct IntBuffer(int capacity)
{
    private int[] _items = new int[Math.Max(4, capacity)];

    public int Count { get; private set; }

    public readonly Span<int> Span => _items.AsSpan(0, Count);

    public void Add(int value)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, (int)Math.Min(Array.MaxLength, 2L * _items.Length));
        }

        _items[Count++] = value;
    }

    /// <summary>Appends <c>map[v]</c> for each v of <paramref name="values"/>.</summary>
    public void AddMapped(ReadOnlySpan<int> values, ReadOnlySpan<int> map)
    {
        if (Count + values.Length > _items.Length)
        {
            Array.Resize(ref _items, (int)Math.Min(Array.MaxLength, Math.Max(Count + (long)values.Length, 2L * _items.Length)));
        }

        var items = _items.AsSpan(Count, values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            items[i] = map[values[i]];
        }

        Count += values.Length;
    }

    public readonly int[] ToArray() => _items.AsSpan(0, Count).ToArray();

    /// <summary>The backing array, trimmed to <see cref="Count"/> (no copy when it already fits).</summary>
    public int[] Detach()
    {
        if (_items.Length != Count)
        {
            Array.Resize(ref _items, Count);
        }

        return _items;
    }
}

using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace SpotifyBuddies.Data.Preparation;

/// <summary>
/// Interns byte strings (UTF-8 song keys) as dense ids 0, 1, 2, … in first-appearance order, without making a string
/// per lookup: keys live in one byte arena, found through an open-addressing table of ids. Each key's hash is kept,
/// so a slice's table can be merged into another without hashing again. Not thread-safe.
/// </summary>
internal sealed class Utf8KeyTable
{
    private byte[] _bytes;
    private int[] _ends;
    private int[] _hashes;
    private int[] _slots; // id + 1, 0 = empty; the length is a power of two, at most half full
    private int _length;

    public Utf8KeyTable(int capacity = 1 << 10)
    {
        var keys = Math.Max(16, capacity);
        _bytes = new byte[keys * 32];
        _ends = new int[keys];
        _hashes = new int[keys];
        _slots = new int[(int)BitOperations.RoundUpToPowerOf2((uint)keys * 2)];
    }

    public int Count { get; private set; }

    public ReadOnlySpan<byte> this[int id] => _bytes.AsSpan(Start(id), _ends[id] - Start(id));

    public int HashOf(int id) => _hashes[id];

    /// <summary>The id of <paramref name="key"/>, or -1 when it is not in the table. Safe to call from several threads while nothing is added.</summary>
    public int IdOf(ReadOnlySpan<byte> key)
    {
        var hash = Hash(key);
        var mask = _slots.Length - 1;
        for (var slot = hash & mask; ; slot = (slot + 1) & mask)
        {
            var entry = _slots[slot];
            if (entry == 0)
            {
                return -1;
            }

            if (_hashes[entry - 1] == hash && this[entry - 1].SequenceEqual(key))
            {
                return entry - 1;
            }
        }
    }

    /// <summary>The id of <paramref name="key"/>, added with the next id when new.</summary>
    public int GetOrAdd(ReadOnlySpan<byte> key) => GetOrAdd(key, Hash(key));

    /// <summary>As <see cref="GetOrAdd(ReadOnlySpan{byte})"/>, with <paramref name="hash"/> = <see cref="Hash"/>(key).</summary>
    public int GetOrAdd(ReadOnlySpan<byte> key, int hash)
    {
        var mask = _slots.Length - 1;
        var slot = hash & mask;
        while (true)
        {
            var entry = _slots[slot];
            if (entry == 0)
            {
                break;
            }

            var id = entry - 1;
            if (_hashes[id] == hash && this[id].SequenceEqual(key))
            {
                return id;
            }

            slot = (slot + 1) & mask;
        }

        var added = Add(key, hash);
        _slots[slot] = added + 1;
        if (Count * 2 > _slots.Length)
        {
            Rehash();
        }

        return added;
    }

    /// <summary>Every key as a string (UTF-8 decoded), by id.</summary>
    public string[] ToStrings()
    {
        var strings = new string[Count];
        for (var id = 0; id < Count; id++)
        {
            strings[id] = Encoding.UTF8.GetString(this[id]);
        }

        return strings;
    }

    /// <summary>A fast, well-mixed 32-bit hash of the bytes (8 at a time); not stable across versions, never persisted.</summary>
    public static int Hash(ReadOnlySpan<byte> key)
    {
        const ulong Multiplier = 0x9E3779B97F4A7C15UL;
        var hash = (ulong)key.Length * Multiplier;
        var words = MemoryMarshal.Cast<byte, ulong>(key);
        foreach (var word in words)
        {
            hash = BitOperations.RotateLeft((hash ^ word) * Multiplier, 29);
        }

        var tail = key[(words.Length * sizeof(ulong))..];
        if (!tail.IsEmpty)
        {
            Span<byte> last = stackalloc byte[sizeof(ulong)];
            last.Clear();
            tail.CopyTo(last);
            hash = BitOperations.RotateLeft((hash ^ BinaryPrimitives.ReadUInt64LittleEndian(last)) * Multiplier, 29);
        }

        hash ^= hash >> 32;
        hash *= Multiplier;
        return (int)(hash >> 32);
    }

    private int Start(int id) => id == 0 ? 0 : _ends[id - 1];

    private int Add(ReadOnlySpan<byte> key, int hash)
    {
        var id = Count;
        if (_length + key.Length > _bytes.Length)
        {
            Array.Resize(ref _bytes, (int)Math.Min(Array.MaxLength, Math.Max(_length + (long)key.Length, 2L * _bytes.Length)));
        }

        if (id == _ends.Length)
        {
            Array.Resize(ref _ends, 2 * _ends.Length);
            Array.Resize(ref _hashes, 2 * _hashes.Length);
        }

        key.CopyTo(_bytes.AsSpan(_length));
        _length += key.Length;
        _ends[id] = _length;
        _hashes[id] = hash;
        Count++;
        return id;
    }

    private void Rehash()
    {
        _slots = new int[_slots.Length * 2];
        var mask = _slots.Length - 1;
        for (var id = 0; id < Count; id++)
        {
            var slot = _hashes[id] & mask;
            while (_slots[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            _slots[slot] = id + 1;
        }
    }
}

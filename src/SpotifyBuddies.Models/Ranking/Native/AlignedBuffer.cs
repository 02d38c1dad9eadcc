using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SpotifyBuddies.Models.Ranking.Native;

/// <summary>
/// A pinned array of <see cref="Length"/> elements starting on a 64-byte boundary (element <see cref="Start"/> of
/// <see cref="Array"/>), on Linux transparent huge pages where the buffer is large. Embedding rows of d = 128 floats
/// then fill exactly 8 cache lines (not 9) and every 512-bit load is aligned instead of split across two lines; and
/// with 2 MiB pages most random row accesses into tables of hundreds of MB no longer miss the TLB.
/// </summary>
internal sealed unsafe class AlignedBuffer<T>
    where T : unmanaged
{
    private const int Alignment = 64;
    private const long HugePage = 2 << 20;
    private const int MadviseHugePage = 14;

    private static readonly delegate* unmanaged<nint, nuint, int, int> Madvise = FindMadvise();

    private AlignedBuffer(int length)
    {
        // Pinned, so the alignment and the advice stay with the array; advising before the first write lets the page
        // faults allocate huge pages directly.
        Array = GC.AllocateUninitializedArray<T>(length + (Alignment / sizeof(T)), pinned: true);
        var address = (long)Marshal.UnsafeAddrOfPinnedArrayElement(Array, 0);
        var aligned = (address + Alignment - 1) & ~(long)(Alignment - 1);
        Start = (int)((aligned - address) / sizeof(T));
        Length = length;
        var bytes = (long)length * sizeof(T);
        var hugeStart = (aligned + HugePage - 1) & ~(HugePage - 1);
        var hugeEnd = (aligned + bytes) & ~(HugePage - 1);
        if (Madvise != null && hugeEnd - hugeStart >= HugePage)
        {
            _ = Madvise((nint)hugeStart, (nuint)(hugeEnd - hugeStart), MadviseHugePage);
        }
    }

    public T[] Array { get; }

    public int Start { get; }

    public int Length { get; }

    public Span<T> Span => Array.AsSpan(Start, Length);

    public Memory<T> Memory => Array.AsMemory(Start, Length);

    /// <summary>Element <paramref name="index"/> (bounds-checked against the underlying array only).</summary>
    public ref T this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref Array[Start + index];
    }

    /// <summary>A zeroed buffer.</summary>
    public static AlignedBuffer<T> Allocate(int length)
    {
        var buffer = new AlignedBuffer<T>(length);
        buffer.Span.Clear();
        return buffer;
    }

    /// <summary>A buffer holding a copy of <paramref name="source"/>.</summary>
    public static AlignedBuffer<T> CopyOf(ReadOnlySpan<T> source)
    {
        var buffer = new AlignedBuffer<T>(source.Length);
        source.CopyTo(buffer.Span);
        return buffer;
    }

    private static delegate* unmanaged<nint, nuint, int, int> FindMadvise()
    {
        // The C library is loaded into every .NET process on Linux: look the symbol up there rather than guess its
        // file name (glibc and musl differ). Elsewhere there is no advice to give.
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        return NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "madvise", out var address)
            ? (delegate* unmanaged<nint, nuint, int, int>)address
            : null;
    }
}

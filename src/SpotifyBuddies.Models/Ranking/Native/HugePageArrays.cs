using System.Runtime.InteropServices;

namespace SpotifyBuddies.Models.Ranking.Native;

/// <summary>
/// Large arrays for randomly accessed embedding rows, asking Linux to back them with transparent huge pages
/// (<c>madvise(MADV_HUGEPAGE)</c>) before they are first touched. With 4 KiB pages nearly every row of a table of
/// hundreds of MB costs a TLB miss (three per row for p, m and v); with 2 MiB pages most don't. Where THP is off,
/// or on other systems, the arrays are ordinary and nothing else changes.
/// </summary>
internal static unsafe class HugePageArrays
{
    private const int MadviseHugePage = 14;
    private const long HugePage = 2 << 20;

    private static readonly delegate* unmanaged<nint, nuint, int, int> Madvise = FindMadvise();

    /// <summary>A zeroed array of <paramref name="length"/> elements, on huge pages where the system allows.</summary>
    public static T[] Allocate<T>(int length)
        where T : unmanaged
    {
        var array = AllocateUncleared<T>(length);
        Array.Clear(array);
        return array;
    }

    /// <summary>A copy of <paramref name="source"/>, on huge pages where the system allows.</summary>
    public static T[] Copy<T>(T[] source)
        where T : unmanaged
    {
        var copy = AllocateUncleared<T>(source.Length);
        source.AsSpan().CopyTo(copy);
        return copy;
    }

    private static T[] AllocateUncleared<T>(int length)
        where T : unmanaged
    {
        var bytes = (long)length * sizeof(T);
        if (Madvise == null || bytes < 2 * HugePage)
        {
            return new T[length];
        }

        // Pinned (never moved), so the advice stays with the array's pages; advising before the first write lets the
        // page faults allocate huge pages directly.
        var array = GC.AllocateUninitializedArray<T>(length, pinned: true);
        var start = (long)Marshal.UnsafeAddrOfPinnedArrayElement(array, 0);
        var alignedStart = (start + HugePage - 1) & ~(HugePage - 1);
        var alignedEnd = (start + bytes) & ~(HugePage - 1);
        if (alignedEnd > alignedStart)
        {
            _ = Madvise((nint)alignedStart, (nuint)(alignedEnd - alignedStart), MadviseHugePage);
        }

        return array;
    }

    private static delegate* unmanaged<nint, nuint, int, int> FindMadvise()
    {
        // The C library is already loaded into every .NET process on Linux: look the symbol up there rather than guess
        // its file name (glibc and musl differ).
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        return NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "madvise", out var address)
            ? (delegate* unmanaged<nint, nuint, int, int>)address
            : null;
    }
}

using System.Runtime.InteropServices;

namespace SpotifyBuddies.Models.Pairing.Approximate;

/// <summary>A zeroed, 64-byte aligned native buffer holding an index image while it is built or kept in memory.</summary>
internal sealed unsafe class NativeImageHandle : SafeHandle
{
    public NativeImageHandle(long length)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        var memory = NativeMemory.AlignedAlloc((nuint)length, 64);
        NativeMemory.Clear(memory, (nuint)length);
        SetHandle((IntPtr)memory);
        Length = length;
        GC.AddMemoryPressure(length);
    }

    public long Length { get; }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMemory.AlignedFree((void*)handle);
        GC.RemoveMemoryPressure(Length);
        return true;
    }
}

using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SpotifyBuddies.Models.Pairing.Approximate;

/// <summary>
/// The one similarity kernel every part of the approximate engine uses (index build, index search and
/// the brute-force dense reference), so a recall measured against the reference compares like with
/// like. For the usual widths (a multiple of 16 floats) it is an unrolled Vector512/Vector256 fused
/// multiply-add; otherwise <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>.
/// The summation order depends on the widest vector unit present, so the last bits of a similarity may
/// differ between CPUs (never between runs on one machine).
/// </summary>
internal static unsafe class VectorMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(float* a, float* b, int dimensions)
    {
        if ((dimensions & 15) == 0)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                return Dot512(a, b, dimensions);
            }

            if (Vector256.IsHardwareAccelerated)
            {
                return Dot256(a, b, dimensions);
            }
        }

        return TensorPrimitives.Dot(new ReadOnlySpan<float>(a, dimensions), new ReadOnlySpan<float>(b, dimensions));
    }

    /// <summary>Hints the CPU to start loading a vector's cache lines (no-op where unsupported).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Prefetch(float* vector, int bytes)
    {
        if (Sse.IsSupported)
        {
            var p = (byte*)vector;
            for (var at = 0; at < bytes; at += 64)
            {
                Sse.Prefetch0(p + at);
            }
        }
    }

    private static float Dot512(float* a, float* b, int dimensions)
    {
        var acc0 = Vector512<float>.Zero;
        var acc1 = Vector512<float>.Zero;
        var i = 0;
        for (; i + 32 <= dimensions; i += 32)
        {
            acc0 = Vector512.FusedMultiplyAdd(Vector512.Load(a + i), Vector512.Load(b + i), acc0);
            acc1 = Vector512.FusedMultiplyAdd(Vector512.Load(a + i + 16), Vector512.Load(b + i + 16), acc1);
        }

        if (i < dimensions)
        {
            acc0 = Vector512.FusedMultiplyAdd(Vector512.Load(a + i), Vector512.Load(b + i), acc0);
        }

        return Vector512.Sum(acc0 + acc1);
    }

    private static float Dot256(float* a, float* b, int dimensions)
    {
        var acc0 = Vector256<float>.Zero;
        var acc1 = Vector256<float>.Zero;
        for (var i = 0; i < dimensions; i += 16)
        {
            acc0 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), acc0);
            acc1 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i + 8), Vector256.Load(b + i + 8), acc1);
        }

        return Vector256.Sum(acc0 + acc1);
    }
}

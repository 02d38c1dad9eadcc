using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SpotifyBuddies.Models.Ranking.Native;

/// <summary>The SIMD widths the native kernel can be specialised for (floats per vector).</summary>
internal enum NativeSimdWidth
{
    Scalar = 1,
    Vector128 = 4,
    Vector256 = 8,
    Vector512 = 16,
}

internal static class NativeSimd
{
    /// <summary>The widest width this machine accelerates (512-bit on AVX-512 machines, without any environment variable).</summary>
    public static NativeSimdWidth Best { get; } =
        Vector512.IsHardwareAccelerated ? NativeSimdWidth.Vector512
        : Vector256.IsHardwareAccelerated ? NativeSimdWidth.Vector256
        : Vector128.IsHardwareAccelerated ? NativeSimdWidth.Vector128
        : NativeSimdWidth.Scalar;

    public static bool IsAccelerated(NativeSimdWidth width) => width switch
    {
        NativeSimdWidth.Scalar => true,
        NativeSimdWidth.Vector128 => Vector128.IsHardwareAccelerated,
        NativeSimdWidth.Vector256 => Vector256.IsHardwareAccelerated,
        NativeSimdWidth.Vector512 => Vector512.IsHardwareAccelerated,
        _ => false,
    };
}

/// <summary>
/// The vector operations the row kernels need, as static abstract members so that a kernel written once as a generic
/// method over <typeparamref name="TVector"/> is compiled by the JIT into straight SIMD code per width.
/// </summary>
internal interface ISimdOps<TVector>
    where TVector : struct
{
    static abstract int Count { get; }

    static abstract TVector Zero { get; }

    static abstract TVector Load(ref float source, int offset);

    static abstract void Store(TVector value, ref float destination, int offset);

    static abstract TVector Create(float value);

    static abstract TVector Subtract(TVector left, TVector right);

    static abstract TVector Multiply(TVector left, TVector right);

    /// <summary>left · right + addend (fused where the hardware has FMA).</summary>
    static abstract TVector MultiplyAdd(TVector left, TVector right, TVector addend);

    static abstract TVector Add(TVector left, TVector right);

    static abstract TVector Divide(TVector left, TVector right);

    static abstract TVector Sqrt(TVector value);

    static abstract float Sum(TVector value);
}

internal readonly struct Simd512 : ISimdOps<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    public static Vector512<float> Zero => Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source, int offset) => Vector512.LoadUnsafe(ref source, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, ref float destination, int offset) => value.StoreUnsafe(ref destination, (nuint)offset);

    public static Vector512<float> Create(float value) => Vector512.Create(value);

    public static Vector512<float> Subtract(Vector512<float> left, Vector512<float> right) => left - right;

    public static Vector512<float> Multiply(Vector512<float> left, Vector512<float> right) => left * right;

    public static Vector512<float> MultiplyAdd(Vector512<float> left, Vector512<float> right, Vector512<float> addend) => Vector512.MultiplyAddEstimate(left, right, addend);

    public static Vector512<float> Add(Vector512<float> left, Vector512<float> right) => left + right;

    public static Vector512<float> Divide(Vector512<float> left, Vector512<float> right) => left / right;

    public static Vector512<float> Sqrt(Vector512<float> value) => Vector512.Sqrt(value);

    public static float Sum(Vector512<float> value) => Vector512.Sum(value);
}

internal readonly struct Simd256 : ISimdOps<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    public static Vector256<float> Zero => Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source, int offset) => Vector256.LoadUnsafe(ref source, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, ref float destination, int offset) => value.StoreUnsafe(ref destination, (nuint)offset);

    public static Vector256<float> Create(float value) => Vector256.Create(value);

    public static Vector256<float> Subtract(Vector256<float> left, Vector256<float> right) => left - right;

    public static Vector256<float> Multiply(Vector256<float> left, Vector256<float> right) => left * right;

    public static Vector256<float> MultiplyAdd(Vector256<float> left, Vector256<float> right, Vector256<float> addend) => Vector256.MultiplyAddEstimate(left, right, addend);

    public static Vector256<float> Add(Vector256<float> left, Vector256<float> right) => left + right;

    public static Vector256<float> Divide(Vector256<float> left, Vector256<float> right) => left / right;

    public static Vector256<float> Sqrt(Vector256<float> value) => Vector256.Sqrt(value);

    public static float Sum(Vector256<float> value) => Vector256.Sum(value);
}

internal readonly struct Simd128 : ISimdOps<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;

    public static Vector128<float> Zero => Vector128<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(ref float source, int offset) => Vector128.LoadUnsafe(ref source, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<float> value, ref float destination, int offset) => value.StoreUnsafe(ref destination, (nuint)offset);

    public static Vector128<float> Create(float value) => Vector128.Create(value);

    public static Vector128<float> Subtract(Vector128<float> left, Vector128<float> right) => left - right;

    public static Vector128<float> Multiply(Vector128<float> left, Vector128<float> right) => left * right;

    public static Vector128<float> MultiplyAdd(Vector128<float> left, Vector128<float> right, Vector128<float> addend) => Vector128.MultiplyAddEstimate(left, right, addend);

    public static Vector128<float> Add(Vector128<float> left, Vector128<float> right) => left + right;

    public static Vector128<float> Divide(Vector128<float> left, Vector128<float> right) => left / right;

    public static Vector128<float> Sqrt(Vector128<float> value) => Vector128.Sqrt(value);

    public static float Sum(Vector128<float> value) => Vector128.Sum(value);
}

/// <summary>One float at a time: the fallback width and the tail of every vector loop.</summary>
internal readonly struct SimdScalar : ISimdOps<float>
{
    public static int Count => 1;

    public static float Zero => 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(ref float source, int offset) => Unsafe.Add(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float value, ref float destination, int offset) => Unsafe.Add(ref destination, offset) = value;

    public static float Create(float value) => value;

    public static float Subtract(float left, float right) => left - right;

    public static float Multiply(float left, float right) => left * right;

    public static float MultiplyAdd(float left, float right, float addend) => float.MultiplyAddEstimate(left, right, addend);

    public static float Add(float left, float right) => left + right;

    public static float Divide(float left, float right) => left / right;

    public static float Sqrt(float value) => MathF.Sqrt(value);

    public static float Sum(float value) => value;
}

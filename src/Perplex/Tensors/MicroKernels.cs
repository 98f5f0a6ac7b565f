using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Perplex.Tensors;

/// <summary>
/// A register-blocked micro-kernel: C[Rows×Columns] (+)= Ã·B̃ over kc steps, where Ã is a packed panel of
/// Rows rows (element (i, p) at a[p·Rows + i]) and B̃ a packed panel of Columns columns (element (p, j) at
/// b[p·Columns + j]). The accumulators stay in registers for the whole kc loop; C is touched once at the end.
/// </summary>
internal unsafe interface IMicroKernel<T> where T : unmanaged
{
    /// <summary>MR: rows of C per call.</summary>
    static abstract int Rows { get; }

    /// <summary>NR: columns of C per call.</summary>
    static abstract int Columns { get; }

    /// <summary>Writes (add = false) or adds to (add = true) the Rows×Columns tile at c with row stride ldc.</summary>
    static abstract void Multiply(int kc, T* a, T* b, T* c, nint ldc, bool add);
}

/// <summary>float, 6×64 on AVX-512: 24 accumulators + 4 B vectors + 1 broadcast = 29 of the 32 zmm registers.</summary>
internal readonly unsafe struct Float6x64 : IMicroKernel<float>
{
    public static int Rows => 6;
    public static int Columns => 64;

    public static void Multiply(int kc, float* a, float* b, float* c, nint ldc, bool add)
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default;
        Vector512<float> c50 = default, c51 = default, c52 = default, c53 = default;
        for (int p = 0; p < kc; p++, a += 6, b += 64)
        {
            // one rank-1 update: C += Ã[:, p] · B̃[p, :]
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var b2 = Vector512.Load(b + 32);
            var b3 = Vector512.Load(b + 48);
            var ai = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(ai, b0, c00); c01 = Vector512.FusedMultiplyAdd(ai, b1, c01);
            c02 = Vector512.FusedMultiplyAdd(ai, b2, c02); c03 = Vector512.FusedMultiplyAdd(ai, b3, c03);
            ai = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(ai, b0, c10); c11 = Vector512.FusedMultiplyAdd(ai, b1, c11);
            c12 = Vector512.FusedMultiplyAdd(ai, b2, c12); c13 = Vector512.FusedMultiplyAdd(ai, b3, c13);
            ai = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(ai, b0, c20); c21 = Vector512.FusedMultiplyAdd(ai, b1, c21);
            c22 = Vector512.FusedMultiplyAdd(ai, b2, c22); c23 = Vector512.FusedMultiplyAdd(ai, b3, c23);
            ai = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(ai, b0, c30); c31 = Vector512.FusedMultiplyAdd(ai, b1, c31);
            c32 = Vector512.FusedMultiplyAdd(ai, b2, c32); c33 = Vector512.FusedMultiplyAdd(ai, b3, c33);
            ai = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(ai, b0, c40); c41 = Vector512.FusedMultiplyAdd(ai, b1, c41);
            c42 = Vector512.FusedMultiplyAdd(ai, b2, c42); c43 = Vector512.FusedMultiplyAdd(ai, b3, c43);
            ai = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(ai, b0, c50); c51 = Vector512.FusedMultiplyAdd(ai, b1, c51);
            c52 = Vector512.FusedMultiplyAdd(ai, b2, c52); c53 = Vector512.FusedMultiplyAdd(ai, b3, c53);
        }
        StoreRow(c, add, c00, c01, c02, c03);
        StoreRow(c + ldc, add, c10, c11, c12, c13);
        StoreRow(c + 2 * ldc, add, c20, c21, c22, c23);
        StoreRow(c + 3 * ldc, add, c30, c31, c32, c33);
        StoreRow(c + 4 * ldc, add, c40, c41, c42, c43);
        StoreRow(c + 5 * ldc, add, c50, c51, c52, c53);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, bool add, Vector512<float> x0, Vector512<float> x1, Vector512<float> x2, Vector512<float> x3)
    {
        if (add)
        {
            x0 += Vector512.Load(c); x1 += Vector512.Load(c + 16);
            x2 += Vector512.Load(c + 32); x3 += Vector512.Load(c + 48);
        }
        x0.Store(c); x1.Store(c + 16); x2.Store(c + 32); x3.Store(c + 48);
    }
}

/// <summary>
/// float 6×16 or double 6×8 on 256-bit vectors (AVX2 + FMA): 12 accumulators + 2 B vectors + 1 broadcast = 15 of
/// the 16 ymm registers. The AVX2 fallback for float, and the exact-check path for double.
/// </summary>
internal readonly unsafe struct Vector256Kernel6x2<T> : IMicroKernel<T> where T : unmanaged
{
    private static int W => Vector256<T>.Count;
    public static int Rows => 6;
    public static int Columns => 2 * Vector256<T>.Count;

    public static void Multiply(int kc, T* a, T* b, T* c, nint ldc, bool add)
    {
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++, a += 6, b += 2 * W)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + W);
            var ai = Vector256.Create(a[0]);
            c00 = Fma(ai, b0, c00); c01 = Fma(ai, b1, c01);
            ai = Vector256.Create(a[1]);
            c10 = Fma(ai, b0, c10); c11 = Fma(ai, b1, c11);
            ai = Vector256.Create(a[2]);
            c20 = Fma(ai, b0, c20); c21 = Fma(ai, b1, c21);
            ai = Vector256.Create(a[3]);
            c30 = Fma(ai, b0, c30); c31 = Fma(ai, b1, c31);
            ai = Vector256.Create(a[4]);
            c40 = Fma(ai, b0, c40); c41 = Fma(ai, b1, c41);
            ai = Vector256.Create(a[5]);
            c50 = Fma(ai, b0, c50); c51 = Fma(ai, b1, c51);
        }
        StoreRow(c, add, c00, c01);
        StoreRow(c + ldc, add, c10, c11);
        StoreRow(c + 2 * ldc, add, c20, c21);
        StoreRow(c + 3 * ldc, add, c30, c31);
        StoreRow(c + 4 * ldc, add, c40, c41);
        StoreRow(c + 5 * ldc, add, c50, c51);
    }

    /// <summary>x·y + z in one rounding; the type test folds away when the JIT specialises T.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma(Vector256<T> x, Vector256<T> y, Vector256<T> z)
    {
        if (typeof(T) == typeof(float))
            return Vector256.FusedMultiplyAdd(x.As<T, float>(), y.As<T, float>(), z.As<T, float>()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector256.FusedMultiplyAdd(x.As<T, double>(), y.As<T, double>(), z.As<T, double>()).As<double, T>();
        throw new NotSupportedException(typeof(T).Name);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(T* c, bool add, Vector256<T> x0, Vector256<T> x1)
    {
        if (add) { x0 += Vector256.Load(c); x1 += Vector256.Load(c + W); }
        x0.Store(c); x1.Store(c + W);
    }
}

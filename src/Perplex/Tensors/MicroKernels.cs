using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Perplex.Tensors;

/// <summary>
/// A register-blocked micro-kernel: C[r×w] (+)= Ã·B̃ over kc steps, for the full Rows×Columns tile or, at the
/// bottom and right edges, fewer rows and fewer vectors of columns. Ã is a packed panel of Rows rows (element (i, p)
/// at a[p·Rows + i]) when lda is 0, or A's own rows read in place (element (i, p) at a[i·lda + p]). B̃ is a panel
/// of Columns columns with row stride ldb (element (p, j) at b[p·ldb + j]): ldb is Columns when B̃ is packed, or B's
/// own row stride when a product with few rows reads B in place. The accumulators stay in registers for the whole
/// kc loop; C is read (when adding) and written once at the end.
/// </summary>
internal unsafe interface IMicroKernel<T> where T : unmanaged
{
    /// <summary>MR: rows of C per full tile.</summary>
    static abstract int Rows { get; }

    /// <summary>NR: columns of C per tile.</summary>
    static abstract int Columns { get; }

    /// <summary>
    /// Writes (add = false) or adds to (add = true) the first <paramref name="rows"/> rows and the first
    /// <paramref name="columns"/> columns, rounded up to whole vectors, of the tile at c (row stride ldc). Unless
    /// <paramref name="prefetch"/> is null, each depth step also asks for the cache line there, and the next one at the
    /// next step (kc lines in all), into L2: the caller's way of streaming the next panel of B̃ in behind this one.
    /// </summary>
    static abstract void Multiply(int rows, int columns, int kc, T* a, nint lda, T* b, nint ldb, T* c, nint ldc, bool add, byte* prefetch);
}

/// <summary>Where a kernel finds element (i, p) of its rows of A, as a type so the JIT compiles each layout on its own.</summary>
internal interface IRowsOfA
{
    /// <summary>Offset of row i's element at the current depth.</summary>
    static abstract nint Row(int i, nint lda);

    /// <summary>How far the pointer moves per step of depth.</summary>
    static abstract int Step { get; }
}

/// <summary>A packed sliver: the six values of one depth step are adjacent.</summary>
internal readonly struct PackedRows : IRowsOfA
{
    public static nint Row(int i, nint lda) => i;
    public static int Step => 6;
}

/// <summary>A row-major A read where it lies: each of the rows is its own contiguous stream.</summary>
internal readonly struct RowsInPlace : IRowsOfA
{
    public static nint Row(int i, nint lda) => i * lda;
    public static int Step => 1;
}

/// <summary>A count (of rows, or of vectors per row) as a type, so the JIT compiles one kernel per count with the unused part removed.</summary>
internal interface ICount
{
    static abstract int Value { get; }
}

/// <summary>A kernel's tile loop compiled for a fixed number of rows R and of vectors V per row.</summary>
internal unsafe interface ITileKernel<T> where T : unmanaged
{
    static abstract void Multiply<R, V, A>(int kc, T* a, nint lda, T* b, nint ldb, T* c, nint ldc, bool add, byte* prefetch)
        where R : struct, ICount where V : struct, ICount where A : struct, IRowsOfA;
}

/// <summary>The one switch from a run-time row count (1..6) to a kernel compiled for it, shared by every kernel.</summary>
internal static unsafe class ByRows<T, TKernel, V> where T : unmanaged where TKernel : ITileKernel<T> where V : struct, ICount
{
    public static void Multiply(int rows, int kc, T* a, nint lda, T* b, nint ldb, T* c, nint ldc, bool add, byte* prefetch)
    {
        if (lda == 0) Multiply<PackedRows>(rows, kc, a, lda, b, ldb, c, ldc, add, prefetch);
        else Multiply<RowsInPlace>(rows, kc, a, lda, b, ldb, c, ldc, add, prefetch);
    }

    private static void Multiply<A>(int rows, int kc, T* a, nint lda, T* b, nint ldb, T* c, nint ldc, bool add, byte* prefetch) where A : struct, IRowsOfA
    {
        switch (rows)
        {
            case 6: TKernel.Multiply<Six, V, A>(kc, a, lda, b, ldb, c, ldc, add, prefetch); break;
            case 5: TKernel.Multiply<Five, V, A>(kc, a, lda, b, ldb, c, ldc, add, prefetch); break;
            case 4: TKernel.Multiply<Four, V, A>(kc, a, lda, b, ldb, c, ldc, add, prefetch); break;
            case 3: TKernel.Multiply<Three, V, A>(kc, a, lda, b, ldb, c, ldc, add, prefetch); break;
            case 2: TKernel.Multiply<Two, V, A>(kc, a, lda, b, ldb, c, ldc, add, prefetch); break;
            default: TKernel.Multiply<One, V, A>(kc, a, lda, b, ldb, c, ldc, add, prefetch); break;
        }
    }
}

internal readonly struct One : ICount { public static int Value => 1; }
internal readonly struct Two : ICount { public static int Value => 2; }
internal readonly struct Three : ICount { public static int Value => 3; }
internal readonly struct Four : ICount { public static int Value => 4; }
internal readonly struct Five : ICount { public static int Value => 5; }
internal readonly struct Six : ICount { public static int Value => 6; }

/// <summary>
/// float, 6×64 on AVX-512: 24 accumulators + 4 B vectors + 1 broadcast = 29 of the 32 zmm registers;
/// per step 24 FMAs against 4 vector loads and 6 broadcasts.
/// </summary>
internal readonly unsafe struct Float6x64 : IMicroKernel<float>, ITileKernel<float>
{
    public static int Rows => 6;
    public static int Columns => 64;

    public static void Multiply(int rows, int columns, int kc, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool add, byte* prefetch)
    {
        switch ((columns + 15) / 16)
        {
            case 4: ByRows<float, Float6x64, Four>.Multiply(rows, kc, a, lda, b, ldb, c, ldc, add, prefetch); break;
            case 3: ByRows<float, Float6x64, Three>.Multiply(rows, kc, a, lda, b, ldb, c, ldc, add, prefetch); break;
            case 2: ByRows<float, Float6x64, Two>.Multiply(rows, kc, a, lda, b, ldb, c, ldc, add, prefetch); break;
            default: ByRows<float, Float6x64, One>.Multiply(rows, kc, a, lda, b, ldb, c, ldc, add, prefetch); break;
        }
    }

    /// <summary>R rows × V vectors of 16 columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hand-scheduled SIMD: compile it optimised at once, no tiering
    public static void Multiply<R, V, A>(int kc, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool add, byte* prefetch)
        where R : struct, ICount where V : struct, ICount where A : struct, IRowsOfA
    {
        nint a1 = A.Row(1, lda), a2 = A.Row(2, lda), a3 = A.Row(3, lda), a4 = A.Row(4, lda), a5 = A.Row(5, lda);
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default;
        Vector512<float> c50 = default, c51 = default, c52 = default, c53 = default;
        Vector512<float> b0, b1 = default, b2 = default, b3 = default;
        if (Sse.IsSupported)
        {
            // fetch the C tile now so the final read-modify-write does not stall on it
            for (int i = 0; i < R.Value; i++)
                for (int v = 0; v < V.Value; v++) Sse.Prefetch0(c + i * ldc + 16 * v);
        }
        for (int p = 0; p < kc; p++, a += A.Step, b += ldb)
        {
            // one rank-1 update: C[i, :] += Ã[i, p] · B̃[p, :] for each row i
            if (Sse.IsSupported && prefetch != null) { Sse.Prefetch1(prefetch); prefetch += 64; }
            b0 = Vector512.Load(b);
            if (V.Value > 1) b1 = Vector512.Load(b + 16);
            if (V.Value > 2) b2 = Vector512.Load(b + 32);
            if (V.Value > 3) b3 = Vector512.Load(b + 48);
            var ai = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(ai, b0, c00);
            if (V.Value > 1) c01 = Vector512.FusedMultiplyAdd(ai, b1, c01);
            if (V.Value > 2) c02 = Vector512.FusedMultiplyAdd(ai, b2, c02);
            if (V.Value > 3) c03 = Vector512.FusedMultiplyAdd(ai, b3, c03);
            if (R.Value > 1)
            {
                ai = Vector512.Create(a[a1]);
                c10 = Vector512.FusedMultiplyAdd(ai, b0, c10);
                if (V.Value > 1) c11 = Vector512.FusedMultiplyAdd(ai, b1, c11);
                if (V.Value > 2) c12 = Vector512.FusedMultiplyAdd(ai, b2, c12);
                if (V.Value > 3) c13 = Vector512.FusedMultiplyAdd(ai, b3, c13);
            }
            if (R.Value > 2)
            {
                ai = Vector512.Create(a[a2]);
                c20 = Vector512.FusedMultiplyAdd(ai, b0, c20);
                if (V.Value > 1) c21 = Vector512.FusedMultiplyAdd(ai, b1, c21);
                if (V.Value > 2) c22 = Vector512.FusedMultiplyAdd(ai, b2, c22);
                if (V.Value > 3) c23 = Vector512.FusedMultiplyAdd(ai, b3, c23);
            }
            if (R.Value > 3)
            {
                ai = Vector512.Create(a[a3]);
                c30 = Vector512.FusedMultiplyAdd(ai, b0, c30);
                if (V.Value > 1) c31 = Vector512.FusedMultiplyAdd(ai, b1, c31);
                if (V.Value > 2) c32 = Vector512.FusedMultiplyAdd(ai, b2, c32);
                if (V.Value > 3) c33 = Vector512.FusedMultiplyAdd(ai, b3, c33);
            }
            if (R.Value > 4)
            {
                ai = Vector512.Create(a[a4]);
                c40 = Vector512.FusedMultiplyAdd(ai, b0, c40);
                if (V.Value > 1) c41 = Vector512.FusedMultiplyAdd(ai, b1, c41);
                if (V.Value > 2) c42 = Vector512.FusedMultiplyAdd(ai, b2, c42);
                if (V.Value > 3) c43 = Vector512.FusedMultiplyAdd(ai, b3, c43);
            }
            if (R.Value > 5)
            {
                ai = Vector512.Create(a[a5]);
                c50 = Vector512.FusedMultiplyAdd(ai, b0, c50);
                if (V.Value > 1) c51 = Vector512.FusedMultiplyAdd(ai, b1, c51);
                if (V.Value > 2) c52 = Vector512.FusedMultiplyAdd(ai, b2, c52);
                if (V.Value > 3) c53 = Vector512.FusedMultiplyAdd(ai, b3, c53);
            }
        }
        Store<V>(c, add, c00, c01, c02, c03);
        if (R.Value > 1) Store<V>(c + ldc, add, c10, c11, c12, c13);
        if (R.Value > 2) Store<V>(c + 2 * ldc, add, c20, c21, c22, c23);
        if (R.Value > 3) Store<V>(c + 3 * ldc, add, c30, c31, c32, c33);
        if (R.Value > 4) Store<V>(c + 4 * ldc, add, c40, c41, c42, c43);
        if (R.Value > 5) Store<V>(c + 5 * ldc, add, c50, c51, c52, c53);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<V>(float* c, bool add, Vector512<float> x0, Vector512<float> x1, Vector512<float> x2, Vector512<float> x3)
        where V : struct, ICount
    {
        if (add)
        {
            x0 += Vector512.Load(c);
            if (V.Value > 1) x1 += Vector512.Load(c + 16);
            if (V.Value > 2) x2 += Vector512.Load(c + 32);
            if (V.Value > 3) x3 += Vector512.Load(c + 48);
        }
        x0.Store(c);
        if (V.Value > 1) x1.Store(c + 16);
        if (V.Value > 2) x2.Store(c + 32);
        if (V.Value > 3) x3.Store(c + 48);
    }
}

/// <summary>
/// float 6×16 or double 6×8 on 256-bit vectors (AVX2 + FMA): 12 accumulators + 2 B vectors + 1 broadcast = 15 of
/// the 16 ymm registers. The AVX2 fallback for float, and the exact-check path for double.
/// </summary>
internal readonly unsafe struct Vector256Kernel6x2<T> : IMicroKernel<T>, ITileKernel<T> where T : unmanaged
{
    private static int W => Vector256<T>.Count;
    public static int Rows => 6;
    public static int Columns => 2 * Vector256<T>.Count;

    public static void Multiply(int rows, int columns, int kc, T* a, nint lda, T* b, nint ldb, T* c, nint ldc, bool add, byte* prefetch)
    {
        if (columns > W) ByRows<T, Vector256Kernel6x2<T>, Two>.Multiply(rows, kc, a, lda, b, ldb, c, ldc, add, prefetch);
        else ByRows<T, Vector256Kernel6x2<T>, One>.Multiply(rows, kc, a, lda, b, ldb, c, ldc, add, prefetch);
    }

    /// <summary>R rows × V vectors of W columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hand-scheduled SIMD: compile it optimised at once, no tiering
    public static void Multiply<R, V, A>(int kc, T* a, nint lda, T* b, nint ldb, T* c, nint ldc, bool add, byte* prefetch)
        where R : struct, ICount where V : struct, ICount where A : struct, IRowsOfA
    {
        nint a1 = A.Row(1, lda), a2 = A.Row(2, lda), a3 = A.Row(3, lda), a4 = A.Row(4, lda), a5 = A.Row(5, lda);
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector256<T> b0, b1 = default;
        for (int p = 0; p < kc; p++, a += A.Step, b += ldb)
        {
            if (Sse.IsSupported && prefetch != null) { Sse.Prefetch1(prefetch); prefetch += 64; }
            b0 = Vector256.Load(b);
            if (V.Value > 1) b1 = Vector256.Load(b + W);
            var ai = Vector256.Create(a[0]);
            c00 = Fma(ai, b0, c00); if (V.Value > 1) c01 = Fma(ai, b1, c01);
            if (R.Value > 1) { ai = Vector256.Create(a[a1]); c10 = Fma(ai, b0, c10); if (V.Value > 1) c11 = Fma(ai, b1, c11); }
            if (R.Value > 2) { ai = Vector256.Create(a[a2]); c20 = Fma(ai, b0, c20); if (V.Value > 1) c21 = Fma(ai, b1, c21); }
            if (R.Value > 3) { ai = Vector256.Create(a[a3]); c30 = Fma(ai, b0, c30); if (V.Value > 1) c31 = Fma(ai, b1, c31); }
            if (R.Value > 4) { ai = Vector256.Create(a[a4]); c40 = Fma(ai, b0, c40); if (V.Value > 1) c41 = Fma(ai, b1, c41); }
            if (R.Value > 5) { ai = Vector256.Create(a[a5]); c50 = Fma(ai, b0, c50); if (V.Value > 1) c51 = Fma(ai, b1, c51); }
        }
        Store<V>(c, add, c00, c01);
        if (R.Value > 1) Store<V>(c + ldc, add, c10, c11);
        if (R.Value > 2) Store<V>(c + 2 * ldc, add, c20, c21);
        if (R.Value > 3) Store<V>(c + 3 * ldc, add, c30, c31);
        if (R.Value > 4) Store<V>(c + 4 * ldc, add, c40, c41);
        if (R.Value > 5) Store<V>(c + 5 * ldc, add, c50, c51);
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
    private static void Store<V>(T* c, bool add, Vector256<T> x0, Vector256<T> x1) where V : struct, ICount
    {
        if (add)
        {
            x0 += Vector256.Load(c);
            if (V.Value > 1) x1 += Vector256.Load(c + W);
        }
        x0.Store(c);
        if (V.Value > 1) x1.Store(c + W);
    }
}

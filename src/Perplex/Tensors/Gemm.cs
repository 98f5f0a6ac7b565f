using System.Numerics;
using System.Runtime.CompilerServices;

namespace Perplex.Tensors;

/// <summary>
/// General matrix multiply on row-major matrices, BLAS-style:
/// C = op(A)·op(B) (+ C when <c>accumulate</c>), where op(X) is X or Xᵀ.
/// op(A) is m×k, op(B) is k×n, C is m×n; lda/ldb/ldc are the row strides of the stored matrices.
/// float and double run a packed, register-blocked SIMD GEMM (AVX-512 or AVX2 micro-kernels) on up to
/// <see cref="Parallelism.MaxThreads"/> threads; other element types use <see cref="Reference{T}"/>.
/// C must not overlap A or B. The result does not depend on the thread count.
/// </summary>
public static class Gemm
{
    /// <summary>Computes C = op(A)·op(B), or C += op(A)·op(B) when <paramref name="accumulate"/> is true.</summary>
    public static void Multiply<T>(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Multiply(GemmPaths.Best, Parallelism.CurrentThreads, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);

    /// <summary>
    /// Computes C = op(A)·B, or C += op(A)·B when <paramref name="accumulate"/> is true, against a B packed
    /// beforehand (see <see cref="PackedMatrix{T}"/>); k and n are the packed matrix's rows and columns.
    /// </summary>
    public static void Multiply<T>(bool transA, int m, ReadOnlySpan<T> a, int lda, PackedMatrix<T> b, Span<T> c, int ldc, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Multiply(Parallelism.CurrentThreads, transA, m, a, lda, b, c, ldc, accumulate);

    internal static unsafe void Multiply<T>(GemmPath path, int threads, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckDimensions(m, n, k);
        CheckOperand(nameof(a), transA ? k : m, transA ? m : k, a.Length, lda);
        CheckOperand(nameof(b), transB ? n : k, transB ? k : n, b.Length, ldb);
        CheckOperand(nameof(c), m, n, c.Length, ldc);
        path = EffectivePath<T>(path);
        if (path == GemmPath.Scalar)
        {
            Reference(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
            return;
        }
        fixed (T* pa = a, pb = b, pc = c)
        {
            var problem = new GemmProblem<T>
            {
                M = m, N = n, K = k, TransA = transA, TransB = transB, Accumulate = accumulate,
                A = pa, Lda = lda, B = pb, Ldb = ldb, C = pc, Ldc = ldc, AInPlace = GemmBlocking.ReadsAInPlace(transA),
            };
            long started = StepProfile.Start();
            Run(path, problem, threads);
            StepProfile.Stop(started, transA, transB, m, n, k, prepacked: false);
        }
    }

    internal static unsafe void Multiply<T>(int threads, bool transA, int m, ReadOnlySpan<T> a, int lda, PackedMatrix<T> b,
        Span<T> c, int ldc, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(b);
        int n = b.Columns, k = b.Rows;
        CheckDimensions(m, n, k);
        CheckOperand(nameof(a), transA ? k : m, transA ? m : k, a.Length, lda);
        CheckOperand(nameof(c), m, n, c.Length, ldc);
        var packed = new ReadOnlySpan<T>(b.Data, b.Path == GemmPath.Scalar ? k * n : 0);
        if (b.Path == GemmPath.Scalar)
        {
            Reference(transA, false, m, n, k, a, lda, packed, Math.Max(1, n), c, ldc, accumulate);
            return;
        }
        fixed (T* pa = a, pc = c)
        {
            var problem = new GemmProblem<T>
            {
                M = m, N = n, K = k, TransA = transA, Accumulate = accumulate,
                A = pa, Lda = lda, C = pc, Ldc = ldc,
                PackedB = b.Data, PackedPanelStride = (nint)k * b.PanelWidth, AInPlace = GemmBlocking.ReadsAInPlace(transA),
            };
            long started = StepProfile.Start();
            Run(b.Path, problem, threads);
            StepProfile.Stop(started, transA, false, m, n, k, prepacked: true);
        }
    }

    /// <summary>The plain triple loop every optimised path is tested against.</summary>
    public static void Reference<T>(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    T av = transA ? a[p * lda + i] : a[i * lda + p];
                    T bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += av * bv;
                }
                c[i * ldc + j] = accumulate ? c[i * ldc + j] + sum : sum;
            }
        }
    }

    /// <summary>The path that actually runs for T: float has both SIMD kernels, double one 256-bit kernel, others none.</summary>
    internal static GemmPath EffectivePath<T>(GemmPath requested)
    {
        if (requested == GemmPath.Scalar) return GemmPath.Scalar;
        if (typeof(T) == typeof(float)) return requested;
        if (typeof(T) == typeof(double)) return GemmPath.Vector256;
        return GemmPath.Scalar;
    }

    /// <summary>NR of the micro-kernel that serves T on <paramref name="path"/>.</summary>
    internal static int PanelWidth<T>(GemmPath path)
        => typeof(T) == typeof(double) ? Vector256Kernel6x2<double>.Columns
        : path == GemmPath.Vector512 ? Float6x64.Columns
        : Vector256Kernel6x2<float>.Columns;

    private static unsafe void Run<T>(GemmPath path, GemmProblem<T> problem, int threads) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            ref var p = ref Unsafe.As<GemmProblem<T>, GemmProblem<float>>(ref problem);
            if (path == GemmPath.Vector512) PackedGemm<float, Float6x64>.Run(p, threads);
            else PackedGemm<float, Vector256Kernel6x2<float>>.Run(p, threads);
        }
        else
        {
            PackedGemm<double, Vector256Kernel6x2<double>>.Run(Unsafe.As<GemmProblem<T>, GemmProblem<double>>(ref problem), threads);
        }
    }

    private static void CheckDimensions(int m, int n, int k)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"negative GEMM dimension: m={m}, n={n}, k={k}");
    }

    /// <summary>Checks that a rows×cols matrix with row stride ld fits in a span of the given length.</summary>
    internal static void CheckOperand(string name, int rows, int cols, int length, int ld)
    {
        if (ld < Math.Max(1, cols))
            throw new ArgumentException($"row stride {ld} of {name} is smaller than its {cols} columns", name);
        if (rows > 0 && cols > 0 && (long)(rows - 1) * ld + cols > length)
            throw new ArgumentException($"{name} holds {length} elements, too few for {rows}×{cols} with row stride {ld}", name);
    }
}

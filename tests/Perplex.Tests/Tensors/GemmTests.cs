using System.Numerics;
using Perplex.Tensors;
using Xunit;

namespace Perplex.Tests.Tensors;

/// <summary>
/// Every GEMM path (scalar, Vector256, Vector512) and element type against a double-precision triple loop, for all
/// transpose variants and both accumulate modes, at every size 0..40 and at odd large sizes.
/// </summary>
public class GemmTests
{
    private static readonly (bool TransA, bool TransB)[] Transposes = [(false, false), (false, true), (true, false), (true, true)];

    /// <summary>Shapes (m, n, k): every size 0..40 in three mixes, then odd sizes across the cache blocks.</summary>
    public static IEnumerable<(int M, int N, int K)> Shapes()
    {
        for (int s = 0; s <= 40; s++)
        {
            yield return (s, s, s);
            yield return (s, 40 - s, s / 2 + 1);
            yield return ((s * 7) % 41, s, 41 - s);
        }
        yield return (5, 7, 0); // empty inner dimension: C = 0, or unchanged when accumulating
        yield return (67, 253, 129);
        yield return (300, 511, 70);
        yield return (13, 1100, 600); // several NC blocks and three KC blocks
        yield return (1801, 19, 600); // three KC blocks of 200, so rows are packed in two MC blocks (1308 + 493)
    }

    [Fact] public void EveryPath_Float() => EveryPath<float>(1e-5);
    [Fact] public void EveryPath_Double() => EveryPath<double>(1e-13);

    private static void EveryPath<T>(double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var (m, n, k) in Shapes())
        foreach (var (transA, transB) in Transposes)
        foreach (bool accumulate in new[] { false, true })
        {
            if (transA && transB && m * n * k > 100_000) continue; // Aᵀ·Bᵀ is not used by the layers; keep it to small sizes
            var product = new GemmCase<T>(transA, transB, m, n, k, accumulate);
            foreach (var path in GemmPaths.Supported())
            {
                if (path == GemmPath.Scalar && (long)m * n * k > 1_000_000) continue; // slow, and it is the reference loop itself
                product.Verify(path, 1, tolerance);
            }
        }
    }

    [Fact]
    public void ScalarPathIsTheReference()
    {
        var a = TestArrays.Random<float>(35, 1);
        var b = TestArrays.Random<float>(35, 2);
        var expected = new float[49];
        var actual = new float[49];
        Gemm.Reference<float>(false, true, 7, 7, 5, a, 5, b, 5, expected, 7, false);
        Gemm.Multiply<float>(GemmPath.Scalar, 1, false, true, 7, 7, 5, a, 5, b, 5, actual, 7, false);
        TestArrays.Equal<float>(expected, actual, "scalar path");
    }

    [Fact]
    public void ThreadCountDoesNotChangeTheResult()
    {
        // few rows, or many rows and very many columns: columns split between threads; many rows otherwise: shared
        // packed blocks, rows split; and from PackedGemm's OwnBRows rows up, one band of rows per thread
        foreach (var (m, n, k) in new[] { (20, 700, 300), (130, 300, 300), (7, 4000, 90), (60, 4500, 40), (2100, 70, 300), (4099, 130, 33) })
        foreach (var (transA, transB) in Transposes)
        foreach (var path in GemmPaths.Supported().Where(p => p != GemmPath.Scalar))
        {
            var (a, b, lda, ldb) = Operands<float>(transA, transB, m, n, k);
            var single = TestArrays.Random<float>(m * n, 5);
            var parallel = (float[])single.Clone();
            Gemm.Multiply<float>(path, 1, transA, transB, m, n, k, a, lda, b, ldb, single, n, accumulate: true);
            foreach (int threads in new[] { 2, 3 })
            {
                var result = (float[])parallel.Clone();
                Gemm.Multiply<float>(path, threads, transA, transB, m, n, k, a, lda, b, ldb, result, n, accumulate: true);
                TestArrays.Equal<float>(single, result, $"{path} {threads} threads {m}×{n}×{k} tA={transA} tB={transB}");
            }
        }
    }

    [Fact]
    public void ReadingAInPlaceEqualsPackingIt_BitForBit()
    {
        // the same products in the same order, only the way the kernel finds A differs: every row edge (m mod 6), a
        // row stride wider than k, several depth blocks, both ways of splitting among threads, and a pre-packed B
        foreach (var (m, n, k) in new[] { (1, 70, 33), (5, 64, 300), (20, 200, 800), (23, 130, 40), (301, 90, 600), (130, 300, 300) })
        foreach (bool transB in new[] { false, true })
        foreach (var path in GemmPaths.Supported().Where(p => p != GemmPath.Scalar))
        foreach (int threads in new[] { 1, 2 })
        {
            int lda = k + 3;
            var a = TestArrays.Random<float>(m * lda, 7);
            var (_, b, _, ldb) = Operands<float>(false, transB, m, n, k);
            var c = TestArrays.Random<float>(m * n, 9);
            var inPlace = (float[])c.Clone();
            var packed = (float[])c.Clone();
            Gemm.Multiply<float>(path, threads, false, transB, m, n, k, a, lda, b, ldb, inPlace, n, accumulate: true);
            GemmBlocking.PackAOnThisThread = true;
            try
            {
                Gemm.Multiply<float>(path, threads, false, transB, m, n, k, a, lda, b, ldb, packed, n, accumulate: true);
            }
            finally
            {
                GemmBlocking.PackAOnThisThread = false;
            }
            TestArrays.Equal<float>(packed, inPlace, $"{path} {threads} threads {m}×{n}×{k} tB={transB}");
            var expected = (float[])c.Clone();
            Gemm.Reference<float>(false, transB, m, n, k, a, lda, b, ldb, expected, n, true);
            TestArrays.Close<float>(expected, inPlace, 1e-4, $"{path} {m}×{n}×{k} against the reference");
        }
    }

    [Fact]
    public void StridedOperandsLeaveTheGapsAlone()
    {
        const int m = 9, n = 70, k = 33, lda = 40, ldb = 75, ldc = 77;
        var a = TestArrays.Random<float>(m * lda, 1);
        var b = TestArrays.Random<float>(k * ldb, 2);
        var c = TestArrays.Random<float>(m * ldc, 3);
        var expected = (float[])c.Clone();
        Gemm.Reference<float>(false, false, m, n, k, a, lda, b, ldb, expected, ldc, true);
        Gemm.Multiply<float>(false, false, m, n, k, a, lda, b, ldb, c, ldc, true);
        for (int i = 0; i < m; i++)
        {
            TestArrays.Close<float>(expected.AsSpan(i * ldc, n), c.AsSpan(i * ldc, n), 1e-5, $"row {i}");
            TestArrays.Equal<float>(expected.AsSpan(i * ldc + n, ldc - n), c.AsSpan(i * ldc + n, ldc - n), $"gap after row {i}");
        }
    }

    [Fact]
    public void RejectsOperandsThatDoNotFit()
    {
        var small = new float[10];
        var ok = new float[100];
        Assert.Throws<ArgumentException>(() => Gemm.Multiply<float>(false, false, 4, 4, 4, small, 4, ok, 4, ok, 4, false));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply<float>(false, false, 4, 4, 4, ok, 3, ok, 4, ok, 4, false));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply<float>(false, false, 4, 4, 4, ok, 4, ok, 4, small, 4, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply<float>(false, false, -1, 4, 4, ok, 4, ok, 4, ok, 4, false));
    }

    /// <summary>Random A and B stored so that op(A) is m×k and op(B) is k×n, with their row strides.</summary>
    internal static (T[] A, T[] B, int Lda, int Ldb) Operands<T>(bool transA, bool transB, int m, int n, int k, int seed = 11)
        where T : IFloatingPointIeee754<T>
    {
        var a = TestArrays.Random<T>(m * k, seed);
        var b = TestArrays.Random<T>(k * n, seed + 1);
        return (a, b, Math.Max(1, transA ? m : k), Math.Max(1, transB ? k : n));
    }

    /// <summary>Runs one path and compares it with a double triple loop, scaled by the magnitude bound |A|·|B|.</summary>
    internal static void Check<T>(GemmPath path, int threads, bool transA, bool transB, int m, int n, int k, bool accumulate,
        double tolerance, PackedMatrix<T>? packed = null) where T : unmanaged, IFloatingPointIeee754<T>
        => new GemmCase<T>(transA, transB, m, n, k, accumulate).Verify(path, threads, tolerance, packed);
}

/// <summary>One product with random operands and its double-precision answer, checked against any number of paths.</summary>
internal sealed class GemmCase<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly bool transA, transB, accumulate;
    private readonly int m, n, k, lda, ldb;
    private readonly T[] a, b, c0;
    private readonly double[] expected, bound;

    public GemmCase(bool transA, bool transB, int m, int n, int k, bool accumulate)
    {
        (this.transA, this.transB, this.m, this.n, this.k, this.accumulate) = (transA, transB, m, n, k, accumulate);
        (a, b, lda, ldb) = GemmTests.Operands<T>(transA, transB, m, n, k, seed: m * 10007 + n * 101 + k);
        c0 = TestArrays.Random<T>(m * n, m + n + k);
        (expected, bound) = DoubleReference();
    }

    /// <summary>op(A)·op(B) (+ C) and |op(A)|·|op(B)| in double, with both operands first copied out plainly.</summary>
    private (double[] Product, double[] Bound) DoubleReference()
    {
        var opA = new double[m * k];
        var opB = new double[k * n];
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++) opA[i * k + p] = double.CreateChecked(transA ? a[p * lda + i] : a[i * lda + p]);
        for (int p = 0; p < k; p++)
            for (int j = 0; j < n; j++) opB[p * n + j] = double.CreateChecked(transB ? b[j * ldb + p] : b[p * ldb + j]);
        var product = new double[m * n];
        var bound = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            var row = product.AsSpan(i * n, n);
            var rowBound = bound.AsSpan(i * n, n);
            for (int p = 0; p < k; p++)
            {
                double av = opA[i * k + p];
                var bRow = opB.AsSpan(p * n, n);
                for (int j = 0; j < n; j++)
                {
                    row[j] += av * bRow[j];
                    rowBound[j] += Math.Abs(av * bRow[j]);
                }
            }
            if (accumulate)
                for (int j = 0; j < n; j++) row[j] += double.CreateChecked(c0[i * n + j]);
        }
        return (product, bound);
    }

    public void Verify(GemmPath path, int threads, double tolerance, PackedMatrix<T>? packed = null)
    {
        var c = (T[])c0.Clone();
        if (packed is null)
        {
            Gemm.Multiply<T>(path, threads, transA, transB, m, n, k, a, lda, b, ldb, c, Math.Max(1, n), accumulate);
        }
        else
        {
            packed.Pack(transB, b, ldb);
            Gemm.Multiply<T>(threads, transA, m, a, lda, packed, c, Math.Max(1, n), accumulate);
        }

        for (int i = 0; i < m * n; i++)
        {
            double scale = bound[i] + (accumulate ? Math.Abs(double.CreateChecked(c0[i])) : 0) + 1e-30;
            double error = Math.Abs(double.CreateChecked(c[i]) - expected[i]);
            if (!(error <= tolerance * scale))
                Assert.Fail($"{typeof(T).Name} {path} {m}×{n}×{k} tA={transA} tB={transB} acc={accumulate} packed={packed is not null}: " +
                            $"element {i} is {c[i]}, expected {expected[i]} (error {error:g3}, bound {tolerance * scale:g3})");
        }
    }
}

/// <summary>The training loop must not allocate after warm-up: GEMM reuses per-thread pack buffers.</summary>
public class GemmAllocationTests
{
    [Fact]
    public void SteadyStateCallsAllocateNothing()
    {
        var (a, b, lda, ldb) = GemmTests.Operands<float>(false, true, 20, 300, 200);
        var c = new float[20 * 300];
        var packed = PackedMatrix<float>.Create(true, 200, 300, b, ldb);
        var targets = new int[20];
        // an explicit thread count: the global setting may be changed by another test meanwhile, and a first call
        // with two threads starts the worker threads (allocating), which must happen during the warm-up
        void Calls(int threads)
        {
            Gemm.Multiply<float>(GemmPaths.Best, threads, false, true, 20, 300, 200, a, lda, b, ldb, c, 300, false);
            Gemm.Multiply<float>(threads, false, 20, a, lda, packed, c, 300, true);
            packed.Pack(true, b, ldb);
            Kernels.SoftmaxCrossEntropy<float>(c, 20, 300, targets, [], c, 0.05f);
        }
        // parts are claimed dynamically, so a two-thread warm-up may leave every part to the worker; on one thread the
        // caller runs them all and sizes its own pack buffers for any part it may claim later
        Calls(1);
        Calls(2);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) Calls(2);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

/// <summary>Very tall products are computed in bands of rows; the bands must join seamlessly.</summary>
public class TallGemmTests
{
    [Fact]
    public void BandsOfRowsJoinSeamlessly()
    {
        foreach (var (transA, transB) in new[] { (false, false), (true, false), (false, true) })
            new GemmCase<float>(transA, transB, 16384 + 7, 5, 3, accumulate: true).Verify(GemmPaths.Best, 2, 1e-5);
    }
}

/// <summary>The fork-join runs every part exactly once, also when a part forks again or throws.</summary>
public class ForkJoinTests
{
    private sealed class CountingWork(Action<int>? inner = null) : ParallelWork
    {
        public readonly int[] Runs = new int[64];
        public override void Run(int part)
        {
            Interlocked.Increment(ref Runs[part]);
            inner?.Invoke(part);
        }
    }

    [Fact]
    public void EveryPartRunsOnce()
    {
        for (int repeat = 0; repeat < 200; repeat++)
        {
            var work = new CountingWork();
            int parts = 1 + repeat % 9;
            ForkJoin.Run(work, parts, threads: 2);
            Assert.All(work.Runs.Take(parts), n => Assert.Equal(1, n));
            Assert.All(work.Runs.Skip(parts), n => Assert.Equal(0, n));
        }
    }

    [Fact]
    public void NestedJobsRunSerially()
    {
        var inner = new CountingWork();
        var outer = new CountingWork(_ => ForkJoin.Run(inner, 3, threads: 2));
        ForkJoin.Run(outer, 4, threads: 2);
        Assert.All(outer.Runs.Take(4), n => Assert.Equal(1, n));
        Assert.All(inner.Runs.Take(3), n => Assert.Equal(4, n));
    }

    [Fact]
    public void AFailingPartIsReported()
    {
        var work = new CountingWork(part => { if (part == 2) throw new InvalidOperationException("part 2"); });
        var e = Assert.Throws<AggregateException>(() => ForkJoin.Run(work, 5, threads: 2));
        Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.All(work.Runs.Take(5), n => Assert.Equal(1, n));
    }
}

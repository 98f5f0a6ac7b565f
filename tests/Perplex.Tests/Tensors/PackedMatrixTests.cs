using Perplex.Tensors;
using Xunit;

namespace Perplex.Tests.Tensors;

/// <summary>Products against a pre-packed B: correct on every path, and bit-identical to packing per call.</summary>
public class PackedMatrixTests
{
    [Fact]
    public void MatchesTheReferenceOnEveryPath()
    {
        foreach (var (m, n, k) in GemmTests.Shapes().Where(s => s.M % 3 == 0 || s.N > 100))
        foreach (bool transA in new[] { false, true })
        foreach (bool transB in new[] { false, true })
        {
            var single = new GemmCase<float>(transA, transB, m, n, k, accumulate: true);
            var exact = new GemmCase<double>(transA, transB, m, n, k, accumulate: false);
            foreach (var path in GemmPaths.Supported())
            {
                single.Verify(path, 1, 1e-5, new PackedMatrix<float>(k, n, path));
                exact.Verify(path, 1, 1e-13, new PackedMatrix<double>(k, n, path));
            }
        }
    }

    [Fact]
    public void BitIdenticalToPackingPerCall_AnyThreadCount()
    {
        foreach (var (m, n, k) in new[] { (20, 800, 200), (20, 2600, 650), (100, 300, 70), (5, 17, 3) })
        foreach (bool transB in new[] { false, true })
        {
            var (a, b, lda, ldb) = GemmTests.Operands<float>(false, transB, m, n, k);
            var perCall = new float[m * n];
            Gemm.Multiply<float>(false, transB, m, n, k, a, lda, b, ldb, perCall, n, false);
            var packed = PackedMatrix<float>.Create(transB, k, n, b, ldb);
            foreach (int threads in new[] { 1, 2 })
            {
                var prepacked = new float[m * n];
                Gemm.Multiply<float>(threads, false, m, a, lda, packed, prepacked, n, false);
                TestArrays.Equal<float>(perCall, prepacked, $"{m}×{n}×{k} transB={transB} threads={threads}");
            }
        }
    }

    [Fact]
    public void RepackingFollowsTheNewWeights()
    {
        const int m = 4, n = 70, k = 9;
        var a = TestArrays.Random<float>(m * k, 1);
        var packed = new PackedMatrix<float>(k, n);
        foreach (int seed in new[] { 2, 3 })
        {
            var b = TestArrays.Random<float>(k * n, seed);
            packed.Pack(false, b, n);
            var expected = new float[m * n];
            var actual = new float[m * n];
            Gemm.Multiply<float>(false, false, m, n, k, a, k, b, n, expected, n, false);
            Gemm.Multiply<float>(false, m, a, k, packed, actual, n, false);
            TestArrays.Equal<float>(expected, actual, $"after packing seed {seed}");
        }
    }

    [Fact]
    public void RejectsAMatrixOfTheWrongSize()
    {
        var packed = new PackedMatrix<float>(10, 20);
        Assert.Throws<ArgumentException>(() => packed.Pack(false, new float[199], 20));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply<float>(false, 3, new float[29], 10, packed, new float[60], 20, false));
    }
}

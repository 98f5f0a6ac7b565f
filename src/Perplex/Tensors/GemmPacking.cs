using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Perplex.Tensors;

/// <summary>
/// Copies blocks of op(A) and op(B) into the panel layouts the micro-kernels stream through. Transposition
/// happens here, so a single micro-kernel serves A·B, A·Bᵀ and Aᵀ·B. Panels past the matrix edge are padded
/// with zeros, which keeps the kernels free of edge cases.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs rows [i0, i0+mc) × columns [p0, p0+kc) of op(A) (m rows in all) into panels of mr rows:
    /// element (i, p) of panel q lands at dst[q·kc·mr + p·mr + (i − q·mr)].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA<T>(bool transA, T* a, nint lda, int m, int i0, int mc, int p0, int kc, int mr, T* dst) where T : unmanaged
    {
        for (int panel = 0; panel < mc; panel += mr, dst += kc * mr)
        {
            int rows = Math.Min(mr, m - (i0 + panel));
            T* first = a + (transA ? (nint)p0 * lda + i0 + panel : (nint)(i0 + panel) * lda + p0);
            if (typeof(T) == typeof(float) && mr == 6 && rows == 6 && Avx.IsSupported)
            {
                // the common full float panel, vectorised: packing the [N][V] logits by the scalar loop below cost
                // 15 % of an LSTM-LM training step
                if (transA) CopySixColumns((float*)first, lda, (float*)dst, kc);
                else TransposeSixRows((float*)first, lda, (float*)dst, kc);
                continue;
            }
            // walk dst in order; op(A)(i, p) is first[i·rowStep + p·depthStep]
            nint rowStep = transA ? 1 : lda, depthStep = transA ? lda : 1;
            for (int p = 0; p < kc; p++)
            {
                T* src = first + p * depthStep;
                T* column = dst + p * mr;
                int ii = 0;
                for (; ii < rows; ii++) column[ii] = src[ii * rowStep];
                for (; ii < mr; ii++) column[ii] = default;
            }
        }
    }

    /// <summary>
    /// Packs rows [p0, p0+kc) of op(B) (n columns in all) for the column panels [firstPanel, endPanel) of width nr
    /// counted from column j0: element (p, j) of panel q lands at dst[q·panelStride + p·nr + (j − j0 − q·nr)].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB<T>(bool transB, T* b, nint ldb, int n, int j0, int p0, int kc, int nr,
        int firstPanel, int endPanel, T* dst, nint panelStride) where T : unmanaged
    {
        for (int q = firstPanel; q < endPanel; q++)
        {
            T* panel = dst + q * panelStride;
            int jStart = j0 + q * nr;
            int cols = Math.Min(nr, n - jStart);
            if (transB)
            {
                // op(B)(p, j) = b[j·ldb + p]: a transpose
                T* first = b + (nint)jStart * ldb + p0;
                if (typeof(T) == typeof(float) && Avx.IsSupported)
                    TransposeFloat((float*)first, ldb, (float*)panel, nr, kc, cols);
                else
                    TransposeScalar(first, ldb, panel, nr, kc, cols);
                for (int p = 0; p < kc; p++) new Span<T>(panel + p * nr + cols, nr - cols).Clear();
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    var row = new Span<T>(panel + p * nr, nr);
                    new ReadOnlySpan<T>(b + (nint)(p0 + p) * ldb + jStart, cols).CopyTo(row);
                    row[cols..].Clear();
                }
            }
        }
    }

    /// <summary>dst[p·dstStride + j] = src[j·srcStride + p] for p &lt; depth, j &lt; width; in cache-line chunks of p.</summary>
    private static void TransposeScalar<T>(T* src, nint srcStride, T* dst, nint dstStride, int depth, int width) where T : unmanaged
    {
        const int Chunk = 16;
        for (int p0 = 0; p0 < depth; p0 += Chunk)
        {
            int chunk = Math.Min(Chunk, depth - p0);
            for (int j = 0; j < width; j++)
            {
                T* from = src + j * srcStride + p0;
                for (int t = 0; t < chunk; t++) dst[(p0 + t) * dstStride + j] = from[t];
            }
        }
    }

    /// <summary>The same transpose for float, 8×8 blocks at a time in AVX registers.</summary>
    private static void TransposeFloat(float* src, nint srcStride, float* dst, nint dstStride, int depth, int width)
    {
        int fullDepth = depth / 8 * 8, fullWidth = width / 8 * 8;
        for (int p = 0; p < fullDepth; p += 8)
            for (int j = 0; j < fullWidth; j += 8)
                Transpose8x8(src + j * srcStride + p, srcStride, dst + p * dstStride + j, dstStride);
        if (fullWidth < width)
            TransposeScalar(src + fullWidth * srcStride, srcStride, dst + fullWidth, dstStride, fullDepth, width - fullWidth);
        if (fullDepth < depth)
            TransposeScalar(src + fullDepth, srcStride, dst + fullDepth * dstStride, dstStride, depth - fullDepth, width);
    }

    /// <summary>dst[p·6 + i] = src[p·stride + i] for i &lt; 6, p &lt; depth: six contiguous floats per step (op(A) = Aᵀ).</summary>
    private static void CopySixColumns(float* src, nint stride, float* dst, int depth)
    {
        for (int p = 0; p < depth; p++, src += stride, dst += 6)
        {
            // every row is a separate stream, too many for the hardware prefetcher: fetch the line the panel after next needs
            Sse.Prefetch0(src + 16);
            Vector128.Store(Vector128.Load(src), dst);
            *(long*)(dst + 4) = *(long*)(src + 4);
        }
    }

    /// <summary>dst[p·6 + i] = src[i·stride + p] for i &lt; 6, p &lt; depth: six rows transposed 8 columns at a time.</summary>
    [SkipLocalsInit] // the block is written by the transpose before it is read
    private static void TransposeSixRows(float* src, nint stride, float* dst, int depth)
    {
        float* block = stackalloc float[64];
        var zero = Vector256<float>.Zero;
        int p = 0;
        for (; p + 8 <= depth; p += 8, dst += 48)
        {
            float* s = src + p;
            if ((p & 15) == 0)
            {
                // the next panel's rows, one line ahead of its packing: short row fragments defeat the hardware prefetcher
                float* next = s + 6 * stride;
                for (int i = 0; i < 6; i++) Sse.Prefetch0(next + i * stride);
            }
            Transpose8x8(Avx.LoadVector256(s), Avx.LoadVector256(s + stride), Avx.LoadVector256(s + 2 * stride),
                Avx.LoadVector256(s + 3 * stride), Avx.LoadVector256(s + 4 * stride), Avx.LoadVector256(s + 5 * stride),
                zero, zero, block, 8);
            for (int q = 0; q < 8; q++)
            {
                Vector128.Store(Vector128.Load(block + 8 * q), dst + 6 * q);
                *(long*)(dst + 6 * q + 4) = *(long*)(block + 8 * q + 4);
            }
        }
        for (; p < depth; p++, dst += 6)
            for (int i = 0; i < 6; i++) dst[i] = src[i * stride + p];
    }

    /// <summary>Transposes one 8×8 block: rows of src become columns of dst (unpack, shuffle, swap 128-bit halves).</summary>
    private static void Transpose8x8(float* src, nint srcStride, float* dst, nint dstStride)
        => Transpose8x8(Avx.LoadVector256(src), Avx.LoadVector256(src + srcStride),
            Avx.LoadVector256(src + 2 * srcStride), Avx.LoadVector256(src + 3 * srcStride),
            Avx.LoadVector256(src + 4 * srcStride), Avx.LoadVector256(src + 5 * srcStride),
            Avx.LoadVector256(src + 6 * srcStride), Avx.LoadVector256(src + 7 * srcStride), dst, dstStride);

    /// <summary>Writes the 8×8 block whose rows are r0..r7 transposed: column q of it goes to dst + q·dstStride.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, float* dst, nint dstStride)
    {
        // interleave pairs of rows
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        // gather 4-element columns within each 128-bit half
        var s0 = Avx.Shuffle(t0, t2, 0x44); var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44); var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44); var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44); var s7 = Avx.Shuffle(t5, t7, 0xEE);
        // join the halves: low halves give columns 0..3, high halves columns 4..7
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + dstStride, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + 2 * dstStride, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + 3 * dstStride, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + 4 * dstStride, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + 5 * dstStride, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + 6 * dstStride, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + 7 * dstStride, Avx.Permute2x128(s3, s7, 0x31));
    }
}

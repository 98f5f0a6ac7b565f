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
    public static void PackA<T>(bool transA, T* a, nint lda, int m, int i0, int mc, int p0, int kc, int mr, T* dst) where T : unmanaged
    {
        for (int panel = 0; panel < mc; panel += mr, dst += kc * mr)
        {
            int rows = Math.Min(mr, m - (i0 + panel));
            for (int ii = 0; ii < mr; ii++)
            {
                if (ii >= rows)
                {
                    for (int p = 0; p < kc; p++) dst[p * mr + ii] = default;
                    continue;
                }
                int i = i0 + panel + ii;
                if (transA)
                {
                    T* src = a + (nint)p0 * lda + i;
                    for (int p = 0; p < kc; p++, src += lda) dst[p * mr + ii] = *src;
                }
                else
                {
                    T* src = a + i * lda + p0;
                    for (int p = 0; p < kc; p++) dst[p * mr + ii] = src[p];
                }
            }
        }
    }

    /// <summary>
    /// Packs rows [p0, p0+kc) of op(B) (n columns in all) for the column panels [firstPanel, endPanel) of width nr
    /// counted from column j0: element (p, j) of panel q lands at dst[q·panelStride + p·nr + (j − j0 − q·nr)].
    /// </summary>
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
                for (int jj = 0; jj < cols; jj++)
                {
                    T* src = b + (nint)(jStart + jj) * ldb + p0;
                    for (int p = 0; p < kc; p++) panel[p * nr + jj] = src[p];
                }
                if (cols < nr)
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
}

namespace Perplex.Tensors;

/// <summary>One validated call C = op(A)·op(B) (+ C), as raw pointers for the packed driver.</summary>
internal unsafe struct GemmProblem<T> where T : unmanaged
{
    public int M, N, K;
    public bool TransA, TransB, Accumulate;
    public T* A, B, C;
    public nint Lda, Ldb, Ldc;

    /// <summary>When not null, B is already packed as in <see cref="PackedMatrix{T}"/> and <see cref="B"/> is unused.</summary>
    public T* PackedB;

    /// <summary>Distance between consecutive column panels of <see cref="PackedB"/> (K·NR).</summary>
    public nint PackedPanelStride;

    /// <summary>
    /// The kernel reads the rows of a row-major A where they lie instead of packing them (decided once per call, on the
    /// calling thread, by <see cref="GemmBlocking.ReadsAInPlace"/>).
    /// </summary>
    public bool AInPlace;
}

/// <summary>
/// Cache blocking of the packed GEMM (after Goto and BLIS): all rows of op(A) = Aᵀ are packed once per depth block of
/// KC (a row-major A is read in place), a KC×NC block of B is packed to stay in L2, and the micro-kernel holds an
/// MR×KC sliver of A in L1 while the KC×NR panels of B stream past.
/// </summary>
internal static class GemmBlocking
{
    /// <summary>Depth of one packed block; k is split into equal blocks of at most this.</summary>
    public static int KC = EnvironmentInt("PERPLEX_GEMM_KC", 256);

    /// <summary>Bytes of packed Ã one row block may take (MC·KC elements): about half of this Xeon's 2 MiB L2 per core.</summary>
    public static int RowBlockBytes = EnvironmentInt("PERPLEX_GEMM_MC_BYTES", 1024 * 1024);

    /// <summary>MC: rows of Ã per packed block at depth kc, a multiple of MR that keeps the block within <see cref="RowBlockBytes"/>.</summary>
    public static int RowBlock(int kc, int mr, int elementSize) => Math.Max(mr, RowBlockBytes / (elementSize * Math.Max(1, kc)) / mr * mr);

    /// <summary>Columns of B packed at once (rounded down to a multiple of the kernel's NR).</summary>
    public static int NC = EnvironmentInt("PERPLEX_GEMM_NC", 1024);

    /// <summary>Products with at most this many rows take B̃ panel by panel through all their slivers (see PackedGemm.FewRowsByPanel).</summary>
    public static int FewRows = EnvironmentInt("PERPLEX_GEMM_FEW_ROWS", 24);

    /// <summary>Whether few-row products prefetch the next panel of a pre-packed B̃ (PERPLEX_GEMM_PREFETCH=0 turns it off, for benchmarks).</summary>
    public static bool PrefetchB = Environment.GetEnvironmentVariable("PERPLEX_GEMM_PREFETCH") != "0";

    /// <summary>Products with at most this many rows read a row-major B in place instead of packing it.</summary>
    public static int InPlaceRows = EnvironmentInt("PERPLEX_GEMM_INPLACE_ROWS", 24);

    /// <summary>Whether a row-major A is read in place instead of packed (PERPLEX_GEMM_PACK_A=1 packs it, for benchmarks).</summary>
    public static bool ReadAInPlace = EnvironmentInt("PERPLEX_GEMM_PACK_A", 0) != 1;

    /// <summary>For tests: products called from this thread pack A even when it could be read in place.</summary>
    [ThreadStatic] internal static bool PackAOnThisThread;

    /// <summary>
    /// A row-major A (op(A) = A) is read in place: the kernel broadcasts from MR row streams, which the hardware
    /// prefetcher follows, so packing would only add a pass over A (for the decoder's [tokens][vocabulary] gradient,
    /// 28 MB per step). Aᵀ is still packed: read in place, each depth step would be a row of A further on, a new page.
    /// </summary>
    public static bool ReadsAInPlace(bool transA) => !transA && ReadAInPlace && !PackAOnThisThread;

    /// <summary>Below this many FLOPs (2·m·n·k) a GEMM stays on one thread.</summary>
    public static long ParallelFlops = EnvironmentInt("PERPLEX_GEMM_PARALLEL_FLOPS", 2_000_000);

    /// <summary>The k blocking: equal blocks of at most KC, so every path adds the same partial sums in the same order.</summary>
    public static int BlockDepth(int k)
    {
        int blocks = (k + KC - 1) / KC;
        return blocks == 0 ? 0 : (k + blocks - 1) / blocks;
    }

    /// <summary>Tuning knobs read once at start-up (for benchmarks; the defaults were measured).</summary>
    private static int EnvironmentInt(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), out int v) && v > 0 ? v : fallback;
}

using System.Numerics;
using System.Runtime.CompilerServices;

namespace Perplex.Tensors;

/// <summary>
/// The packed, cache-blocked GEMM driver around a register-blocked micro-kernel. Loop nest, outermost first:
/// depth blocks of KC (pc: pack all rows of Ã once, unless a row-major A is read in place), column blocks of NC
/// (jc: pack a KC×NC block of B̃, sized for L2), then MR-high (ir) and NR-wide (jr) tiles computed by
/// <typeparamref name="TKernel"/>, so each MR×KC sliver of Ã stays in L1 while the panels of B̃ stream past.
/// B̃ comes from a <see cref="PackedMatrix{T}"/> when the caller packed it beforehand, is read in place when the product has few rows, and is packed per block otherwise.
/// Threads: a product with few rows, or very many columns, splits its columns (each thread packs only its own
/// part of B); otherwise the rows are split and the packed blocks shared: each thread packs its own rows of Ã and
/// disjoint panels of each block of B̃. Very tall products (<see cref="OwnBRows"/>) give each thread one band of rows
/// that it computes alone, packing B for itself. Every path adds the same partial sums in the same order, so the
/// result does not depend on the thread count.
/// </summary>
internal static unsafe class PackedGemm<T, TKernel>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TKernel : struct, IMicroKernel<T>
{
    private static int MR => TKernel.Rows;
    private static int NR => TKernel.Columns;
    private static int NC => Math.Max(NR, GemmBlocking.NC / NR * NR);

    /// <summary>
    /// Work is cut into a few more parts than threads, claimed dynamically (see <see cref="ForkJoin"/>): a thread
    /// the OS runs late then costs a small part, not half the product.
    /// </summary>
    private const int ChunksPerThread = 4;

    /// <summary>
    /// From this many rows up, a row-split product gives each thread its own band of rows and lets it pack all of B
    /// itself, instead of sharing packed blocks with a fork-join per block. Packing B again costs K·N copies per extra
    /// thread against M·N·K/threads multiply-adds, a few percent at 2,048 rows. Measured on two threads: the decoder's
    /// dW = dZᵀ·H at H = 200 (10,000 rows) went from 347–361 to 389 GFLOP/s on its own; in a training step no
    /// difference was measurable (docs/benchmarks-lm.md, session 9).
    /// </summary>
    internal const int OwnBRows = 2048;

    /// <summary>Rows packed at once: 16384 × KC floats is 16 MiB.</summary>
    private const int MaxRowsPerPass = 16384;

    [ThreadStatic] private static Work? work;

    public static void Run(in GemmProblem<T> p, int threads)
    {
        if (p.M == 0 || p.N == 0) return;
        if (p.K == 0)
        {
            if (!p.Accumulate)
                for (int i = 0; i < p.M; i++) new Span<T>(p.C + i * p.Ldc, p.N).Clear();
            return;
        }

        if (p.M > MaxRowsPerPass)
        {
            // bound the packed copy of A (all rows × KC) by taking very tall products in bands of rows
            for (int i0 = 0; i0 < p.M; i0 += MaxRowsPerPass)
            {
                var band = p;
                band.M = Math.Min(MaxRowsPerPass, p.M - i0);
                band.A = p.TransA ? p.A + i0 : p.A + i0 * p.Lda;
                band.C = p.C + i0 * p.Ldc;
                Run(band, threads);
            }
            return;
        }

        int rowPanels = RowPanels(p.M), columnPanels = PanelsOfB(p.N);
        if (threads > 1 && 2L * p.M * p.N * p.K < GemmBlocking.ParallelFlops) threads = 1;
        var job = work ??= new Work();
        job.Problem = p;
        // Wide products split their columns: one fork-join in all, and each thread's B stays in its own L2; the price,
        // every thread packing all of A, is under 1 % of the work once each thread has 32 or more panels of B.
        // Other tall products split their rows and share the packed blocks (a fork-join per block).
        job.Threads = threads;
        if (threads > 1 && rowPanels >= 4 * threads && columnPanels < 32 * threads)
        {
            if (p.M >= OwnBRows)
            {
                // one band of rows per thread, each packing all of B for itself: a single fork-join
                job.Parts = threads;
                job.Phase = Phase.RowBands;
                ForkJoin.Run(job, job.Parts, threads);
            }
            else
            {
                SharedBlocksSplitRows(job);
            }
        }
        else if (threads > 1 && columnPanels >= 2)
        {
            // each slab packs A again: slabs of a small A are cheap, so take several per thread for balance;
            // a large A is packed once per thread only
            job.Parts = Math.Min(columnPanels, rowPanels <= 4 ? ChunksPerThread * threads : threads);
            job.Phase = Phase.ColumnSlabs;
            ForkJoin.Run(job, job.Parts, threads);
        }
        else
        {
            Columns(p, 0, p.N);
        }
        job.Problem = default; // drop the pointers
    }

    /// <summary>
    /// The whole algorithm on columns [j0, j1) of C, on the calling thread, in Goto's order: per block of B̃ (KC×NC,
    /// in L2 or L3), the rows of Ã are packed MC at a time so the packed block stays in L2 however tall A is. Every
    /// element still adds its depth blocks in the same order, so the result is the same as with any other blocking.
    /// </summary>
    private static void Columns(in GemmProblem<T> p, int j0, int j1)
    {
        int depth = GemmBlocking.BlockDepth(p.K);
        int mcMax = GemmBlocking.RowBlock(depth, MR, sizeof(T));
        for (int jc = j0; jc < j1; jc += NC)
        {
            int nc = Math.Min(NC, j1 - jc);
            for (int pc = 0; pc < p.K; pc += depth)
            {
                int kc = Math.Min(depth, p.K - pc);
                BlockOfB b;
                if (p.PackedB != null)
                {
                    var (block, stride) = PrepackedBlock(p, jc, pc);
                    b = new BlockOfB(block, stride, NR);
                }
                else if (ReadsBInPlace(p))
                {
                    b = InPlaceBlock(p, jc, nc, pc, kc);
                }
                else
                {
                    T* block = PackBuffers<T>.B.Ensure(PanelsOfB(nc) * kc * NR);
                    long started = StepProfile.Start();
                    PackBlockOfB(p, jc, pc, kc, 0, PanelsOfB(nc), block);
                    StepProfile.Stop(started, p.TransB ? "  inside GEMMs: pack Bᵀ" : "  inside GEMMs: pack B");
                    b = new BlockOfB((nint)block, (nint)kc * NR, NR);
                }
                if (p.AInPlace)
                {
                    Tiles(p, 0, p.M, jc, nc, pc, kc, RowsInPlace(p, pc), b);
                    continue;
                }
                for (int ic = 0; ic < p.M; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, p.M - ic);
                    T* a = PackBuffers<T>.A.Ensure(RowPanels(mc) * kc * MR);
                    long packing = StepProfile.Start();
                    GemmPacking.PackA(p.TransA, p.A, p.Lda, p.M, ic, mc, pc, kc, MR, a);
                    StepProfile.Stop(packing, p.TransA ? "  inside GEMMs: pack Aᵀ" : "  inside GEMMs: pack A");
                    Tiles(p, ic, ic + mc, jc, nc, pc, kc, new RowsOfA(a - (nint)ic * kc, 0), b);
                }
            }
        }
    }

    private static int RowPanels(int m) => (m + MR - 1) / MR;

    /// <summary>
    /// Where the panel of a pre-packed B̃ that follows panel <paramref name="jr"/> starts: the next panel of this block,
    /// or the first panel of the next depth block (null after the last one, and for a B̃ packed per call).
    /// </summary>
    private static byte* NextPanel(in GemmProblem<T> p, int jc, int nc, int pc, int kc, int jr, in BlockOfB b)
    {
        if (p.PackedB == null) return null;
        if (jr + NR < nc) return (byte*)((T*)b.Start + (jr / NR + 1) * b.PanelStride);
        if (pc + kc < p.K) return (byte*)(p.PackedB + jc / NR * p.PackedPanelStride + (pc + kc) * NR);
        return null;
    }

    /// <summary>Depth block pc of A's rows, in place.</summary>
    private static RowsOfA RowsInPlace(in GemmProblem<T> p, int pc) => new(p.A + pc, p.Lda);

    /// <summary>
    /// A product with few rows reads each element of B only a few times, so copying B into panels would cost about
    /// as much as the arithmetic: the kernel reads B where it is instead (row-major B only).
    /// </summary>
    private static bool ReadsBInPlace(in GemmProblem<T> p) => !p.TransB && p.M <= GemmBlocking.InPlaceRows;

    /// <summary>
    /// The KC×NC block of B at (pc, jc) read in place: whole panels point into B; a last, partial panel is packed
    /// (zero-padded) so the kernel never reads past B's end.
    /// </summary>
    private static BlockOfB InPlaceBlock(in GemmProblem<T> p, int jc, int nc, int pc, int kc)
    {
        int whole = nc / NR;
        var block = new BlockOfB((nint)(p.B + pc * p.Ldb + jc), NR, p.Ldb);
        if (whole * NR < nc)
        {
            T* edge = PackBuffers<T>.B.Ensure(kc * NR);
            GemmPacking.PackB(p.TransB, p.B, p.Ldb, p.N, jc + whole * NR, pc, kc, NR, 0, 1, edge, 0);
            block.EdgePanel = (nint)edge;
        }
        return block;
    }

    /// <summary>The KC×NC block of op(B) at (pc, jc) inside a pre-packed matrix: no copy, just an offset.</summary>
    private static (nint Block, nint PanelStride) PrepackedBlock(in GemmProblem<T> p, int jc, int pc)
        => ((nint)(p.PackedB + jc / NR * p.PackedPanelStride + pc * NR), p.PackedPanelStride);

    /// <summary>Packs column panels [firstPanel, endPanel) of the KC×NC block of op(B) at (pc, jc) into <paramref name="block"/>.</summary>
    private static void PackBlockOfB(in GemmProblem<T> p, int jc, int pc, int kc, int firstPanel, int endPanel, T* block)
        => GemmPacking.PackB(p.TransB, p.B, p.Ldb, p.N, jc, pc, kc, NR, firstPanel, endPanel, block, (nint)kc * NR);

    private static int PanelsOfB(int nc) => (nc + NR - 1) / NR;

    /// <summary>
    /// The macro-kernel: rows [i0, i1) × columns [jc, jc+nc) of C against depth block pc, from the packed rows of Ã
    /// (all of them, starting at <paramref name="a"/>) and a block of B̃; edge tiles go through a scratch tile.
    /// </summary>
    [SkipLocalsInit] // the scratch tile is written by the kernel before it is read
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tiles(in GemmProblem<T> p, int i0, int i1, int jc, int nc, int pc, int kc, in RowsOfA a, in BlockOfB b)
    {
        T* edge = stackalloc T[MR * NR];
        bool add = p.Accumulate || pc > 0;
        T* c = p.C + jc;
        if (i1 - i0 <= GemmBlocking.FewRows)
        {
            FewRowsByPanel(p, i0, i1, jc, nc, pc, kc, a, b, c, add, edge);
            return;
        }
        // each MR×KC sliver of Ã stays in L1 (the kernel broadcasts from it) while the panels of B̃ stream past from L2
        for (int ir = i0; ir < i1; ir += MR)
            for (int jr = 0; jr < nc; jr += NR)
                Tile(ir, jr, i1, nc, kc, a, b, c, p.Ldc, add, edge, null);
    }

    /// <summary>
    /// Few rows (a recurrent time step: batch × W_hh): each panel of B̃ goes through all the slivers of Ã at once, so it is
    /// read from memory or L3 once and then from L1/L2. A pre-packed W_hh larger than L2 (6.8 MB at H = 650) would
    /// otherwise arrive at the speed of L3: the kernels also prefetch the next panel into L2, one cache line per depth
    /// step, spread over the slivers, so it streams in while this panel is multiplied. That takes as many depth steps as
    /// the panel has cache lines (KC×64 floats: four per step), so it is done for four slivers (19–24 rows: a batch of
    /// 20); fewer rows go without. Measured on a Xeon with 2 MiB of L2 per core: the 20×2600×650 step 122 → 145 GFLOP/s,
    /// one-thread 2×650 LSTM training 1,490–1,600 → 1,590–1,650 tokens/s (docs/benchmarks-lm.md, session 11).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FewRowsByPanel(in GemmProblem<T> p, int i0, int i1, int jc, int nc, int pc, int kc, in RowsOfA a, in BlockOfB b,
        T* c, bool add, T* edge)
    {
        int slivers = (i1 - i0 + MR - 1) / MR;
        long lines = (long)kc * NR * sizeof(T) / CacheLine;
        bool prefetch = GemmBlocking.PrefetchB && (long)slivers * kc >= lines;
        for (int jr = 0; jr < nc; jr += NR)
        {
            byte* next = prefetch ? NextPanel(p, jc, nc, pc, kc, jr, b) : null;
            for (int ir = i0, s = 0; ir < i1; ir += MR, s++)
            {
                // sliver s fetches lines [s·kc, (s+1)·kc) of the next panel, one per depth step
                byte* ahead = next != null && (long)s * kc < lines ? next + (long)s * kc * CacheLine : null;
                Tile(ir, jr, i1, nc, kc, a, b, c, p.Ldc, add, edge, ahead);
            }
        }
    }

    private const int CacheLine = 64;

    /// <summary>One MR×NR tile of C at (ir, jr) of the block; at the bottom and right edges, a kernel with fewer rows or vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile(int ir, int jr, int rowEnd, int nc, int kc, in RowsOfA a, in BlockOfB b, T* c, nint ldc, bool add, T* edge, byte* prefetch)
    {
        int nr = Math.Min(NR, nc - jr);
        int mr = Math.Min(MR, rowEnd - ir);
        nint lda = a.Lda;
        T* aPanel = (T*)a.Start + ir * (lda == 0 ? kc : lda); // packed: sliver ir/MR starts at (ir/MR)·kc·MR
        bool partial = nr < NR;
        T* bPanel = partial && b.EdgePanel != 0 ? (T*)b.EdgePanel : (T*)b.Start + jr / NR * b.PanelStride;
        nint ldb = partial && b.EdgePanel != 0 ? NR : b.RowStride;
        T* cTile = c + ir * ldc + jr;
        if (nr == NR)
        {
            TKernel.Multiply(mr, NR, kc, aPanel, lda, bPanel, ldb, cTile, ldc, add, prefetch);
            return;
        }
        // a tile cut by the right edge: compute the vectors it needs into scratch, keep the columns that exist
        TKernel.Multiply(mr, nr, kc, aPanel, lda, bPanel, ldb, edge, NR, add: false, prefetch);
        for (int i = 0; i < mr; i++)
        {
            var source = new ReadOnlySpan<T>(edge + i * NR, nr);
            var target = new Span<T>(cTile + i * ldc, nr);
            if (add) System.Numerics.Tensors.TensorPrimitives.Add(target, source, target);
            else source.CopyTo(target);
        }
    }

    /// <summary>Many rows: per depth block each thread packs its rows of Ã; per block of B̃ the threads pack disjoint panels, then compute their rows.</summary>
    private static void SharedBlocksSplitRows(Work job)
    {
        ref readonly var p = ref job.Problem;
        int depth = GemmBlocking.BlockDepth(p.K);
        // the caller's buffers, filled by all threads (disjoint parts), so they hold whichever thread runs a part
        var sharedA = PackBuffers<T>.A;
        var sharedB = PackBuffers<T>.B;
        for (int pc = 0; pc < p.K; pc += depth)
        {
            int kc = Math.Min(depth, p.K - pc);
            (job.Pc, job.Kc) = (pc, kc);
            if (!p.AInPlace)
            {
                job.SharedA = (nint)sharedA.Ensure(RowPanels(p.M) * kc * MR);
                job.Phase = Phase.PackRowsOfA;
                job.Parts = Math.Min(RowPanels(p.M), ChunksPerThread * job.Threads);
                ForkJoin.Run(job, job.Parts, job.Threads);
            }
            for (int jc = 0; jc < p.N; jc += NC)
            {
                int nc = Math.Min(NC, p.N - jc);
                (job.Jc, job.Nc) = (jc, nc);
                if (p.PackedB != null)
                {
                    (job.SharedB, job.BlockStride) = PrepackedBlock(p, jc, pc);
                }
                else
                {
                    job.SharedB = (nint)sharedB.Ensure(PanelsOfB(nc) * kc * NR);
                    job.BlockStride = (nint)kc * NR;
                    job.Phase = Phase.PackBlockOfB;
                    job.Parts = Math.Min(PanelsOfB(nc), ChunksPerThread * job.Threads);
                    ForkJoin.Run(job, job.Parts, job.Threads);
                }
                job.Phase = Phase.RowsOfBlock;
                job.Parts = Math.Min(RowPanels(p.M), ChunksPerThread * job.Threads);
                ForkJoin.Run(job, job.Parts, job.Threads);
            }
        }
    }

    private enum Phase { ColumnSlabs, PackRowsOfA, PackBlockOfB, RowsOfBlock, RowBands }

    /// <summary>Where the kernel finds the rows of op(A): Lda 0 = packed slivers of MR rows from Start, else A's rows in place (row stride Lda).</summary>
    private readonly struct RowsOfA(T* start, nint lda)
    {
        public readonly nint Start = (nint)start, Lda = lda;
    }

    /// <summary>Where the kernel finds a block of op(B): panel q starts at Start + q·PanelStride, rows RowStride apart.</summary>
    private struct BlockOfB(nint start, nint panelStride, nint rowStride)
    {
        public readonly nint Start = start, PanelStride = panelStride, RowStride = rowStride;

        /// <summary>When not 0, the last, partial panel packed on its own (row stride NR).</summary>
        public nint EdgePanel;
    }

    /// <summary>The state of one parallel GEMM, reused per calling thread so nothing is allocated per call.</summary>
    private sealed class Work : ParallelWork
    {
        public GemmProblem<T> Problem;
        public int Parts, Threads;
        public Phase Phase;
        public int Jc, Nc, Pc, Kc;
        public nint SharedA, SharedB, BlockStride;

        public override void Run(int part)
        {
            ref readonly var p = ref Problem;
            switch (Phase)
            {
                case Phase.ColumnSlabs:
                {
                    var (first, end) = Share(PanelsOfB(p.N), part);
                    Columns(p, first * NR, Math.Min(p.N, end * NR));
                    break;
                }
                case Phase.RowBands:
                {
                    var (first, end) = Share(RowPanels(p.M), part);
                    int rows = Math.Min(p.M, end * MR) - first * MR;
                    if (rows <= 0) break;
                    var band = p;
                    band.M = rows;
                    band.A = p.TransA ? p.A + first * MR : p.A + first * MR * p.Lda;
                    band.C = p.C + first * MR * p.Ldc;
                    Columns(band, 0, p.N);
                    break;
                }
                case Phase.PackRowsOfA:
                {
                    var (first, end) = Share(RowPanels(p.M), part);
                    int rows = Math.Min(p.M, end * MR) - first * MR;
                    if (rows > 0)
                        GemmPacking.PackA(p.TransA, p.A, p.Lda, p.M, first * MR, rows, Pc, Kc, MR, (T*)SharedA + first * MR * Kc);
                    break;
                }
                case Phase.PackBlockOfB:
                {
                    var (first, end) = Share(PanelsOfB(Nc), part);
                    PackBlockOfB(p, Jc, Pc, Kc, first, end, (T*)SharedB);
                    break;
                }
                case Phase.RowsOfBlock:
                {
                    var (first, end) = Share(RowPanels(p.M), part);
                    var a = p.AInPlace ? RowsInPlace(p, Pc) : new RowsOfA((T*)SharedA, 0);
                    Tiles(p, first * MR, Math.Min(p.M, end * MR), Jc, Nc, Pc, Kc, a, new BlockOfB(SharedB, BlockStride, NR));
                    break;
                }
            }
        }

        /// <summary>Part <paramref name="part"/>'s contiguous share of <paramref name="count"/> panels.</summary>
        private (int First, int End) Share(int count, int part)
            => ((int)((long)count * part / Parts), (int)((long)count * (part + 1) / Parts));
    }
}

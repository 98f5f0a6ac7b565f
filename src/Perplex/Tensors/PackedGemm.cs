using System.Numerics;

namespace Perplex.Tensors;

/// <summary>
/// The packed, cache-blocked GEMM driver around a register-blocked micro-kernel. Loop nest, outermost first:
/// column blocks of NC (jc), depth blocks of KC (pc: pack B̃), row blocks of MC (ic: pack Ã), then NR-wide (jr)
/// and MR-high (ir) tiles computed by <typeparamref name="TKernel"/>.
/// Threads: a product with few rows splits its columns (each thread packs only its own part of B; A is small);
/// one with many rows shares each packed B block — the threads pack disjoint panels of it — and splits the rows,
/// each thread packing only its own rows of A. Every path adds the same partial sums in the same order, so the
/// result does not depend on the thread count.
/// </summary>
internal static unsafe class PackedGemm<T, TKernel>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TKernel : struct, IMicroKernel<T>
{
    private static int MR => TKernel.Rows;
    private static int NR => TKernel.Columns;
    private static int MC => Math.Max(MR, GemmBlocking.MC / MR * MR);
    private static int NC => Math.Max(NR, GemmBlocking.NC / NR * NR);

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

        int rowPanels = (p.M + MR - 1) / MR, columnPanels = (p.N + NR - 1) / NR;
        if (threads > 1 && 2L * p.M * p.N * p.K < GemmBlocking.ParallelFlops) threads = 1;
        var job = work ??= new Work();
        job.Problem = p;
        if (threads > 1 && rowPanels >= 4 * threads)
        {
            job.Parts = threads;
            SharedBlocksSplitRows(job);
        }
        else if (threads > 1 && columnPanels >= 2)
        {
            job.Parts = Math.Min(threads, columnPanels);
            job.Phase = Phase.ColumnSlabs;
            ForkJoin.Run(job, job.Parts);
        }
        else
        {
            Columns(p, 0, p.N);
        }
        job.Problem = default; // drop the pointers
    }

    /// <summary>The whole algorithm on columns [j0, j1) of C, on the calling thread.</summary>
    private static void Columns(in GemmProblem<T> p, int j0, int j1)
    {
        int depth = GemmBlocking.BlockDepth(p.K);
        for (int jc = j0; jc < j1; jc += NC)
        {
            int nc = Math.Min(NC, j1 - jc);
            for (int pc = 0; pc < p.K; pc += depth)
            {
                int kc = Math.Min(depth, p.K - pc);
                if (p.PackedB != null)
                {
                    var (block, stride) = PrepackedBlock(p, jc, pc);
                    Rows(p, 0, p.M, jc, nc, pc, kc, block, stride);
                }
                else
                {
                    T* block = PackBuffers<T>.B.Ensure(PanelsOfB(nc) * kc * NR);
                    PackBlockOfB(p, jc, pc, kc, 0, PanelsOfB(nc), block);
                    Rows(p, 0, p.M, jc, nc, pc, kc, (nint)block, (nint)kc * NR);
                }
            }
        }
    }

    /// <summary>The KC×NC block of op(B) at (pc, jc) inside a pre-packed matrix: no copy, just an offset.</summary>
    private static (nint Block, nint PanelStride) PrepackedBlock(in GemmProblem<T> p, int jc, int pc)
        => ((nint)(p.PackedB + jc / NR * p.PackedPanelStride + pc * NR), p.PackedPanelStride);

    /// <summary>Packs column panels [firstPanel, endPanel) of the KC×NC block of op(B) at (pc, jc) into <paramref name="block"/>.</summary>
    private static void PackBlockOfB(in GemmProblem<T> p, int jc, int pc, int kc, int firstPanel, int endPanel, T* block)
        => GemmPacking.PackB(p.TransB, p.B, p.Ldb, p.N, jc, pc, kc, NR, firstPanel, endPanel, block, (nint)kc * NR);

    private static int PanelsOfB(int nc) => (nc + NR - 1) / NR;

    /// <summary>Rows [i0, i1) of C against one packed block of B: packs MC×KC blocks of A and runs the tiles.</summary>
    private static void Rows(in GemmProblem<T> p, int i0, int i1, int jc, int nc, int pc, int kc, nint bBlock, nint bStride)
    {
        T* aBlock = PackBuffers<T>.A.Ensure(MC * kc);
        bool add = p.Accumulate || pc > 0;
        for (int ic = i0; ic < i1; ic += MC)
        {
            int mc = Math.Min(MC, i1 - ic);
            GemmPacking.PackA(p.TransA, p.A, p.Lda, i1, ic, mc, pc, kc, MR, aBlock);
            Tiles(mc, nc, kc, aBlock, (T*)bBlock, bStride, p.C + ic * p.Ldc + jc, p.Ldc, add);
        }
    }

    /// <summary>The macro-kernel: every MR×NR tile of an mc×nc block of C; edge tiles go through a scratch tile.</summary>
    private static void Tiles(int mc, int nc, int kc, T* aBlock, T* bBlock, nint bStride, T* c, nint ldc, bool add)
    {
        T* edge = stackalloc T[MR * NR];
        for (int jr = 0; jr < nc; jr += NR)
        {
            int nr = Math.Min(NR, nc - jr);
            T* bPanel = bBlock + jr / NR * bStride;
            for (int ir = 0; ir < mc; ir += MR)
            {
                int mr = Math.Min(MR, mc - ir);
                T* aPanel = aBlock + ir * kc;
                T* cTile = c + ir * ldc + jr;
                if (mr == MR && nr == NR)
                {
                    TKernel.Multiply(kc, aPanel, bPanel, cTile, ldc, add);
                    continue;
                }
                TKernel.Multiply(kc, aPanel, bPanel, edge, NR, add: false);
                for (int i = 0; i < mr; i++)
                {
                    var source = new ReadOnlySpan<T>(edge + i * NR, nr);
                    var target = new Span<T>(cTile + i * ldc, nr);
                    if (add) System.Numerics.Tensors.TensorPrimitives.Add(target, source, target);
                    else source.CopyTo(target);
                }
            }
        }
    }

    /// <summary>Many rows: per block of B, the threads pack disjoint panels of it, then compute disjoint rows.</summary>
    private static void SharedBlocksSplitRows(Work job)
    {
        ref readonly var p = ref job.Problem;
        int depth = GemmBlocking.BlockDepth(p.K);
        var shared = PackBuffers<T>.B; // the caller's buffer, filled by all threads
        for (int jc = 0; jc < p.N; jc += NC)
        {
            int nc = Math.Min(NC, p.N - jc);
            for (int pc = 0; pc < p.K; pc += depth)
            {
                int kc = Math.Min(depth, p.K - pc);
                (job.Jc, job.Nc, job.Pc, job.Kc) = (jc, nc, pc, kc);
                if (p.PackedB != null)
                {
                    (job.BlockOfB, job.BlockStride) = PrepackedBlock(p, jc, pc);
                }
                else
                {
                    job.BlockOfB = (nint)shared.Ensure(PanelsOfB(nc) * kc * NR);
                    job.BlockStride = (nint)kc * NR;
                    job.Phase = Phase.PackBlockOfB;
                    ForkJoin.Run(job, job.Parts);
                }
                job.Phase = Phase.RowsOfBlock;
                ForkJoin.Run(job, job.Parts);
            }
        }
    }

    private enum Phase { ColumnSlabs, PackBlockOfB, RowsOfBlock }

    /// <summary>The state of one parallel GEMM, reused per calling thread so nothing is allocated per call.</summary>
    private sealed class Work : ParallelWork
    {
        public GemmProblem<T> Problem;
        public int Parts;
        public Phase Phase;
        public int Jc, Nc, Pc, Kc;
        public nint BlockOfB, BlockStride;

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
                case Phase.PackBlockOfB:
                {
                    var (first, end) = Share(PanelsOfB(Nc), part);
                    PackBlockOfB(p, Jc, Pc, Kc, first, end, (T*)BlockOfB);
                    break;
                }
                case Phase.RowsOfBlock:
                {
                    var (first, end) = Share((p.M + MR - 1) / MR, part);
                    Rows(p, first * MR, Math.Min(p.M, end * MR), Jc, Nc, Pc, Kc, BlockOfB, BlockStride);
                    break;
                }
            }
        }

        /// <summary>Part <paramref name="part"/>'s contiguous share of <paramref name="count"/> panels.</summary>
        private (int First, int End) Share(int count, int part)
            => ((int)((long)count * part / Parts), (int)((long)count * (part + 1) / Parts));
    }
}

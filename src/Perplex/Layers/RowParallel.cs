using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Perplex.Tensors;

namespace Perplex.Layers;

/// <summary>
/// The row-wise work around the decoder ([N][V] logits, V ≈ 10⁴) split over the engine's worker threads:
/// fused softmax + cross-entropy, adding the bias to every row, and the bias gradient (column sums).
/// Without this they stay serial and cap the two-thread speed-up (Amdahl). Work is cut into fixed blocks that do
/// not depend on the thread count, and partial sums are added in block order, so results are bit-identical
/// for any number of threads. Spans are pinned by the caller and passed as pointers (ForkJoin.Run is synchronous).
/// <para>A bias gradient is always summed in two levels: the rows of each block of <see cref="BlockRows"/> first,
/// then those block sums in order, dst += Σ_b (Σ_{r∈b} row_r). The fused softmax can then produce the block sums on
/// any thread while each row is in cache, and still give exactly the numbers of the separate pass.</para>
/// </summary>
internal static unsafe class RowParallel
{
    private const int BlockRows = 16;
    private const int ColumnBlock = 256;
    private const long MinElementsToFork = 1 << 16;

    private static int Parts(long elements, int blocks)
        => elements < MinElementsToFork ? 1 : Math.Max(1, Math.Min(Parallelism.CurrentThreads, blocks));

    /// <summary>Σ over rows of the cross-entropy (see <see cref="Kernels.SoftmaxCrossEntropy{T}"/>), optionally writing the scaled gradient.</summary>
    public static double SoftmaxCrossEntropy<T>(ReadOnlySpan<T> logits, int rows, int cols, ReadOnlySpan<int> targets, Span<T> dLogits, T gradScale)
        where T : unmanaged, IFloatingPointIeee754<T>
        => SoftmaxCrossEntropy(logits, rows, cols, targets, dLogits, gradScale, default, default);

    /// <summary>
    /// The same for logits that still lack the bias of the layer that produced them, trained in place (<paramref name="logits"/>
    /// is <paramref name="dLogits"/>): each row gets the bias added, then its softmax, cross-entropy and gradient, then
    /// its gradient is added to its block's sum for <paramref name="biasGrad"/>, while the row is in cache; the block
    /// sums are added to <paramref name="biasGrad"/> in order afterwards. The [N][V] logits cross memory once instead of
    /// four times, on any number of threads, and the numbers are exactly those of the separate passes (the same
    /// operations in the same order, see the class remarks).
    /// </summary>
    public static double SoftmaxCrossEntropy<T>(ReadOnlySpan<T> logits, int rows, int cols, ReadOnlySpan<int> targets, Span<T> dLogits, T gradScale,
        ReadOnlySpan<T> bias, Span<T> biasGrad)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var job = CrossEntropyJob<T>.ForThisThread;
        int blocks = (rows + BlockRows - 1) / BlockRows;
        var sums = Workspace.Ensure(ref job.BlockSums, blocks);
        int parts = Parts((long)rows * cols, blocks);
        if (!bias.IsEmpty && (dLogits.IsEmpty || !Unsafe.AreSame(ref MemoryMarshal.GetReference(logits), ref MemoryMarshal.GetReference(dLogits))))
            throw new ArgumentException("adding the bias on the fly needs the logits to be trained in place", nameof(bias));
        // each block leaves the sum of its gradient rows here: 1/16 of the logits, read once more instead of all of them
        var blockSums = biasGrad.IsEmpty ? default : Workspace.Ensure(ref job.BiasBlockSums, blocks * cols);
        fixed (T* pl = logits, pd = dLogits, pb = bias, ps = blockSums)
        fixed (int* pt = targets)
        {
            job.Set(pl, dLogits.IsEmpty ? null : pd, pt, rows, cols, gradScale, blocks, parts);
            job.SetBias(bias.IsEmpty ? null : pb, biasGrad.IsEmpty ? null : ps);
            ForkJoin.Run(job, job.PartCount);
            job.SetBias(null, null);
        }
        if (!biasGrad.IsEmpty)
        {
            long started = StepProfile.Start();
            fixed (T* ps = blockSums, pg = biasGrad) RunBiasJob(ps, pg, blocks, cols, BiasPass.AddRowsInOrder);
            StepProfile.Stop(started, "bias gradients (column sums)");
        }
        double total = 0;
        foreach (double s in sums) total += s;
        return total;
    }

    /// <summary>matrix[r] += bias for every row r of the rows×cols matrix (rows split between threads).</summary>
    public static void AddRowVector<T>(Span<T> matrix, int rows, int cols, ReadOnlySpan<T> bias) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long started = StepProfile.Start();
        fixed (T* pm = matrix, pb = bias) RunBiasJob(pm, pb, rows, cols, BiasPass.AddToRows);
        StepProfile.Stop(started, "add bias rows");
    }

    /// <summary>dst[j] += Σᵣ matrix[r, j], summed in blocks of <see cref="BlockRows"/> rows, blocks in order (columns split between threads).</summary>
    public static void AddColumnSums<T>(ReadOnlySpan<T> matrix, int rows, int cols, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long started = StepProfile.Start();
        fixed (T* pm = matrix, pd = dst) RunBiasJob(pm, pd, rows, cols, BiasPass.AddBlockSums);
        StepProfile.Stop(started, "bias gradients (column sums)");
    }

    private enum BiasPass { AddToRows, AddBlockSums, AddRowsInOrder }

    private static void RunBiasJob<T>(T* matrix, T* vector, int rows, int cols, BiasPass pass) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var job = BiasJob<T>.ForThisThread;
        int blocks = pass == BiasPass.AddToRows ? (rows + BlockRows - 1) / BlockRows : (cols + ColumnBlock - 1) / ColumnBlock;
        job.Set(matrix, vector, rows, cols, blocks, Parts((long)rows * cols, blocks), pass);
        ForkJoin.Run(job, job.PartCount);
    }

    /// <summary>sum ← the <paramref name="n"/> rows from <paramref name="first"/>, <paramref name="stride"/> apart, added in order onto zero.</summary>
    private static void SumRows<T>(T* first, int n, long stride, Span<T> sum) where T : unmanaged, IFloatingPointIeee754<T>
    {
        sum.Clear();
        for (int r = 0; r < n; r++) System.Numerics.Tensors.TensorPrimitives.Add(sum, new ReadOnlySpan<T>(first + r * stride, sum.Length), sum);
    }

    private sealed class CrossEntropyJob<T> : ParallelWork where T : unmanaged, IFloatingPointIeee754<T>
    {
        [ThreadStatic] private static CrossEntropyJob<T>? _forThisThread;
        public static CrossEntropyJob<T> ForThisThread => _forThisThread ??= new();

        public double[] BlockSums = [];
        public T[] BiasBlockSums = [];
        private T* _logits, _dLogits;
        private int* _targets;
        private int _rows, _cols, _blocks;
        private T _scale;
        public int PartCount;

        private T* _bias, _biasBlockSums;

        /// <summary>Bias to add to each row before its softmax, and where each block leaves the sum of its gradient rows ([blocks][cols]; null: neither).</summary>
        public void SetBias(T* bias, T* biasBlockSums)
        {
            _bias = bias;
            _biasBlockSums = biasBlockSums;
        }

        public void Set(T* logits, T* dLogits, int* targets, int rows, int cols, T scale, int blocks, int parts)
        {
            _logits = logits;
            _dLogits = dLogits;
            _targets = targets;
            (_rows, _cols, _scale, _blocks, PartCount) = (rows, cols, scale, blocks, parts);
        }

        public override void Run(int part)
        {
            for (int block = part; block < _blocks; block += PartCount)
            {
                int r0 = block * BlockRows, n = Math.Min(BlockRows, _rows - r0);
                long offset = (long)r0 * _cols, length = (long)n * _cols;
                var dl = _dLogits is null ? default : new Span<T>(_dLogits + offset, (int)length);
                if (_bias is null && _biasBlockSums is null)
                {
                    BlockSums[block] = double.CreateTruncating(Kernels.SoftmaxCrossEntropy(
                        new ReadOnlySpan<T>(_logits + offset, (int)length), n, _cols, new ReadOnlySpan<int>(_targets + r0, n), default, dl, _scale));
                    continue;
                }
                // row by row, so that bias, softmax and bias gradient meet each row while it is in L1
                T sum = T.Zero;
                var bias = new ReadOnlySpan<T>(_bias, _bias is null ? 0 : _cols);
                var rowSum = new Span<T>(_biasBlockSums is null ? null : _biasBlockSums + (long)block * _cols, _biasBlockSums is null ? 0 : _cols);
                rowSum.Clear();
                for (int i = 0; i < n; i++)
                {
                    var row = dl.Slice(i * _cols, _cols);
                    int target = _targets[r0 + i];
                    if (target >= _cols) throw new ArgumentOutOfRangeException("targets", $"target {target} at row {r0 + i} is not below {_cols}");
                    if (target >= 0)
                    {
                        sum += Kernels.SoftmaxCrossEntropyRow<T>(row, bias, target, row, _scale, rowSum);
                        continue;
                    }
                    row.Clear(); // a padding row: no loss, no gradient, and zeros for the column sums, as in the separate pass
                    if (!rowSum.IsEmpty) System.Numerics.Tensors.TensorPrimitives.Add(rowSum, row, rowSum);
                }
                BlockSums[block] = double.CreateTruncating(sum);
            }
        }
    }

    private sealed class BiasJob<T> : ParallelWork where T : unmanaged, IFloatingPointIeee754<T>
    {
        [ThreadStatic] private static BiasJob<T>? _forThisThread;
        public static BiasJob<T> ForThisThread => _forThisThread ??= new();

        private T* _matrix, _vector;
        private int _rows, _cols, _blocks;
        private BiasPass _pass;
        public int PartCount;

        public void Set(T* matrix, T* vector, int rows, int cols, int blocks, int parts, BiasPass pass)
        {
            _matrix = matrix;
            _vector = vector;
            (_rows, _cols, _blocks, PartCount, _pass) = (rows, cols, blocks, parts, pass);
        }

        public override void Run(int part)
        {
            Span<T> blockSum = _pass == BiasPass.AddBlockSums ? stackalloc T[ColumnBlock] : default;
            for (int block = part; block < _blocks; block += PartCount)
            {
                if (_pass == BiasPass.AddToRows)
                {
                    int r0 = block * BlockRows, n = Math.Min(BlockRows, _rows - r0);
                    Kernels.AddRowVector(new Span<T>(_matrix + (long)r0 * _cols, n * _cols), n, _cols, new ReadOnlySpan<T>(_vector, _cols));
                    continue;
                }
                int c0 = block * ColumnBlock, width = Math.Min(ColumnBlock, _cols - c0);
                var dst = new Span<T>(_vector + c0, width);
                if (_pass == BiasPass.AddRowsInOrder)
                {
                    for (int r = 0; r < _rows; r++)
                        System.Numerics.Tensors.TensorPrimitives.Add(dst, new ReadOnlySpan<T>(_matrix + (long)r * _cols + c0, width), dst);
                    continue;
                }
                for (int r0 = 0; r0 < _rows; r0 += BlockRows)
                {
                    var sum = blockSum[..width];
                    SumRows(_matrix + (long)r0 * _cols + c0, Math.Min(BlockRows, _rows - r0), _cols, sum);
                    System.Numerics.Tensors.TensorPrimitives.Add(dst, sum, dst);
                }
            }
        }
    }
}

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
    /// its gradient is added to <paramref name="biasGrad"/>, while the row is in cache. The [N][V] logits cross memory
    /// once instead of four times, and the numbers are exactly those of the separate passes (same operations, rows added
    /// to the bias gradient in order; with several threads the column sums run as a separate pass to keep that order).
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
        bool fuseBiasGrad = !biasGrad.IsEmpty && parts == 1;
        fixed (T* pl = logits, pd = dLogits, pb = bias, pg = biasGrad)
        fixed (int* pt = targets)
        {
            job.Set(pl, dLogits.IsEmpty ? null : pd, pt, rows, cols, gradScale, blocks, parts);
            job.SetBias(bias.IsEmpty ? null : pb, fuseBiasGrad ? pg : null);
            ForkJoin.Run(job, job.PartCount);
            job.SetBias(null, null);
        }
        if (!biasGrad.IsEmpty && !fuseBiasGrad) AddColumnSums<T>(dLogits[..(rows * cols)], rows, cols, biasGrad);
        double total = 0;
        foreach (double s in sums) total += s;
        return total;
    }

    /// <summary>matrix[r] += bias for every row r of the rows×cols matrix (rows split between threads).</summary>
    public static void AddRowVector<T>(Span<T> matrix, int rows, int cols, ReadOnlySpan<T> bias) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long started = StepProfile.Start();
        fixed (T* pm = matrix, pb = bias) RunBiasJob(pm, pb, rows, cols, columnSums: false);
        StepProfile.Stop(started, "add bias rows");
    }

    /// <summary>dst[j] += Σᵣ matrix[r, j] (rows added in order; columns split between threads).</summary>
    public static void AddColumnSums<T>(ReadOnlySpan<T> matrix, int rows, int cols, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long started = StepProfile.Start();
        fixed (T* pm = matrix, pd = dst) RunBiasJob(pm, pd, rows, cols, columnSums: true);
        StepProfile.Stop(started, "bias gradients (column sums)");
    }

    private static void RunBiasJob<T>(T* matrix, T* vector, int rows, int cols, bool columnSums) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var job = BiasJob<T>.ForThisThread;
        int blocks = columnSums ? (cols + ColumnBlock - 1) / ColumnBlock : (rows + BlockRows - 1) / BlockRows;
        job.Set(matrix, vector, rows, cols, blocks, Parts((long)rows * cols, blocks), columnSums);
        ForkJoin.Run(job, job.PartCount);
    }

    private sealed class CrossEntropyJob<T> : ParallelWork where T : unmanaged, IFloatingPointIeee754<T>
    {
        [ThreadStatic] private static CrossEntropyJob<T>? _forThisThread;
        public static CrossEntropyJob<T> ForThisThread => _forThisThread ??= new();

        public double[] BlockSums = [];
        private T* _logits, _dLogits;
        private int* _targets;
        private int _rows, _cols, _blocks;
        private T _scale;
        public int PartCount;

        private T* _bias, _biasGrad;

        /// <summary>Bias to add to each row before its softmax, and where to add each gradient row (null: neither).</summary>
        public void SetBias(T* bias, T* biasGrad)
        {
            _bias = bias;
            _biasGrad = biasGrad;
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
                if (_bias is null && _biasGrad is null)
                {
                    BlockSums[block] = double.CreateTruncating(Kernels.SoftmaxCrossEntropy(
                        new ReadOnlySpan<T>(_logits + offset, (int)length), n, _cols, new ReadOnlySpan<int>(_targets + r0, n), default, dl, _scale));
                    continue;
                }
                // row by row, so that bias, softmax and bias gradient meet each row while it is in L1
                T sum = T.Zero;
                var bias = new ReadOnlySpan<T>(_bias, _bias is null ? 0 : _cols);
                var biasGrad = new Span<T>(_biasGrad, _biasGrad is null ? 0 : _cols);
                for (int i = 0; i < n; i++)
                {
                    var row = dl.Slice(i * _cols, _cols);
                    if (!bias.IsEmpty) System.Numerics.Tensors.TensorPrimitives.Add(row, bias, row);
                    sum += Kernels.SoftmaxCrossEntropy(row, 1, _cols, new ReadOnlySpan<int>(_targets + r0 + i, 1), default, row, _scale);
                    if (!biasGrad.IsEmpty) System.Numerics.Tensors.TensorPrimitives.Add(biasGrad, row, biasGrad);
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
        private bool _columnSums;
        public int PartCount;

        public void Set(T* matrix, T* vector, int rows, int cols, int blocks, int parts, bool columnSums)
        {
            _matrix = matrix;
            _vector = vector;
            (_rows, _cols, _blocks, PartCount, _columnSums) = (rows, cols, blocks, parts, columnSums);
        }

        public override void Run(int part)
        {
            for (int block = part; block < _blocks; block += PartCount)
            {
                if (_columnSums)
                {
                    int c0 = block * ColumnBlock, n = Math.Min(ColumnBlock, _cols - c0);
                    var dst = new Span<T>(_vector + c0, n);
                    for (int r = 0; r < _rows; r++)
                        System.Numerics.Tensors.TensorPrimitives.Add(dst, new ReadOnlySpan<T>(_matrix + (long)r * _cols + c0, n), dst);
                }
                else
                {
                    int r0 = block * BlockRows, n = Math.Min(BlockRows, _rows - r0);
                    Kernels.AddRowVector(new Span<T>(_matrix + (long)r0 * _cols, n * _cols), n, _cols, new ReadOnlySpan<T>(_vector, _cols));
                }
            }
        }
    }
}

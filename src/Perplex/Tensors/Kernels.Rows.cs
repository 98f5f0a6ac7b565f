using System.Numerics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Tensors;

public static partial class Kernels
{
    /// <summary>Adds <paramref name="bias"/> (length cols) to every row of the rows×cols matrix, in place.</summary>
    public static void AddRowVector<T>(Span<T> matrix, int rows, int cols, ReadOnlySpan<T> bias) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckMatrix(matrix.Length, rows, cols);
        CheckLength(bias.Length, cols, nameof(bias));
        for (int r = 0; r < rows; r++)
        {
            var row = matrix.Slice(r * cols, cols);
            TP.Add(row, bias, row);
        }
    }

    /// <summary>
    /// Column sums of a rows×cols matrix: dst[j] = Σᵣ x[r, j], or dst[j] += … when <paramref name="accumulate"/>
    /// (the bias gradient is the column sum of the output gradient). Rows are added in order.
    /// </summary>
    public static void ColumnSums<T>(ReadOnlySpan<T> matrix, int rows, int cols, Span<T> dst, bool accumulate) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckMatrix(matrix.Length, rows, cols);
        CheckLength(dst.Length, cols, nameof(dst));
        if (!accumulate) dst.Clear();
        for (int r = 0; r < rows; r++)
            TP.Add(dst, matrix.Slice(r * cols, cols), dst);
    }

    /// <summary>Row-wise softmax of a rows×cols matrix: dst[r, j] = exp(x[r, j] − max) / Σ exp(x[r, ·] − max).</summary>
    public static void Softmax<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckMatrix(x.Length, rows, cols);
        CheckLength(dst.Length, x.Length, nameof(dst));
        if (cols == 0) return;
        for (int r = 0; r < rows; r++)
        {
            var e = dst.Slice(r * cols, cols);
            T sum = ShiftedExp(x.Slice(r * cols, cols), e, out _);
            TP.Divide(e, sum, e);
        }
    }

    /// <summary>Row-wise log-softmax: dst[r, j] = x[r, j] − max − log Σ exp(x[r, ·] − max).</summary>
    public static void LogSoftmax<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckMatrix(x.Length, rows, cols);
        CheckLength(dst.Length, x.Length, nameof(dst));
        if (cols == 0) return;
        var scratch = ScratchRow<T>.Get(cols);
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * cols, cols);
            T sum = ShiftedExp(row, scratch, out T max);
            TP.Subtract(row, max + T.Log(sum), dst.Slice(r * cols, cols));
        }
    }

    /// <summary>
    /// Fused softmax + cross-entropy over the rows of a rows×cols logit matrix, forward and backward in one pass.
    /// Row r's loss is −log softmax(x[r])[targets[r]]; a negative target marks a padding row that contributes
    /// no loss and no gradient (PyTorch's <c>ignore_index</c>).
    /// </summary>
    /// <param name="logits">rows×cols, row-major.</param>
    /// <param name="rows">number of rows (predictions).</param>
    /// <param name="cols">number of classes.</param>
    /// <param name="targets">one class index per row.</param>
    /// <param name="lossPerRow">receives each row's loss (0 for ignored rows); may be empty.</param>
    /// <param name="dlogits">receives (softmax − onehot)·<paramref name="gradScale"/>; may be empty for evaluation.
    /// May alias <paramref name="logits"/>.</param>
    /// <param name="gradScale">e.g. 1/rows for a mean loss.</param>
    /// <returns>The sum of the rows' losses.</returns>
    public static T SoftmaxCrossEntropy<T>(ReadOnlySpan<T> logits, int rows, int cols, ReadOnlySpan<int> targets,
        Span<T> lossPerRow, Span<T> dlogits, T gradScale) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckMatrix(logits.Length, rows, cols);
        CheckLength(targets.Length, rows, nameof(targets));
        if (!lossPerRow.IsEmpty) CheckLength(lossPerRow.Length, rows, nameof(lossPerRow));
        if (!dlogits.IsEmpty) CheckLength(dlogits.Length, logits.Length, nameof(dlogits));
        T total = T.Zero;
        for (int r = 0; r < rows; r++)
        {
            int target = targets[r];
            if (target >= cols) throw new ArgumentOutOfRangeException(nameof(targets), $"target {target} at row {r} is not below {cols}");
            var e = dlogits.IsEmpty ? default : dlogits.Slice(r * cols, cols);
            if (target < 0)
            {
                if (!lossPerRow.IsEmpty) lossPerRow[r] = T.Zero;
                e.Clear();
                continue;
            }
            T loss = SoftmaxCrossEntropyRow(logits.Slice(r * cols, cols), default, target, e, gradScale, default);
            total += loss;
            if (!lossPerRow.IsEmpty) lossPerRow[r] = loss;
        }
        return total;
    }

    /// <summary>e = exp(row − max(row)); returns Σ e.</summary>
    private static T ShiftedExp<T>(ReadOnlySpan<T> row, Span<T> e, out T max) where T : unmanaged, IFloatingPointIeee754<T>
    {
        max = TP.Max(row);
        TP.Subtract(row, max, e);
        TP.Exp(e, e);
        return TP.Sum<T>(e);
    }

    private static void CheckMatrix(int length, int rows, int cols)
    {
        if (rows < 0 || cols < 0 || (long)rows * cols != length)
            throw new ArgumentException($"a {rows}×{cols} matrix needs {(long)rows * cols} elements, got {length}");
    }

    private static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected) throw new ArgumentException($"{name} has length {actual}, expected {expected}", name);
    }
}

/// <summary>A per-thread scratch row that grows as needed, so kernels allocate nothing in steady state.</summary>
internal static class ScratchRow<T> where T : unmanaged
{
    [ThreadStatic] private static T[]? buffer;

    public static Span<T> Get(int length)
    {
        if (buffer is null || buffer.Length < length) buffer = new T[Math.Max(length, 256)];
        return buffer.AsSpan(0, length);
    }
}

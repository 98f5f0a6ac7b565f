using System.Numerics;

namespace Perplex.Tensors;

/// <summary>
/// Plain scalar loops for every kernel in <see cref="Kernels"/>: the definitions the vectorised code is tested against.
/// </summary>
internal static class KernelReference
{
    public static void Add<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> dst) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) dst[i] = x[i] + y[i];
    }

    public static void Multiply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> dst) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) dst[i] = x[i] * y[i];
    }

    public static void Scale<T>(ReadOnlySpan<T> x, T alpha, Span<T> dst) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) dst[i] = x[i] * alpha;
    }

    public static void Axpy<T>(T alpha, ReadOnlySpan<T> x, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] * alpha + y[i];
    }

    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> dst) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) dst[i] = T.Tanh(x[i]);
    }

    public static void Sigmoid<T>(ReadOnlySpan<T> x, Span<T> dst) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) dst[i] = T.One / (T.One + T.Exp(-x[i]));
    }

    public static void Relu<T>(ReadOnlySpan<T> x, Span<T> dst) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) dst[i] = T.Max(x[i], T.Zero);
    }

    public static void TanhBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < y.Length; i++) dx[i] = dy[i] * (T.One - y[i] * y[i]);
    }

    public static void SigmoidBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < y.Length; i++) dx[i] = dy[i] * (y[i] * (T.One - y[i]));
    }

    public static void ReluBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < y.Length; i++) dx[i] = y[i] > T.Zero ? dy[i] : T.Zero;
    }

    public static void AddRowVector<T>(Span<T> matrix, int rows, int cols, ReadOnlySpan<T> bias) where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++) matrix[r * cols + j] += bias[j];
    }

    public static void ColumnSums<T>(ReadOnlySpan<T> matrix, int rows, int cols, Span<T> dst, bool accumulate) where T : IFloatingPointIeee754<T>
    {
        for (int j = 0; j < cols; j++)
        {
            T sum = accumulate ? dst[j] : T.Zero;
            for (int r = 0; r < rows; r++) sum += matrix[r * cols + j];
            dst[j] = sum;
        }
    }

    /// <summary>log Σ exp(row − max) + max, the log of the softmax denominator.</summary>
    public static T LogSumExp<T>(ReadOnlySpan<T> row) where T : IFloatingPointIeee754<T>
    {
        T max = T.NegativeInfinity;
        foreach (var v in row) max = T.Max(max, v);
        T sum = T.Zero;
        foreach (var v in row) sum += T.Exp(v - max);
        return T.Log(sum) + max;
    }

    public static void Softmax<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> dst) where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * cols, cols);
            T max = T.NegativeInfinity;
            foreach (var v in row) max = T.Max(max, v);
            T sum = T.Zero;
            foreach (var v in row) sum += T.Exp(v - max);
            for (int j = 0; j < cols; j++) dst[r * cols + j] = T.Exp(row[j] - max) / sum;
        }
    }

    public static void LogSoftmax<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> dst) where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * cols, cols);
            T lse = LogSumExp(row);
            for (int j = 0; j < cols; j++) dst[r * cols + j] = row[j] - lse;
        }
    }

    public static T SoftmaxCrossEntropy<T>(ReadOnlySpan<T> logits, int rows, int cols, ReadOnlySpan<int> targets,
        Span<T> lossPerRow, Span<T> dlogits, T gradScale) where T : IFloatingPointIeee754<T>
    {
        var probabilities = new T[cols];
        T total = T.Zero;
        for (int r = 0; r < rows; r++)
        {
            int t = targets[r];
            var row = logits.Slice(r * cols, cols);
            T loss = t < 0 ? T.Zero : LogSumExp(row) - row[t];
            total += loss;
            lossPerRow[r] = loss;
            Softmax(row, 1, cols, probabilities);
            for (int j = 0; j < cols; j++)
                dlogits[r * cols + j] = t < 0 ? T.Zero : (probabilities[j] - (j == t ? T.One : T.Zero)) * gradScale;
        }
        return total;
    }

    public static T SumOfSquares<T>(ReadOnlySpan<T> x) where T : IFloatingPointIeee754<T>
    {
        T sum = T.Zero;
        foreach (var v in x) sum += v * v;
        return sum;
    }
}

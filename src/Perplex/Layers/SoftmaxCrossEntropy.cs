using System.Numerics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Layers;

/// <summary>
/// Softmax and cross-entropy fused, over rows of logits (one row per position, one column per class):
/// loss = (1/N) Σₙ [logsumexp(zₙ) − zₙ[yₙ]], and dz = (softmax(z) − onehot(y)) / N.
/// Fusing them avoids ever forming log-probabilities and is exact in the way log-softmax is.
/// </summary>
/// <typeparam name="T">float for training, double for exact checks.</typeparam>
public sealed class SoftmaxCrossEntropy<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[] _logSumExp = [];
    private T[] _scratch = [];
    private int _rows;

    /// <summary>
    /// Computes every row's logsumexp (kept for <see cref="Backward"/>) and returns the mean cross-entropy
    /// against <paramref name="targets"/>; <paramref name="logits"/> is [targets.Length][classes].
    /// </summary>
    public T Forward(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes)
        => T.CreateTruncating(-SumLogProbability(logits, targets, classes) / Math.Max(1, targets.Length));

    /// <summary>
    /// Σₙ log softmax(zₙ)[yₙ] in natural log, accumulated in double (for perplexity); also keeps every row's
    /// logsumexp for <see cref="Backward"/>.
    /// </summary>
    public double SumLogProbability(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes)
    {
        int rows = targets.Length;
        var lse = Workspace.Ensure(ref _logSumExp, rows);
        var tmp = Workspace.Ensure(ref _scratch, classes);
        _rows = rows;
        double sum = 0;
        for (int n = 0; n < rows; n++)
        {
            var z = logits.Slice(n * classes, classes);
            // logsumexp(z) = m + log Σ exp(z − m), m = max z, so no exp overflows
            T m = TP.Max(z);
            TP.Subtract(z, m, tmp);
            TP.Exp(tmp, tmp);
            lse[n] = m + T.Log(TP.Sum<T>(tmp));
            sum += double.CreateTruncating(z[Target(targets[n], classes)] - lse[n]);
        }
        return sum;
    }

    /// <summary>
    /// dz = (softmax(z) − onehot(y)) / N with the logsumexps of the last forward call.
    /// <paramref name="dLogits"/> may be the logits buffer itself (in-place, saving a [N][V] array).
    /// </summary>
    public void Backward(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes, Span<T> dLogits)
    {
        int rows = targets.Length;
        if (rows != _rows) throw new InvalidOperationException("Backward called with a different number of rows than Forward");
        T invN = T.One / T.CreateTruncating(Math.Max(1, rows));
        for (int n = 0; n < rows; n++)
        {
            var d = dLogits.Slice(n * classes, classes);
            // softmax(z) = exp(z − logsumexp z)
            TP.Subtract(logits.Slice(n * classes, classes), _logSumExp[n], d);
            TP.Exp(d, d);
            TP.Multiply(d, invN, d);
            d[Target(targets[n], classes)] -= invN;
        }
    }

    private static int Target(int y, int classes)
    {
        if ((uint)y >= (uint)classes)
            throw new ArgumentOutOfRangeException(nameof(y), y, $"target outside the {classes} classes");
        return y;
    }
}

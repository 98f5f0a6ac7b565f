using System.Numerics;
using Perplex.Tensors;

namespace Perplex.Layers;

/// <summary>
/// Softmax and cross-entropy fused, over rows of logits (one row per position, one column per class):
/// loss = (1/N) Σₙ [logsumexp(zₙ) − zₙ[yₙ]], and dz = (softmax(z) − onehot(y)) / N.
/// Fusing them never forms log-probabilities, is exact in the way log-softmax is, and computes the gradient in
/// the same pass over the [N][V] logits as the loss (the engine's <see cref="Kernels.SoftmaxCrossEntropy{T}"/>,
/// rows split over threads in fixed blocks, block sums added in double).
/// </summary>
/// <typeparam name="T">float for training, double for exact checks.</typeparam>
public sealed class SoftmaxCrossEntropy<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The mean cross-entropy of <paramref name="logits"/> [targets.Length][classes] against <paramref name="targets"/>.</summary>
    public T Forward(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes)
        => Mean(RowParallel.SoftmaxCrossEntropy(logits, CheckTargets(targets, classes), classes, targets, default, T.Zero), targets.Length);

    /// <summary>
    /// Forward and backward in one pass: returns the mean cross-entropy and writes dz = (softmax(z) − onehot(y)) / N
    /// to <paramref name="dLogits"/>, which may be the logits buffer itself (in place, saving an [N][V] array).
    /// </summary>
    public T ForwardBackward(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes, Span<T> dLogits)
    {
        int rows = CheckTargets(targets, classes);
        T invN = T.One / T.CreateTruncating(Math.Max(1, rows));
        return Mean(RowParallel.SoftmaxCrossEntropy(logits, rows, classes, targets, dLogits, invN), rows);
    }

    /// <summary>
    /// The summed (not mean) cross-entropy, with dz = (softmax(z) − onehot(y)) · <paramref name="gradScale"/>: a share of a
    /// larger batch scales by 1/(rows of the whole batch), so the shares' gradients add up to the batch mean's.
    /// </summary>
    /// <remarks>
    /// With a <paramref name="bias"/>, the logits lack the producing layer's bias and are trained in place (dLogits is
    /// logits): each row gets the bias, and its gradient is added to <paramref name="biasGrad"/>, in the same pass.
    /// </remarks>
    internal static double ForwardBackwardSum(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes, Span<T> dLogits, T gradScale,
        ReadOnlySpan<T> bias = default, Span<T> biasGrad = default)
        => RowParallel.SoftmaxCrossEntropy(logits, CheckTargets(targets, classes), classes, targets, dLogits, gradScale, bias, biasGrad);

    /// <summary>Σₙ log softmax(zₙ)[yₙ] in natural log (minus the summed cross-entropy), for perplexity.</summary>
    public double SumLogProbability(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes)
        => -RowParallel.SoftmaxCrossEntropy(logits, CheckTargets(targets, classes), classes, targets, default, T.Zero);

    /// <summary>
    /// dz = (softmax(z) − onehot(y)) / N alone (it recomputes the softmax; prefer <see cref="ForwardBackward"/> in a
    /// training loop). <paramref name="dLogits"/> may be the logits buffer itself.
    /// </summary>
    public void Backward(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes, Span<T> dLogits)
        => ForwardBackward(logits, targets, classes, dLogits);

    private static T Mean(double sum, int rows) => T.CreateTruncating(sum / Math.Max(1, rows));

    private static int CheckTargets(ReadOnlySpan<int> targets, int classes)
    {
        foreach (int y in targets)
            if ((uint)y >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(targets), y, $"target outside the {classes} classes");
        return targets.Length;
    }
}

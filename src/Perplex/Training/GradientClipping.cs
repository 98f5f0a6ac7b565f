using System.Numerics;
using Perplex.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Training;

/// <summary>Gradient clipping by global norm, as <c>torch.nn.utils.clip_grad_norm_</c>.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Computes the L2 norm of all gradients taken together and, if it exceeds <paramref name="maxNorm"/>, scales
    /// every gradient by maxNorm / (norm + 1e-6). Returns the norm before clipping (NaN or ∞ if a gradient is not
    /// finite, in which case nothing is scaled: the caller must stop). A non-positive maxNorm only measures.
    /// </summary>
    public static double ClipGlobalNorm<T>(IReadOnlyList<Parameter<T>> parameters, double maxNorm)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sumSquares = 0;
        foreach (var p in parameters)
            sumSquares += SumOfSquares(p.Grad.Data);
        double norm = Math.Sqrt(sumSquares);
        if (!double.IsFinite(norm) || maxNorm <= 0) return norm;
        double coefficient = maxNorm / (norm + 1e-6);
        if (coefficient < 1)
        {
            T scale = T.CreateChecked(coefficient);
            foreach (var p in parameters)
                TP.Multiply(p.Grad.Data, scale, p.Grad.Data);
        }
        return norm;
    }

    /// <summary>The first parameter whose gradient holds a NaN or an infinity, or null if all are finite.</summary>
    public static Parameter<T>? FirstNonFiniteGradient<T>(IEnumerable<Parameter<T>> parameters)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var p in parameters)
            foreach (var g in p.Grad.Data)
                if (!T.IsFinite(g)) return p;
        return null;
    }

    /// <summary>
    /// Sum of squares: vectorised within blocks of 4096 elements, blocks added in double, so millions of float32
    /// terms lose nothing that matters and the result does not depend on thread count.
    /// </summary>
    private static double SumOfSquares<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int Block = 4096;
        double sum = 0;
        for (int start = 0; start < values.Length; start += Block)
            sum += double.CreateTruncating(TP.SumOfSquares(values.Slice(start, Math.Min(Block, values.Length - start))));
        return sum;
    }
}

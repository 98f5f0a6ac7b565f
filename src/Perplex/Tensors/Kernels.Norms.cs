using System.Numerics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Tensors;

public static partial class Kernels
{
    /// <summary>Σ x², vectorised (the summation order differs from a plain loop, within rounding).</summary>
    public static T SumOfSquares<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        => TP.SumOfSquares(x);

    /// <summary>
    /// The global L2 norm of several tensors taken together, computed as PyTorch's <c>clip_grad_norm_</c> does:
    /// the norm of the vector of per-tensor norms.
    /// </summary>
    public static T GlobalL2Norm<T>(IReadOnlyList<Tensor<T>> tensors) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T sum = T.Zero;
        for (int i = 0; i < tensors.Count; i++)
            sum += SquaredNorm(tensors[i].Data);
        return T.Sqrt(sum);
    }

    /// <summary>The per-tensor norm, squared again, so the total rounds exactly as PyTorch's does.</summary>
    private static T SquaredNorm<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T norm = T.Sqrt(SumOfSquares(x));
        return norm * norm;
    }

    /// <summary>
    /// Gradient clipping by global norm, as PyTorch's <c>clip_grad_norm_</c>: when the gradients' global norm
    /// exceeds <paramref name="maxNorm"/>, every gradient is scaled by maxNorm / (norm + 1e-6).
    /// </summary>
    /// <returns>The global norm before clipping (NaN or ∞ tells the caller the gradients blew up).</returns>
    public static T ClipGradientNorm<T>(IReadOnlyList<Parameter<T>> parameters, T maxNorm) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T sum = T.Zero;
        for (int i = 0; i < parameters.Count; i++)
            sum += SquaredNorm<T>(parameters[i].Grad.Data);
        T norm = T.Sqrt(sum);
        T coefficient = maxNorm / (norm + T.CreateChecked(1e-6));
        if (coefficient < T.One)
        {
            for (int i = 0; i < parameters.Count; i++)
            {
                var grad = parameters[i].Grad.Data;
                TP.Multiply(grad, coefficient, grad);
            }
        }
        return norm;
    }
}

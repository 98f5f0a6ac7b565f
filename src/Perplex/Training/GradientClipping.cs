using System.Numerics;
using Perplex.Tensors;

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
        var (norm, coefficient) = Measure(parameters, maxNorm);
        if (coefficient < 1) ParameterSweep<T>.ScaleGradients(parameters, T.CreateChecked(coefficient));
        return norm;
    }

    /// <summary>
    /// The global norm and the factor <see cref="ClipGlobalNorm"/> would scale the gradients by (1 when they are within
    /// <paramref name="maxNorm"/>, or the norm is not finite, or maxNorm ≤ 0), without scaling anything: an optimizer
    /// can apply it in its own pass (<see cref="Optimizer{T}.Step(double, bool)"/>) and save one over all gradients.
    /// </summary>
    public static (double Norm, double Coefficient) Measure<T>(IReadOnlyList<Parameter<T>> parameters, double maxNorm)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double norm = Math.Sqrt(ParameterSweep<T>.SumOfSquares(parameters));
        if (!double.IsFinite(norm) || maxNorm <= 0) return (norm, 1);
        return (norm, Math.Min(1, maxNorm / (norm + 1e-6)));
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
}

using System.Numerics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Perplex.Tensors;

/// <summary>
/// The elementwise, activation and reduction kernels the layers are written with.
/// Every kernel is generic (float for training, double for exact checks) and vectorised; each has a scalar
/// twin in <see cref="KernelReference"/> that the tests hold it to. Destination spans may alias a source span
/// of the same length (the kernels read each element before writing it), so <c>Tanh(x, x)</c> is in place.
/// </summary>
public static partial class Kernels
{
    /// <summary>dst = x + y, elementwise.</summary>
    public static void Add<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
        => TP.Add(x, y, dst);

    /// <summary>dst = x ⊙ y, elementwise.</summary>
    public static void Multiply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
        => TP.Multiply(x, y, dst);

    /// <summary>dst = alpha·x.</summary>
    public static void Scale<T>(ReadOnlySpan<T> x, T alpha, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
        => TP.Multiply(x, alpha, dst);

    /// <summary>y += alpha·x (BLAS axpy; SGD's update is <c>Axpy(-lr, grad, weight)</c>).</summary>
    public static void Axpy<T>(T alpha, ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        => TP.MultiplyAdd(x, alpha, y, y);

    /// <summary>dst = tanh(x).</summary>
    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && VectorExp.IsSupported) VectorExp.Map<TanhFunction>(Cast(x), Cast(dst)); // float: see VectorExp
        else TP.Tanh(x, dst);
    }

    /// <summary>dst = σ(x) = 1 / (1 + e^(−x)).</summary>
    public static void Sigmoid<T>(ReadOnlySpan<T> x, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && VectorExp.IsSupported) VectorExp.Map<SigmoidFunction>(Cast(x), Cast(dst)); // float: see VectorExp
        else if (!x.IsEmpty) TP.Sigmoid(x, dst); // TensorPrimitives rejects empty input here, unlike its other kernels
    }

    /// <summary>dst = max(x, 0); NaN stays NaN, as in PyTorch.</summary>
    public static void Relu<T>(ReadOnlySpan<T> x, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
        => TP.Max(x, T.Zero, dst);

    /// <summary>Backward of tanh from its output y: dx = dy ⊙ (1 − y²).</summary>
    public static void TanhBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
        => ElementwiseMap.Apply<T, TanhGradient<T>>(y, dy, dx);

    /// <summary>Backward of σ from its output y: dx = dy ⊙ y ⊙ (1 − y).</summary>
    public static void SigmoidBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
        => ElementwiseMap.Apply<T, SigmoidGradient<T>>(y, dy, dx);

    /// <summary>Backward of ReLU from its output y: dx = dy where y &gt; 0, else 0.</summary>
    public static void ReluBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
        => ElementwiseMap.Apply<T, ReluGradient<T>>(y, dy, dx);
}

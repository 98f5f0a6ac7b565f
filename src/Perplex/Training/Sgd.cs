using System.Numerics;
using Perplex.Tensors;

namespace Perplex.Training;

/// <summary>Plain stochastic gradient descent as in word_language_model: p ← p − lr·g (no momentum, no decay).</summary>
public sealed class Sgd<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the optimizer.</summary>
    public Sgd(IReadOnlyList<Parameter<T>> parameters, double learningRate) : base(parameters, learningRate) { }

    /// <inheritdoc />
    public override string Kind => "sgd";

    /// <inheritdoc />
    protected override void Update(int index, Span<T> value, ReadOnlySpan<T> grad) => UpdateRange(index, 0, value, grad);

    /// <inheritdoc />
    protected override bool UpdatesByRange => true;

    /// <inheritdoc />
    protected internal override bool ZeroGradientChangesNothing => true; // p − lr·0 = p

    /// <inheritdoc />
    protected override void UpdateRange(int index, int offset, Span<T> value, ReadOnlySpan<T> grad)
        => Kernels.Axpy(T.CreateChecked(-LearningRate), grad, value);
}

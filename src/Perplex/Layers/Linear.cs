using System.Numerics;
using Perplex.Tensors;

namespace Perplex.Layers;

/// <summary>
/// Affine layer y = x Wᵀ + b with PyTorch's <c>nn.Linear</c> layout: weight [out][in], bias [out].
/// The weight may be shared with another layer (weight tying); gradients from both uses then add up.
/// </summary>
/// <typeparam name="T">float for training, double for exact checks.</typeparam>
public sealed class Linear<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a zero-initialised layer named <c>{prefix}weight</c>/<c>{prefix}bias</c>,
    /// or one that uses <paramref name="sharedWeight"/> (shape [out][in]) as its weight.</summary>
    public Linear(int inputSize, int outputSize, string prefix, Parameter<T>? sharedWeight = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputSize);
        if (sharedWeight is not null && (sharedWeight.Value.Rank != 2 || sharedWeight.Value.Dim(0) != outputSize || sharedWeight.Value.Dim(1) != inputSize))
            throw new ArgumentException($"shared weight {sharedWeight} is not [{outputSize}, {inputSize}]", nameof(sharedWeight));
        InputSize = inputSize;
        OutputSize = outputSize;
        Weight = sharedWeight ?? new Parameter<T>(prefix + "weight", outputSize, inputSize);
        Bias = new Parameter<T>(prefix + "bias", outputSize);
        WeightIsShared = sharedWeight is not null;
    }

    /// <summary>Input width.</summary>
    public int InputSize { get; }

    /// <summary>Output width.</summary>
    public int OutputSize { get; }

    /// <summary>W [out][in].</summary>
    public Parameter<T> Weight { get; }

    /// <summary>b [out].</summary>
    public Parameter<T> Bias { get; }

    /// <summary>True when <see cref="Weight"/> belongs to another layer (tied weights).</summary>
    public bool WeightIsShared { get; }

    /// <summary>
    /// When set, packed copies of the current <see cref="Weight"/> that the products read instead of packing W on
    /// every call; whoever sets it must repack (or clear it) before W changes.
    /// </summary>
    internal PackedLinearWeights<T>? Packed { get; set; }

    /// <summary>PyTorch's default initialisation: W and b uniform in ±1/√in.</summary>
    public void InitializeDefault(SeededRandom random)
    {
        double bound = 1 / Math.Sqrt(InputSize);
        random.FillUniform<T>(Weight.Value.Data, bound);
        random.FillUniform<T>(Bias.Value.Data, bound);
    }

    /// <summary>y[n] = W x[n] + b for <paramref name="rows"/> rows: x is [rows][in], y is [rows][out].</summary>
    public void Forward(ReadOnlySpan<T> input, int rows, Span<T> output) => Forward(input, rows, output, addBias: true);

    /// <summary>y = W x (+ b when <paramref name="addBias"/>: a fused softmax may add it later, while the row is in cache).</summary>
    internal void Forward(ReadOnlySpan<T> input, int rows, Span<T> output, bool addBias)
    {
        // y = x · Wᵀ  (one GEMM), then + b on every row
        if (Packed is { } packed) Gemm.Multiply(false, rows, input, InputSize, packed.Transposed, output, OutputSize, false);
        else Gemm.Multiply(false, true, rows, OutputSize, InputSize, input, InputSize, Weight.Value.Data, InputSize, output, OutputSize, false);
        if (addBias) RowParallel.AddRowVector(output, rows, OutputSize, Bias.Value.Data);
    }

    /// <summary>
    /// dW += dyᵀ x, db += Σₙ dy[n], and dx = dy W when <paramref name="dInput"/> is not empty.
    /// <paramref name="dInput"/> may not alias <paramref name="dOutput"/>.
    /// </summary>
    public void Backward(ReadOnlySpan<T> input, ReadOnlySpan<T> dOutput, int rows, Span<T> dInput)
        => Backward(input, dOutput, rows, dInput, biasGradient: true);

    /// <summary>
    /// When true, backward leaves dW to the caller, who computes it later from the same input and dOutput
    /// (a data-parallel step does the decoder's dW for all its shares at once, split by output rows).
    /// </summary>
    internal bool DeferWeightGradient { get; set; }

    /// <summary>The same, leaving db out when <paramref name="biasGradient"/> is false (a fused softmax accumulated it already).</summary>
    internal void Backward(ReadOnlySpan<T> input, ReadOnlySpan<T> dOutput, int rows, Span<T> dInput, bool biasGradient)
    {
        if (!DeferWeightGradient) WeightGradient(input, dOutput, rows, 0, OutputSize);
        if (biasGradient) RowParallel.AddColumnSums(dOutput, rows, OutputSize, Bias.Grad.Data);
        if (dInput.IsEmpty) return;
        if (Packed is { } packed) Gemm.Multiply(false, rows, dOutput, OutputSize, packed.Plain, dInput, InputSize, false);
        else Gemm.Multiply(false, false, rows, InputSize, OutputSize, dOutput, OutputSize, Weight.Value.Data, InputSize, dInput, InputSize, false);
    }

    /// <summary>dW[first..first+count) += dOutput[:, first..first+count)ᵀ · input: the rows of dW for those outputs.</summary>
    internal void WeightGradient(ReadOnlySpan<T> input, ReadOnlySpan<T> dOutput, int rows, int first, int count)
    {
        if (count == 0) return;
        Gemm.Multiply(true, false, count, InputSize, rows, dOutput[first..], OutputSize, input, InputSize,
            Weight.Grad.Data.AsSpan(first * InputSize), InputSize, true);
    }
}

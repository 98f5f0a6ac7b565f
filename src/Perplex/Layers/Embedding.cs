using System.Numerics;
using Perplex.Tensors;

namespace Perplex.Layers;

/// <summary>
/// Token embedding: a lookup table with one row per vocabulary entry, as PyTorch's <c>nn.Embedding</c>
/// (weight [V][E]).
/// </summary>
/// <typeparam name="T">float for training, double for exact checks.</typeparam>
public sealed class Embedding<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a zero-initialised embedding named <c>{prefix}weight</c>.</summary>
    public Embedding(int vocabSize, int embeddingSize, string prefix = "embedding.")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(embeddingSize);
        VocabSize = vocabSize;
        EmbeddingSize = embeddingSize;
        Weight = new Parameter<T>(prefix + "weight", vocabSize, embeddingSize);
    }

    /// <summary>Number of rows V.</summary>
    public int VocabSize { get; }

    /// <summary>Row width E.</summary>
    public int EmbeddingSize { get; }

    /// <summary>The table [V][E].</summary>
    public Parameter<T> Weight { get; }

    /// <summary>y[n] = W[ids[n]] for every position n; <paramref name="output"/> is [ids.Length][E].</summary>
    public void Forward(ReadOnlySpan<int> ids, Span<T> output)
    {
        int e = EmbeddingSize;
        var w = Weight.Value.Data;
        for (int n = 0; n < ids.Length; n++)
            w.AsSpan(Row(ids[n]) * e, e).CopyTo(output.Slice(n * e, e));
    }

    /// <summary>
    /// When set, <see cref="Backward"/> also records which rows it wrote, so that whoever sums or clears this gradient
    /// can visit those rows only (a data-parallel replica's step touches a few hundred of the V rows).
    /// </summary>
    internal Perplex.Encoders.TouchedRows? GradientRows
    {
        get => Weight.ZeroOutsideRows;
        set => Weight.ZeroOutsideRows = value;
    }

    /// <summary>dW[ids[n]] += dy[n] (rows of repeated ids accumulate); <paramref name="dOutput"/> is [ids.Length][E].</summary>
    public void Backward(ReadOnlySpan<int> ids, ReadOnlySpan<T> dOutput)
    {
        int e = EmbeddingSize;
        var dw = Weight.Grad.Data;
        for (int n = 0; n < ids.Length; n++)
        {
            var row = dw.AsSpan(Row(ids[n]) * e, e);
            System.Numerics.Tensors.TensorPrimitives.Add(row, dOutput.Slice(n * e, e), row);
        }
        GradientRows?.Mark(ids);
    }

    private int Row(int id)
    {
        if ((uint)id >= (uint)VocabSize)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"token id outside the vocabulary of {VocabSize}");
        return id;
    }
}

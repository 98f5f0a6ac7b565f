using System.Numerics;
using Perplex.Tensors;

namespace Perplex.Layers;

/// <summary>
/// Both packed forms of a <see cref="Linear{T}"/> weight W [out][in]: Wᵀ for the forward product x·Wᵀ and W for the
/// input gradient dy·W. A data-parallel step packs them once and lets every replica read them, where each replica's
/// GEMMs would otherwise pack the whole of W again for its own share of the rows (for a 10,000-word decoder,
/// 8 MB twice per replica and step).
/// </summary>
internal sealed class PackedLinearWeights<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Room for a layer of <paramref name="inputSize"/> → <paramref name="outputSize"/>.</summary>
    public PackedLinearWeights(int inputSize, int outputSize)
    {
        Transposed = new PackedMatrix<T>(inputSize, outputSize);
        Plain = new PackedMatrix<T>(outputSize, inputSize);
    }

    /// <summary>op(B) = Wᵀ (in × out), read by the forward product.</summary>
    public PackedMatrix<T> Transposed { get; }

    /// <summary>op(B) = W (out × in), read by the input gradient.</summary>
    public PackedMatrix<T> Plain { get; }

    /// <summary>Packs form <paramref name="which"/> (0: <see cref="Transposed"/>, 1: <see cref="Plain"/>) from <paramref name="weight"/>; the two may run on different threads.</summary>
    public void Pack(int which, T[] weight)
    {
        if (which == 0) Transposed.Pack(transpose: true, weight, ldb: Transposed.Rows);
        else Plain.Pack(transpose: false, weight, ldb: Plain.Columns);
    }
}

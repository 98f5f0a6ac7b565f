using System.Numerics;
using System.Runtime.InteropServices;
using Perplex.Tensors;

namespace Perplex.Layers;

/// <summary>
/// A weight matrix packed for the GEMM, repacked only when the weights changed. Generation calls the network once per
/// token, and repacking a large weight for one row of arithmetic cost more than the arithmetic; comparing the weights
/// with a copy taken at the last packing is several times cheaper than packing, and exact (bitwise), so any change
/// (an optimizer step, a load, a test's perturbation) still repacks. Training, whose weights change every call,
/// packs unconditionally and keeps no copy.
/// </summary>
internal sealed class CachedPacking<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[] _packedFrom = [];
    private bool _copyIsValid;

    /// <summary>Creates the packed storage for op(B) of rows×columns (see <see cref="PackedMatrix{T}"/>).</summary>
    public CachedPacking(int rows, int columns) => Packed = new PackedMatrix<T>(rows, columns);

    /// <summary>The packed op(B).</summary>
    public PackedMatrix<T> Packed { get; }

    /// <summary>Packs op(B) from <paramref name="weights"/>, forgetting any copy (training).</summary>
    public void Pack(bool transpose, T[] weights, int ldb)
    {
        _copyIsValid = false;
        Packed.Pack(transpose, weights, ldb);
    }

    /// <summary>Part <paramref name="part"/> of <paramref name="parts"/> of <see cref="Pack(bool, T[], int)"/>; the parts may run at once on different threads.</summary>
    public void Pack(bool transpose, T[] weights, int ldb, int part, int parts)
    {
        _copyIsValid = false;
        Packed.Pack(transpose, weights, ldb, part, parts);
    }

    /// <summary>Packs op(B) from <paramref name="weights"/> unless it is bitwise what was packed last time.</summary>
    public void PackIfChanged(bool transpose, T[] weights, int ldb)
    {
        if (_copyIsValid && MemoryMarshal.AsBytes(weights.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(_packedFrom.AsSpan(0, weights.Length))))
            return;
        weights.CopyTo(Workspace.Ensure(ref _packedFrom, weights.Length));
        _copyIsValid = true;
        Packed.Pack(transpose, weights, ldb);
    }
}

using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Perplex.Tensors;

/// <summary>Which GEMM implementation runs. Selectable internally so tests can hold every path to the reference.</summary>
internal enum GemmPath
{
    /// <summary>The plain triple loop, <see cref="Gemm.Reference{T}"/>.</summary>
    Scalar,

    /// <summary>Packed GEMM with 256-bit vectors (AVX2 + FMA, or whatever Vector256 maps to).</summary>
    Vector256,

    /// <summary>Packed GEMM with 512-bit vectors (AVX-512).</summary>
    Vector512,
}

internal static class GemmPaths
{
    /// <summary>The fastest path this machine supports.</summary>
    /// <remarks>The vector kernels are built on fused multiply-add; without hardware FMA it would be emulated, slowly.</remarks>
    public static readonly GemmPath Best =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? GemmPath.Vector512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? GemmPath.Vector256
        : GemmPath.Scalar;

    /// <summary>Every path this machine can run, for tests.</summary>
    public static IEnumerable<GemmPath> Supported()
    {
        yield return GemmPath.Scalar;
        if (Vector256.IsHardwareAccelerated) yield return GemmPath.Vector256;
        if (Best == GemmPath.Vector512) yield return GemmPath.Vector512;
    }
}

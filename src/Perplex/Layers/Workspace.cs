using System.Numerics;

namespace Perplex.Layers;

/// <summary>
/// Grow-only scratch buffers: a layer asks for the size the current call needs and reuses the array
/// afterwards, so once the largest shape has been seen the training loop allocates nothing.
/// </summary>
internal static class Workspace
{
    /// <summary>Makes <paramref name="buffer"/> hold at least <paramref name="length"/> elements and returns that prefix.</summary>
    public static Span<T> Ensure<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new T[length];
        return buffer.AsSpan(0, length);
    }

    /// <summary>Adds <paramref name="rows"/> consecutive rows of <paramref name="matrix"/> into <paramref name="sum"/> (column sums, i.e. bias gradients).</summary>
    public static void AddRowsInto<T>(ReadOnlySpan<T> matrix, int rows, Span<T> sum) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = sum.Length;
        for (int r = 0; r < rows; r++)
            System.Numerics.Tensors.TensorPrimitives.Add(sum, matrix.Slice(r * n, n), sum);
    }

    /// <summary>Adds <paramref name="bias"/> to each of the <paramref name="rows"/> rows of <paramref name="matrix"/>.</summary>
    public static void AddToRows<T>(Span<T> matrix, int rows, ReadOnlySpan<T> bias) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = bias.Length;
        for (int r = 0; r < rows; r++)
        {
            var row = matrix.Slice(r * n, n);
            System.Numerics.Tensors.TensorPrimitives.Add(row, bias, row);
        }
    }
}

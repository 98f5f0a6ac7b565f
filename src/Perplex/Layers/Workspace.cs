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
}
